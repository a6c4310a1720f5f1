#pragma once
// `pelnas search --space fbnet`: a search on a space without NB201's tables. Costs come from the
// space's LUT for the device (hardware/space_cost.h), the accuracy signal by default the training-free
// score (`score`, evaluate/training_free_score_source.h: jacov and synflow on the real network through
// the LibTorch plugin, cached; labelled a score everywhere, never an accuracy), or the user's
// evaluator program with trained accuracies (`external`, docs/EVALUATOR.md). There is no true front: the HV is
// computed in a normalisation fixed per (space, dataset, device, objectives) -- the signal in [0, 100],
// each cost between the space's exact minimum and maximum on the device -- with the reference point
// at (signal 0, every cost at its maximum), and no HV ratio or IGD is reported. Objectives: accuracy
// (the signal) and one or more device costs (--objectives accuracy,latency,energy).
//
// Run directory: config.json (records the space), archive.csv (FBNet arch strings), front.csv,
// metrics.csv (HV per generation), summary.json, evaluator_results.jsonl / evaluator.log (external).
// `--resume` re-runs the seeded search from its config: every evaluator answer already journalled
// (external) or proxy already in the cache (score) is reused, never asked or computed again, so
// the resumed run ends exactly as an uninterrupted one.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "evaluate/external_evaluator.h"
#include "evaluate/objective_list.h"
#include "evaluate/training_free_score.h"

namespace pelnas {

class SpaceCost;
class SearchSpace;

struct SpaceRunConfig {
  std::string space = "fbnet";
  std::string dataset;           // "" = the space's default
  std::string device = "pixel3";
  std::string metric = "latency";    // the first cost objective
  std::vector<std::string> extra_metrics;  // further cost objectives (--objectives accuracy,latency,energy)
  std::string algorithm = "pelnas";  // random, rea, nsga2, pelnas
  nlohmann::json algorithm_options = nlohmann::json::object();
  int budget = 0;                // 0 = the algorithm's default (pelnas: its plan; others 300)
  std::uint64_t seed = 0;
  std::string accuracy = "score";  // score (the training-free score, default) or external
  std::optional<ExternalEvaluatorOptions> evaluator;
  TrainingFreeScoreOptions score;  // score only: its proxies, reference sample and proxy settings
  std::string proxy_cache;         // score only: the SQLite proxy cache ("" = default_proxy_cache_path())
  std::string data_dir;          // where fbnet_hw_lut.csv is ("" = resolve_data_dir)

  // Throws pelnas::Error naming the bad field (unknown space/algorithm/signal list the valid ones).
  // Also checks that the device has every cost metric in the space (the error names those it has).
  void validate() const;
  ObjectiveList objectives() const;  // accuracy, metric, extra_metrics
  nlohmann::json to_json() const;
  static SpaceRunConfig from_json(const nlohmann::json& j);
};

inline constexpr const char* kScoreSignal = "score";

// A found point of a space run: the signal, then every cost in the run's objective order.
using SpacePoint = std::vector<double>;

// The bounds of one cost objective over the whole space (exact: see space_hv_normalisation()).
struct SpaceCostBounds {
  std::string name, unit;  // e.g. "fpga_energy", "mJ"
  double min = 0, max = 0;
};

// The run's HV normalisation: fixed per (space, dataset, device, objectives), written into every
// output. Signal and each cost are scaled to [0, 1] (minimised: 0 = best) by their bounds; the
// reference point is (1, ..., 1), i.e. (signal 0, every cost at its maximum). Two objectives: exact
// 2-D sweep; three or more: pagmo2's exact n-D hypervolume (metrics/hypervolume.h).
struct SpaceHvNormalisation {
  double signal_min = 0, signal_max = 100;  // accuracy (percent) or training-free score (0..100)
  double cost_min = 0, cost_max = 0;        // exact bounds of the first cost over the space
  std::vector<SpaceCostBounds> extra_costs;  // further cost objectives (3+ objectives), in order

  std::size_t objectives() const { return 2 + extra_costs.size(); }
  // (signal, cost, extra costs...) -> minimised coordinates, each in [0, 1] inside the bounds.
  std::vector<double> normalised(const SpacePoint& p) const;
  double hv(const std::vector<SpacePoint>& points) const;  // in [0, 1]
  nlohmann::json to_json() const;
  // Reads to_json()'s form back (a run's summary.json); throws pelnas::Error naming the field.
  static SpaceHvNormalisation from_json(const nlohmann::json& j, const std::string& where);
};

// The exact minimum and maximum of an additive (per-position) cost over a product space: the
// cost of the all-zero code plus, per position, the least / greatest change one choice makes.
// Returns {min, max}.
std::pair<double, double> space_cost_bounds(const SearchSpace& space, const SpaceCost& cost);
// The normalisation of a run: signal 0..100, then the bounds of `cost` and of every extra cost.
SpaceHvNormalisation space_hv_normalisation(const SearchSpace& space, const SpaceCost& cost,
                                            const std::vector<std::shared_ptr<SpaceCost>>& extra_costs = {});

// The space of a run and its cost objectives in order (first = the run's `cost`), built from the
// config alone (cheap: the LUT is read, nothing is evaluated). The one place that maps a space to
// its costs. Throws pelnas::Error for a space without cost tables or a device without a metric
// (naming the metrics it has).
struct SpaceRunCosts {
  std::shared_ptr<const SearchSpace> space;
  std::vector<std::shared_ptr<SpaceCost>> costs;
};
SpaceRunCosts make_space_run_costs(const SpaceRunConfig& cfg);

struct SpaceRunResult {
  std::string dir;
  int evaluations = 0;
  int front_size = 0;
  double hv = 0;
  double wall_seconds = 0;
  bool stopped = false;
  int generation = 0;  // the last generation done
};

// How a run executes without changing its results (not recorded in config.json).
struct SpaceRunHooks {
  int proxy_threads = 2;            // torch threads for the training-free score's proxies
  int stop_after_generation = -1;   // test hook: stop after this generation's outputs (then --resume)
};

// Starts a run in `out_dir` (created; must not exist or be empty) or, with resume, continues the
// run whose config.json is there. Throws pelnas::Error before writing anything for bad input.
// A stopped run (hooks.stop_after_generation) has stopped = true and no summary.json.
SpaceRunResult run_space_search(const SpaceRunConfig& cfg, const std::string& out_dir, const SpaceRunHooks& hooks = {});
SpaceRunResult resume_space_search(const std::string& dir, const SpaceRunHooks& hooks = {});

}  // namespace pelnas
