#pragma once
// `pelnas search --space fbnet`: a search on a space without NB201's tables. Costs come from the
// space's LUT for the device (hardware/space_cost.h), the accuracy signal from the user's evaluator
// program (`external`, docs/EVALUATOR.md) or, with the LibTorch plugin, the training-free score
// (`score`: labelled a score everywhere, never an accuracy). There is no true front: the HV is
// computed in a normalisation fixed per (space, dataset, device, metric) -- the signal in [0, 100],
// the cost between the space's exact minimum and maximum on the device -- with the reference point
// at (signal 0, maximum cost), and no HV ratio or IGD is reported.
//
// Run directory: config.json (records the space), archive.csv (FBNet arch strings), front.csv,
// metrics.csv (HV per generation), summary.json, evaluator_results.jsonl / evaluator.log (external).
// `--resume` re-runs the seeded search from its config: every evaluator answer already journalled
// is reused, never asked again, so the resumed run ends exactly as an uninterrupted one.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "evaluate/external_evaluator.h"

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
  std::string accuracy = "external";  // external or score
  std::optional<ExternalEvaluatorOptions> evaluator;
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
};

// Starts a run in `out_dir` (created; must not exist or be empty) or, with resume, continues the
// run whose config.json is there. Throws pelnas::Error before writing anything for bad input.
SpaceRunResult run_space_search(const SpaceRunConfig& cfg, const std::string& out_dir);
SpaceRunResult resume_space_search(const std::string& dir);

}  // namespace pelnas
