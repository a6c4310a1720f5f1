// RunConfig: validation, objectives, the resolved budget and its config.json form.
#include "run/search_run.h"

#include <algorithm>
#include <limits>

#include "common/error.h"
#include "common/json_fields.h"
#include "data/benchmark_data.h"
#include "evaluate/accuracy_sources.h"
#include "hardware/cost_source.h"
#include "metrics/evaluation_protocol.h"

namespace pelnas {

void RunConfig::validate() const {
  (void)dataset_from_string(dataset);
  (void)hw_metric_from_string(metric);
  (void)objectives();
  if (device.empty()) throw Error("run config: 'device' is empty");
  if (budget < 0) throw Error("run config: 'budget' must be >= 0 (0 = planned by the search options)");
  if (accuracy.empty()) throw Error("run config: 'accuracy' is empty (e.g. valid, table:test, predictor)");
  if ((accuracy == kExternalSignal) != evaluator.has_value())
    throw Error(evaluator ? "run config: an 'evaluator' is given but 'accuracy' is '" + accuracy + "', not 'external'"
                          : "run config: accuracy 'external' needs an 'evaluator' (the program, --evaluator 'CMD')");
  if (evaluator) evaluator->validate();
  if (hv_reference && !is_valid_reference_point(*hv_reference))
    throw Error("run config: 'hv_reference' must be finite numbers > 0, one per objective");
  if (hv_reference && hv_reference->size() != 2 + extra_metrics.size())
    throw Error("run config: 'hv_reference' has " + std::to_string(hv_reference->size()) + " coordinates for " +
                std::to_string(2 + extra_metrics.size()) + " objectives (" + objectives().str() + ")");
  search.validate();
}

ObjectiveList RunConfig::objectives() const {
  std::vector<std::string> names{"accuracy", metric};
  names.insert(names.end(), extra_metrics.begin(), extra_metrics.end());
  return ObjectiveList::from_names(names, "run config: 'objectives'");
}

int RunConfig::resolved_budget(int domain_size) const {
  const int niches = search.resolve_partition().size();
  const int b = budget > 0 ? budget : std::min(search.planned_evaluations(niches), domain_size);
  search.check_budget(b, niches);
  return b;
}

nlohmann::json RunConfig::to_json() const {
  nlohmann::json s = search.to_json();
  if (!search.no_partition) s["partition_table"] = search.resolve_partition().to_json();
  return {{"dataset", dataset}, {"device", device},   {"metric", metric}, {"objectives", objectives().names()},
          {"accuracy", accuracy},
          {"accuracy_signal", accuracy_signal}, {"include_degenerate", include_degenerate},
          {"evaluator", evaluator ? evaluator->to_json() : nlohmann::json(nullptr)},
          {"seed", seed},       {"budget", budget},   {"data_dir", data_dir}, {"search", s},
          {"hv_reference", hv_reference ? nlohmann::json(*hv_reference) : nlohmann::json(nullptr)},
          {"operator_defaulted", operator_defaulted}, {"cli", cli}, {"pelnas_version", PELNAS_VERSION}};
}

RunConfig RunConfig::from_json(const nlohmann::json& j) {
  namespace jf = json_fields;
  RunConfig c;
  jf::object(j, "(document)");
  c.dataset = jf::string(jf::member(j, "", "dataset"), "dataset", false);
  c.device = jf::string(jf::member(j, "", "device"), "device", false);
  c.metric = jf::string(jf::member(j, "", "metric"), "metric", false);
  c.accuracy = jf::string(jf::member(j, "", "accuracy"), "accuracy", false);
  if (j.contains("objectives")) {  // absent in runs before 2026-11-30: accuracy and `metric`
    const auto& a = jf::array(j["objectives"], "objectives");
    std::vector<std::string> names;
    for (std::size_t k = 0; k < a.size(); ++k) names.push_back(jf::string(a[k], jf::join("objectives", k), false));
    const ObjectiveList list = ObjectiveList::from_names(names, "objectives");
    if (to_string(list.costs.front()) != c.metric)
      throw Error("objectives: the first cost '" + std::string(to_string(list.costs.front())) + "' differs from metric '" +
                  c.metric + "'");
    for (std::size_t k = 1; k < list.costs.size(); ++k) c.extra_metrics.emplace_back(to_string(list.costs[k]));
  }
  // Runs before 2026-11-30 have neither key: they searched the whole space (degenerate cells
  // included) and "table" meant the true test accuracy; resolve_accuracy_signal still reads it.
  c.accuracy_signal = j.contains("accuracy_signal") ? jf::string(j["accuracy_signal"], "accuracy_signal") : std::string();
  if (j.contains("evaluator") && !j["evaluator"].is_null()) c.evaluator = ExternalEvaluatorOptions::from_json(j["evaluator"]);
  c.include_degenerate = j.contains("include_degenerate") ? jf::boolean(j["include_degenerate"], "include_degenerate") : true;
  c.seed = jf::unsigned_integer(jf::member(j, "", "seed"), "seed");
  c.budget = static_cast<int>(jf::integer(jf::member(j, "", "budget"), "budget", 0, kNumArchs));
  c.data_dir = jf::string(jf::member(j, "", "data_dir"), "data_dir", false);
  try {
    c.search = PelnasSearchOptions::from_json(jf::object(jf::member(j, "", "search"), "search"));
  } catch (const Error& e) {
    throw Error(std::string("search: ") + e.what());
  }
  if (j.contains("hv_reference") && !j.at("hv_reference").is_null()) {  // absent in runs before 2026-11-28
    const auto& h = jf::array(j["hv_reference"], "hv_reference");
    if (h.size() != 2 + c.extra_metrics.size()) jf::fail("hv_reference", "one number per objective or null", h);
    constexpr double kBig = std::numeric_limits<double>::max();
    ObjectiveVector ref;
    for (std::size_t k = 0; k < h.size(); ++k) ref.push_back(jf::number(h[k], jf::join("hv_reference", k), -kBig, kBig));
    c.hv_reference = ref;
  }
  c.operator_defaulted = j.contains("operator_defaulted") ? jf::boolean(j["operator_defaulted"], "operator_defaulted") : false;
  if (j.contains("cli")) c.cli = j["cli"].is_null() ? j["cli"] : jf::object(j["cli"], "cli");  // null: a run started by the library
  else c.cli = nlohmann::json::object();
  c.validate();
  return c;
}

}  // namespace pelnas
