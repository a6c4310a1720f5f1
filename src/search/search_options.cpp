#include "search/search_options.h"

#include <cmath>

#include "common/error.h"

namespace pelnas {

JsonOptionReader::JsonOptionReader(std::string owner, const nlohmann::json& j) : owner_(std::move(owner)), j_(j) {
  if (j_.is_null()) j_ = nlohmann::json::object();
  if (!j_.is_object()) throw Error(owner_ + ": expected a JSON object, got " + j_.dump());
}

const nlohmann::json* JsonOptionReader::find(const std::string& key) {
  known_.insert(key);
  auto it = j_.find(key);
  return it == j_.end() ? nullptr : &*it;
}

int JsonOptionReader::get_int(const std::string& key, int fallback) {
  const auto* v = find(key);
  if (!v) return fallback;
  if (v->is_number_integer()) return v->get<int>();
  if (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>()) return static_cast<int>(v->get<double>());
  throw Error(owner_ + ": '" + key + "' must be an integer, got " + v->dump());
}

double JsonOptionReader::get_double(const std::string& key, double fallback) {
  const auto* v = find(key);
  if (!v) return fallback;
  if (v->is_number()) return v->get<double>();
  throw Error(owner_ + ": '" + key + "' must be a number, got " + v->dump());
}

void JsonOptionReader::finish() const {
  for (const auto& [key, value] : j_.items()) {
    if (known_.count(key)) continue;
    std::string valid;
    for (const auto& k : known_) valid += (valid.empty() ? "" : ", ") + k;
    throw Error(owner_ + ": unknown key '" + key + "' (valid: " + (valid.empty() ? "none" : valid) + ")");
  }
}

}  // namespace pelnas
