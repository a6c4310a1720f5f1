// PelnasSearchOptions: validation, JSON round trip, budget plans and the niches it makes.
#include "search/pelnas_search.h"

#include "common/error.h"
#include "common/json_fields.h"
#include "search/feature_bins.h"
#include "search/niche_map.h"
#include <fmt/format.h>

namespace pelnas {

int PelnasSearchOptions::planned_evaluations(int niches) const {
  const int g = generations == kGenerationsFromBudget ? kDefaultGenerations : generations;
  return niches * (seeds_per_niche + g * children_per_niche_generation());
}

int PelnasSearchOptions::generations_for_budget(int budget, int niches) const {
  if (generations != kGenerationsFromBudget) return generations;
  const int per_generation = niches * children_per_niche_generation();
  const int rest = budget - seeding_evaluations(niches);
  return rest <= 0 ? 0 : (rest + per_generation - 1) / per_generation;
}

int PelnasSearchOptions::max_generations(int budget, int niches) const {
  const int planned = generations_for_budget(budget, niches);
  // Past the plan only to make up a shortfall, while generations still find new children (the cap
  // only guards against an operator that keeps finding a trickle).
  return generations == kGenerationsFromBudget ? 2 * planned + 10 : planned;
}

void PelnasSearchOptions::check_budget(int budget, int niches) const {
  const int seeding = seeding_evaluations(niches);
  if (budget < seeding)
    throw Error(fmt::format("budget {} is below the seeding cost of the PEL-NAS search: {} niche(s) x {} seeds per niche "
                            "= {} evaluations; the minimum budget is {}",
                            budget, niches, seeds_per_niche, seeding, seeding));
  if (generations != kGenerationsFromBudget && planned_evaluations(niches) < budget)
    throw Error(fmt::format("budget {} is more than generations={} can spend ({} niche(s) x ({} seeds + {} generations x {} "
                            "children) = {} evaluations); leave generations unset to derive them from the budget ({} "
                            "generations), or lower the budget",
                            budget, generations, niches, seeds_per_niche, generations, children_per_niche_generation(),
                            planned_evaluations(niches), [&] {
                              PelnasSearchOptions a = *this;
                              a.generations = kGenerationsFromBudget;
                              return a.generations_for_budget(budget, niches);
                            }()));
}

void PelnasSearchOptions::validate() const {
  auto bad = [](const std::string& field, const std::string& what) { throw Error("pelnas search option '" + field + "': " + what); };
  if (generations < 0 && generations != kGenerationsFromBudget)
    bad("generations", "must be >= 0, or -1 for as many as the budget pays for, got " + std::to_string(generations));
  if (children_per_call < 1) bad("children_per_call", "must be >= 1, got " + std::to_string(children_per_call));
  if (calls_per_niche < 2) bad("calls_per_niche", "must be >= 2 (one knowledge update + at least one proposal call), got " + std::to_string(calls_per_niche));
  if (seeds_per_niche < 1) bad("seeds_per_niche", "must be >= 1, got " + std::to_string(seeds_per_niche));
  if (!(crossover_probability >= 0 && crossover_probability <= 1)) bad("crossover_probability", "must be in [0, 1]");
  if (max_proposal_rounds < 1) bad("max_proposal_rounds", "must be >= 1, got " + std::to_string(max_proposal_rounds));
  if (concurrency < 0) bad("concurrency", "must be >= 0 (0 = the operator's preference)");
  if (allocation != "equal" && allocation != "front") bad("allocation", "must be 'equal' or 'front', got '" + allocation + "'");
  if (min_children_per_niche < 0) bad("min_children_per_niche", "must be >= 0, got " + std::to_string(min_children_per_niche));
  if (min_children_per_niche > children_per_niche_generation())
    bad("min_children_per_niche", "must be <= children per niche and generation (" + std::to_string(children_per_niche_generation()) + ")");
  if (!(allocation_size_exponent >= 0 && allocation_size_exponent <= 2)) bad("allocation_size_exponent", "must be in [0, 2]");
  if (migrant_parents < 0) bad("migrant_parents", "must be >= 0, got " + std::to_string(migrant_parents));
  if (operator_name.empty()) bad("operator", "must name an operator");
  if (!operator_options.is_object()) bad("operator_options", "must be a JSON object");
  if (!no_partition && partition.empty() && partition_table.is_null()) bad("partition", "must name a built-in partition or a CSV file");
}

nlohmann::json PelnasSearchOptions::to_json() const {
  nlohmann::json j = {{"partition", partition},
                      {"no_partition", no_partition},
                      {"generations", generations},
                      {"children_per_call", children_per_call},
                      {"calls_per_niche", calls_per_niche},
                      {"seeds_per_niche", seeds_per_niche},
                      {"operator", operator_name},
                      {"operator_options", operator_options},
                      {"crossover_probability", crossover_probability},
                      {"max_proposal_rounds", max_proposal_rounds},
                      {"concurrency", concurrency},
                      {"allocation", allocation},
                      {"min_children_per_niche", min_children_per_niche},
                      {"allocation_size_exponent", allocation_size_exponent},
                      {"migrant_parents", migrant_parents}};
  if (!partition_table.is_null()) j["partition_table"] = partition_table;
  if (!feature_bins.is_null()) j["feature_bins"] = feature_bins;
  return j;
}

PelnasSearchOptions PelnasSearchOptions::from_json(const nlohmann::json& j) {
  PelnasSearchOptions o;
  if (j.is_null()) return o;
  if (!j.is_object()) throw Error("pelnas search options: expected a JSON object");
  nlohmann::json known = o.to_json();
  known["partition_table"] = nullptr;
  known["feature_bins"] = nullptr;
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key)) {
      std::string valid;
      for (const auto& [k, v] : known.items()) valid += (valid.empty() ? "" : ", ") + k;
      throw Error("pelnas search options: unknown key '" + key + "' (valid: " + valid + ")");
    }
    try {
      if (key == "partition") o.partition = value.get<std::string>();
      else if (key == "partition_table") o.partition_table = value;
      else if (key == "feature_bins") o.feature_bins = FeatureBinOptions::from_json(value).to_json();
      else if (key == "no_partition") o.no_partition = value.get<bool>();
      else if (key == "generations") o.generations = json_fields::get_integral<int>(value);
      else if (key == "children_per_call") o.children_per_call = json_fields::get_integral<int>(value);
      else if (key == "calls_per_niche") o.calls_per_niche = json_fields::get_integral<int>(value);
      else if (key == "seeds_per_niche") o.seeds_per_niche = json_fields::get_integral<int>(value);
      else if (key == "operator") o.operator_name = value.get<std::string>();
      else if (key == "operator_options") o.operator_options = value;
      else if (key == "crossover_probability") o.crossover_probability = value.get<double>();
      else if (key == "max_proposal_rounds") o.max_proposal_rounds = json_fields::get_integral<int>(value);
      else if (key == "concurrency") o.concurrency = json_fields::get_integral<int>(value);
      else if (key == "allocation") o.allocation = value.get<std::string>();
      else if (key == "min_children_per_niche") o.min_children_per_niche = json_fields::get_integral<int>(value);
      else if (key == "allocation_size_exponent") o.allocation_size_exponent = value.get<double>();
      else if (key == "migrant_parents") o.migrant_parents = json_fields::get_integral<int>(value);
    } catch (const nlohmann::json::exception&) {
      throw Error("pelnas search option '" + key + "' has the wrong type (got " + value.dump() + ")");
    } catch (const json_fields::IntegerOutOfRange& e) {
      throw Error("pelnas search option '" + key + "': " + e.what());
    }
  }
  o.validate();
  return o;
}

Partition PelnasSearchOptions::resolve_partition() const {
  if (no_partition) return Partition::whole_space();
  if (!partition_table.is_null()) return Partition::from_json(partition_table);
  return Partition::load(partition);
}

int PelnasSearchOptions::niche_count(const std::string& space) const {
  if (!feature_bins.is_null() || space != "nb201")
    return no_partition ? 1 : FeatureBinOptions::from_json(feature_bins).bins;
  return resolve_partition().size();
}

std::unique_ptr<NichePartition> PelnasSearchOptions::make_niches(const Problem& problem) const {
  const SearchSpace& space = problem.space();
  if (!feature_bins.is_null() || space.name() != "nb201") {
    FeatureBinOptions o = FeatureBinOptions::from_json(feature_bins);
    if (no_partition) o.bins = 1;
    return std::make_unique<FeatureBinNiches>(space, o);
  }
  const Evaluator& ev = problem.evaluator();
  PartitionContext ctx{ev.data_ptr(), ev.dataset(), &ev.cost_source()};
  return std::make_unique<NicheMap>(resolve_partition(), ctx);
}

nlohmann::json PelnasSearchOptions::resolved_operator_options() const {
  nlohmann::json o = operator_options;
  if (!o.contains("crossover_probability")) o["crossover_probability"] = crossover_probability;
  return o;
}

}  // namespace pelnas
