// EvolutionOperatorOptions: validation and JSON (unknown keys and wrong types are errors).
#include <string>

#include "common/error.h"
#include "common/json_fields.h"
#include "search/evolution_operator.h"

namespace pelnas {

void EvolutionOperatorOptions::validate() const {
  auto prob = [](double p, const char* field) {
    if (!(p >= 0 && p <= 1)) throw Error(std::string("evolution operator: ") + field + " must be in [0, 1], got " + std::to_string(p));
  };
  prob(crossover_probability, "crossover_probability");
  prob(two_edge_mutation_probability, "two_edge_mutation_probability");
  prob(swap_probability, "swap_probability");
  if (parent_selection != "frontier" && parent_selection != "uniform")
    throw Error("evolution operator: parent_selection must be 'frontier' or 'uniform', got '" + parent_selection + "'");
  if (!(rule_weight >= 1)) throw Error("evolution operator: rule_weight must be >= 1");
  if (!(min_lift > 1)) throw Error("evolution operator: min_lift must be > 1");
  if (min_support < 1) throw Error("evolution operator: min_support must be >= 1");
  if (max_rules < 0) throw Error("evolution operator: max_rules must be >= 0");
  if (max_attempts < 1) throw Error("evolution operator: max_attempts must be >= 1");
  if (screen_candidates < 1) throw Error("evolution operator: screen_candidates must be >= 1");
  if (!(ridge > 0)) throw Error("evolution operator: ridge must be > 0");
  if (!(screen_floor_quantile >= 0 && screen_floor_quantile < 1)) throw Error("evolution operator: screen_floor_quantile must be in [0, 1)");
}

nlohmann::json EvolutionOperatorOptions::to_json() const {
  return {{"crossover_probability", crossover_probability}, {"two_edge_mutation_probability", two_edge_mutation_probability},
          {"swap_probability", swap_probability},
          {"parent_selection", parent_selection}, {"rule_weight", rule_weight}, {"min_lift", min_lift},
          {"min_support", min_support}, {"max_rules", max_rules}, {"max_attempts", max_attempts},
          {"screen_candidates", screen_candidates}, {"ridge", ridge}, {"screen_floor_quantile", screen_floor_quantile}};
}

EvolutionOperatorOptions EvolutionOperatorOptions::from_json(const nlohmann::json& j) {
  EvolutionOperatorOptions o;
  if (j.is_null()) return o;
  if (!j.is_object()) throw Error("evolution operator options: expected a JSON object");
  const nlohmann::json defaults = o.to_json();
  for (const auto& [key, value] : j.items()) {
    if (!defaults.contains(key)) {
      std::string valid;
      for (const auto& [k, v] : defaults.items()) valid += (valid.empty() ? "" : ", ") + k;
      throw Error("evolution operator options: unknown key '" + key + "' (valid: " + valid + ")");
    }
    try {
      if (key == "crossover_probability") o.crossover_probability = value.get<double>();
      else if (key == "two_edge_mutation_probability") o.two_edge_mutation_probability = value.get<double>();
      else if (key == "swap_probability") o.swap_probability = value.get<double>();
      else if (key == "parent_selection") o.parent_selection = value.get<std::string>();
      else if (key == "rule_weight") o.rule_weight = value.get<double>();
      else if (key == "min_lift") o.min_lift = value.get<double>();
      else if (key == "min_support") o.min_support = json_fields::get_integral<int>(value);
      else if (key == "max_rules") o.max_rules = json_fields::get_integral<int>(value);
      else if (key == "max_attempts") o.max_attempts = json_fields::get_integral<int>(value);
      else if (key == "screen_candidates") o.screen_candidates = json_fields::get_integral<int>(value);
      else if (key == "ridge") o.ridge = value.get<double>();
      else if (key == "screen_floor_quantile") o.screen_floor_quantile = value.get<double>();
    } catch (const nlohmann::json::exception&) {
      throw Error("evolution operator options: '" + key + "' has the wrong type (expected like " + defaults[key].dump() + ")");
    } catch (const json_fields::IntegerOutOfRange& e) {
      throw Error("evolution operator options: '" + key + "': " + e.what());
    }
  }
  o.validate();
  return o;
}

}  // namespace pelnas
