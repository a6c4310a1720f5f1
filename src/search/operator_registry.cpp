#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/saturating.h"
#include "search/operator.h"

namespace pelnas {

nlohmann::json OperatorStats::to_json() const {
  nlohmann::json c = nlohmann::json::object();
  for (const auto& [k, v] : counters) c[k] = v;
  return {{"counters", c}, {"prompt_tokens", prompt_tokens}, {"completion_tokens", completion_tokens}};
}

void OperatorStats::add(const std::string& key, std::int64_t n) {
  auto& c = counters[key];
  c = saturating_add(c, n);
}

void OperatorStats::merge(const OperatorStats& other) {
  for (const auto& [k, v] : other.counters) add(k, v);
  prompt_tokens = saturating_add(prompt_tokens, other.prompt_tokens);
  completion_tokens = saturating_add(completion_tokens, other.completion_tokens);
}

OperatorRegistry& OperatorRegistry::instance() {
  static OperatorRegistry r = [] {
    OperatorRegistry fresh;
    register_builtin_operators(fresh);
    return fresh;
  }();
  return r;
}

void OperatorRegistry::add(const std::string& name, const std::string& description, Factory factory) {
  for (auto& e : entries_)
    if (e.first == name) {
      e.second = {description, std::move(factory)};
      return;
    }
  entries_.push_back({name, {description, std::move(factory)}});
}

std::unique_ptr<Operator> OperatorRegistry::make(const std::string& name, const nlohmann::json& options) const {
  for (const auto& e : entries_)
    if (e.first == name) return e.second.second(options.is_null() ? nlohmann::json::object() : options);
  std::string valid;
  for (const auto& e : entries_) valid += (valid.empty() ? "" : ", ") + e.first;
  throw Error("unknown operator '" + name + "' (valid: " + valid + ")");
}

std::vector<std::string> OperatorRegistry::names() const {
  std::vector<std::string> n;
  for (const auto& e : entries_) n.push_back(e.first);
  return n;
}

}  // namespace pelnas
