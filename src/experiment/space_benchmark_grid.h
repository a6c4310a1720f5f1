#pragma once
// `pelnas bench --space fbnet`: algorithms compared at equal budget on a space without a true front.
// Every (device, algorithm, seed) is an ordinary `pelnas search --space` run (run/space_search_run.h)
// in OUT/runs/<device>-<algorithm label>-s<seed>, with the run's own seed (so a grid run equals the
// search run with the same options), scored in the fixed per-(space, dataset, device, objectives)
// normalisation the search writes. The reference front of a device is the non-dominated set of the
// union of every run of the grid on it: HV ratio and IGD / IGD+ are "vs union of grid runs, not a
// true front" (a better algorithm added to the grid lowers everyone's ratio).
//
// Runs go one after another in this process (the training-free score's proxies are computed with
// the torch threads of --proxy-threads and shared through the proxy cache; the score does not depend on
// the device, so the devices of a grid share every proxy). A finished run directory with the same
// configuration is reused as it is, an unfinished one is resumed: a grid killed half way continues.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run/space_search_run.h"

namespace pelnas {

struct SpaceGridOptions {
  std::string space = "fbnet";
  std::string dataset;  // "" = the space's default
  std::vector<std::string> devices = {"pixel3", "fpga"};
  std::string metric = "latency";
  std::vector<std::string> extra_metrics;  // further cost objectives (--objectives accuracy,latency,energy)
  // Entries as in `pelnas bench --algos` (a search name, optionally with inline options:
  // "pelnas:children_per_call=2"); options per entry from algorithm_options[entry].
  std::vector<std::string> algorithms = {"random", "rea", "nsga2", "pelnas"};
  nlohmann::json algorithm_options = nlohmann::json::object();
  int seeds = 5;     // seeds 0 .. seeds-1
  int budget = 300;  // unique evaluated architectures per run, equal for every algorithm
  // The signal and its settings, as SpaceRunConfig's (accuracy, evaluator, score, proxy_cache, data_dir).
  SpaceRunConfig signal;

  // Throws pelnas::Error naming the bad field (a device without a cost metric: the metrics it has).
  void validate() const;
  nlohmann::json to_json() const;
  // The configuration of one run of the grid.
  SpaceRunConfig run_config(const std::string& device, const std::string& algorithm, int seed) const;
};

struct SpaceGridRun {
  std::string device, algorithm, dir;
  int seed = 0, evaluations = 0, front_size = 0;
  double hv = 0;                 // fixed normalisation
  double hv_ratio = 0;           // HV / HV(union front of the device)
  double igd = 0, igd_plus = 0;  // from the union front, in the normalised space
  double wall_seconds = 0;       // of this process's part of the run (0 when reused)
  bool reused = false;           // a finished run directory taken as it was
  std::vector<SpacePoint> front;  // (signal, cost[, extra costs])
};

struct SpaceGridDevice {
  std::string device, cost_name, cost_unit;  // the first cost; the others are in norm.extra_costs
  SpaceHvNormalisation norm;
  std::vector<SpacePoint> union_front;  // (signal, cost[, extra costs]), first cost ascending
  std::vector<std::string> union_archs;
  std::vector<std::string> union_found_by;             // "algorithm:s<seed> ..." per union point
  double union_hv = 0;
};

struct SpaceGridResult {
  SpaceGridOptions options;
  std::vector<SpaceGridDevice> devices;
  std::vector<SpaceGridRun> runs;  // device, algorithm, seed order
  double wall_seconds = 0;

  std::string results_csv() const;
  std::string union_fronts_csv() const;
  nlohmann::ordered_json summary_json() const;
  std::string summary_markdown() const;
  std::string text_table() const;
  // results.csv, union_fronts.csv, summary.json, summary.md, report.html
  void write(const std::string& dir) const;
};

inline constexpr const char* kUnionFrontLabel = "vs union of grid runs, not a true front";

// Runs (or reuses / resumes) every run into out_dir/runs and scores them. progress(i, n, name)
// before each run. Throws pelnas::Error for bad options before anything is written.
SpaceGridResult run_space_benchmark_grid(const SpaceGridOptions& options, const std::string& out_dir,
                                         const SpaceRunHooks& hooks = {},
                                         const std::function<void(int, int, const std::string&)>& progress = {});

}  // namespace pelnas
