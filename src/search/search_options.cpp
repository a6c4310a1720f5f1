#include "search/search_options.h"

#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/json_fields.h"

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
  if (v->is_number()) {
    try {
      return json_fields::get_integral<int>(*v);  // 3.0 is 3; 2e125, 3.7 and 2^40 are refused, not cast
    } catch (const json_fields::IntegerOutOfRange&) {
    }
  }
  throw Error(owner_ + ": '" + key + "' must be an integer in [" + std::to_string(std::numeric_limits<int>::min()) + ", " +
              std::to_string(std::numeric_limits<int>::max()) + "], got " + v->dump());
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
