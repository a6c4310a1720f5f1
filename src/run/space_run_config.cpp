// SpaceRunConfig (validation, its config.json form, objectives) and the costs it maps a space to.
#include "run/space_search_run.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <limits>

#include "common/error.h"
#include "common/json_fields.h"
#include "data/data_dir.h"
#include "hardware/space_cost.h"
#include "space/search_space.h"

namespace pelnas {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string>& space_algorithms() {
  static const std::vector<std::string> a = {"random", "rea", "nsga2", "pelnas"};
  return a;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

void SpaceRunConfig::validate() const {
  auto names = SearchSpaceRegistry::instance().names();
  if (std::find(names.begin(), names.end(), space) == names.end())
    throw Error(fmt::format("unknown space '{}' (valid: {})", space, joined(names)));
  if (std::find(space_algorithms().begin(), space_algorithms().end(), algorithm) == space_algorithms().end())
    throw Error(fmt::format("algorithm '{}' on the {} space: valid are {}{}", algorithm, space, joined(space_algorithms()),
                            algorithm == "exhaustive" ? fmt::format(" (exhaustive search cannot list a space of about 10^{:.1f} "
                                                                    "architectures)",
                                                                    make_search_space(space, dataset)->log10_size())
                                                      : ""));
  if (metric != "latency" && metric != "energy") throw Error("metric: expected latency or energy, got '" + metric + "'");
  (void)objectives();  // names the bad objective and lists the valid ones
  if (accuracy != kExternalSignal && accuracy != kScoreSignal)
    throw Error(fmt::format("accuracy signal '{}' on the {} space: valid are external (--evaluator CMD) and score (the "
                            "training-free score); the table signals are NB201's benchmark tables",
                            accuracy, space));
  if (accuracy == kExternalSignal && !evaluator)
    throw Error(fmt::format("the {} space has no accuracy table: give --evaluator 'CMD' (docs/EVALUATOR.md) or --accuracy score", space));
  if (accuracy == kScoreSignal) score.validate();
  if (budget < 0) throw Error("budget: must be >= 1, got " + std::to_string(budget));
  if (!algorithm_options.is_null() && !algorithm_options.is_object()) throw Error("algorithm_options: expected a JSON object");
}

nlohmann::json SpaceRunConfig::to_json() const {
  nlohmann::json j = {{"space", space},         {"dataset", dataset},   {"device", device},
                      {"metric", metric},       {"objectives", objectives().names()},
                      {"algorithm", algorithm}, {"algorithm_options", algorithm_options},
                      {"budget", budget},       {"seed", seed},         {"accuracy_signal", accuracy},
                      {"data_dir", data_dir}};
  if (evaluator) j["evaluator"] = evaluator->to_json();
  if (accuracy == kScoreSignal) {
    j["score"] = score.to_json();
    j["proxy_cache"] = proxy_cache;
    j["signal_label"] = TrainingFreeScore::kLabel;
  }
  return j;
}

SpaceRunConfig SpaceRunConfig::from_json(const nlohmann::json& j) {
  namespace jf = json_fields;
  const std::string p = "config.json";
  jf::object(j, p);
  SpaceRunConfig c;
  c.space = jf::string(jf::member(j, p, "space"), "space");
  c.dataset = jf::string(jf::member(j, p, "dataset"), "dataset");
  c.device = jf::string(jf::member(j, p, "device"), "device");
  c.metric = jf::string(jf::member(j, p, "metric"), "metric");
  if (j.contains("objectives")) {  // absent in runs before 3-objective FBNet searches: accuracy and `metric`
    const auto& a = jf::array(j["objectives"], "objectives");
    std::vector<std::string> names;
    for (std::size_t k = 0; k < a.size(); ++k) names.push_back(jf::string(a[k], jf::join("objectives", k), false));
    const ObjectiveList list = ObjectiveList::from_names(names, p + ": objectives");
    if (std::string(to_string(list.costs.front())) != c.metric)
      throw Error(p + ": objectives: the first cost '" + std::string(to_string(list.costs.front())) + "' differs from metric '" +
                  c.metric + "'");
    for (std::size_t k = 1; k < list.costs.size(); ++k) c.extra_metrics.emplace_back(to_string(list.costs[k]));
  }
  c.algorithm = jf::string(jf::member(j, p, "algorithm"), "algorithm");
  c.algorithm_options = jf::member(j, p, "algorithm_options");
  c.budget = static_cast<int>(jf::integer(jf::member(j, p, "budget"), "budget", 0, 1 << 30));
  c.seed = static_cast<std::uint64_t>(jf::integer(jf::member(j, p, "seed"), "seed", 0, std::numeric_limits<std::int64_t>::max()));
  c.accuracy = jf::string(jf::member(j, p, "accuracy_signal"), "accuracy_signal");
  c.data_dir = jf::string(jf::member(j, p, "data_dir"), "data_dir");
  if (j.contains("evaluator")) c.evaluator = ExternalEvaluatorOptions::from_json(j["evaluator"]);
  if (j.contains("score")) c.score = TrainingFreeScoreOptions::from_json(j["score"]);
  if (j.contains("proxy_cache")) c.proxy_cache = jf::string(j["proxy_cache"], "proxy_cache");
  c.validate();
  return c;
}

ObjectiveList SpaceRunConfig::objectives() const {
  std::vector<std::string> names{"accuracy", metric};
  names.insert(names.end(), extra_metrics.begin(), extra_metrics.end());
  return ObjectiveList::from_names(names, "objectives");
}

SpaceRunCosts make_space_run_costs(const SpaceRunConfig& cfg) {
  SpaceRunCosts out;
  out.space = make_search_space(cfg.space, cfg.dataset);
  if (out.space->name() != "fbnet")
    throw Error(fmt::format("space '{}': only the fbnet space has device cost tables for a search without NB201's "
                            "tables (nb201 runs without --space)",
                            out.space->name()));
  const std::string data_dir = resolve_data_dir(cfg.data_dir.empty() ? std::nullopt : std::optional<std::string>(cfg.data_dir));
  auto lut = std::make_shared<const FbnetLut>(FbnetLut::load((fs::path(data_dir) / "fbnet_hw_lut.csv").string()));
  const auto& fb = dynamic_cast<const FbnetSpace&>(*out.space);
  // One SpaceCost per cost objective; a device without the metric is refused naming those it has.
  for (HwMetric m : cfg.objectives().costs) {
    try {
      out.costs.push_back(std::make_shared<FbnetLutCost>(lut, fb.fbnet_dataset(), cfg.device, m));
    } catch (const Error& e) {
      throw Error(fmt::format("objectives {} on device '{}': {}", cfg.objectives().str(), cfg.device, e.what()));
    }
  }
  return out;
}

}  // namespace pelnas
