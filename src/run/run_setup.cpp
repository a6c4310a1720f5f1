// A search run's setup: data, costs, accuracy source and true front, checked before anything is written.
#include <filesystem>

#include "common/error.h"
#include "hardware/searchable_space.h"
#include "run/search_run_internal.h"

namespace pelnas::search_run_internal {

RunSetup prepare(const RunConfig& cfg, const std::string& run_dir, const RunHooks& hooks) {
  cfg.validate();
  RunSetup r;
  r.data = BenchmarkData::load(cfg.data_dir);
  r.dataset = dataset_from_string(cfg.dataset);
  // The accuracy signal's name first (cheap, and the most likely typo), then device, budget, source.
  const std::string signal =
      resolve_accuracy_signal(cfg.accuracy_signal.empty() ? cfg.accuracy : cfg.accuracy_signal, r.dataset, *r.data);
  if (hooks.remote_proxies && signal != "predictor")
    throw Error("--accuracy " + signal + ": " + hooks.remote_refusal);
  const auto costs = make_objective_costs(r.data, r.dataset, cfg.device, cfg.objectives(),
                                         SpaceOptions{cfg.include_degenerate});
  r.cost = costs.front();
  r.extra_costs.assign(costs.begin() + 1, costs.end());
  // The budget: below the seeding cost, more than fixed generations can spend, or more than the
  // space holds is refused here.
  Budget{cfg.resolved_budget(r.cost->coverage())}.validate(r.cost->coverage());
  AccuracySourceOptions aopts;
  aopts.data = r.data;
  aopts.dataset = r.dataset;
  if (cfg.evaluator) {
    aopts.evaluator = *cfg.evaluator;
    aopts.evaluator->run_dir = std::filesystem::absolute(run_dir).lexically_normal().string();
  }
  aopts.threads = hooks.proxy_threads;
  aopts.remote_proxies = hooks.remote_proxies;
  r.accuracy = make_accuracy_source(cfg.accuracy_signal.empty() ? cfg.accuracy : cfg.accuracy_signal, aopts);
  // The operator and its options, built once without the files it would open in the run directory
  // (a replay cache lives elsewhere and is only read).
  PelnasSearchOptions probe = cfg.search;
  probe.operator_options.erase("transcript_path");
  if (!probe.operator_options.value("replay", false)) probe.operator_options.erase("cache_path");
  (void)PelnasSearch(probe);
  std::vector<const CostSource*> extras;
  for (const auto& c : r.extra_costs) extras.push_back(c.get());
  r.protocol = std::make_shared<EvaluationProtocol>(
      compute_true_front(*r.data, r.dataset, *r.cost, extras), ProtocolOptions{cfg.hv_reference});
  return r;
}

}  // namespace pelnas::search_run_internal
