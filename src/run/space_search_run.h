#pragma once
// `pelnas search --space fbnet`: a search on a space without NB201's tables. Costs come from the
// space's LUT for the device (hardware/space_cost.h), the accuracy signal by default the training-free
// score (`score`, evaluate/training_free_score_source.h: jacov and synflow on the real network through
// the LibTorch plugin, cached; labelled a score everywhere, never an accuracy), or the user's
// evaluator program with trained accuracies (`external`, docs/EVALUATOR.md). There is no true front: the HV is
// computed in a normalisation fixed per (space, dataset, device, metric) -- the signal in [0, 100],
// the cost between the space's exact minimum and maximum on the device -- with the reference point
// at (signal 0, maximum cost), and no HV ratio or IGD is reported.
//
// Run directory: config.json (records the space), archive.csv (FBNet arch strings), front.csv,
// metrics.csv (HV per generation), summary.json, evaluator_results.jsonl / evaluator.log (external).
// `--resume` re-runs the seeded search from its config: every evaluator answer already journalled
// (external) or proxy already in the cache (score) is reused, never asked or computed again, so
// the resumed run ends exactly as an uninterrupted one.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "evaluate/external_evaluator.h"
#include "evaluate/training_free_score.h"

namespace pelnas {

class SpaceCost;
class SearchSpace;

struct SpaceRunConfig {
  std::string space = "fbnet";
  std::string dataset;           // "" = the space's default
  std::string device = "pixel3";
  std::string metric = "latency";
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
  void validate() const;
  nlohmann::json to_json() const;
  static SpaceRunConfig from_json(const nlohmann::json& j);
};

inline constexpr const char* kScoreSignal = "score";

// The run's HV normalisation: fixed per (space, dataset, device, metric), written into every output.
struct SpaceHvNormalisation {
  double signal_min = 0, signal_max = 100;  // accuracy (percent) or training-free score (0..100)
  double cost_min = 0, cost_max = 0;        // exact bounds of the cost over the space
  double hv(const std::vector<std::pair<double, double>>& signal_cost) const;  // in [0, 1]
  nlohmann::json to_json() const;
};

// The exact minimum and maximum of an additive (per-position) cost over a product space: the
// cost of the all-zero code plus, per position, the least / greatest change one choice makes.
SpaceHvNormalisation space_hv_normalisation(const SearchSpace& space, const SpaceCost& cost);

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
