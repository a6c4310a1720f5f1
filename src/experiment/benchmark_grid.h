#pragma once
// The benchmark grid: every (dataset, device, algorithm, seed) run of baseline searches, scored
// with the evaluation protocol against the true front. Runs go to a thread pool; each run's Rng is
// derived from (seed, a stable id of its setting and algorithm) and results are collected by task
// id, so the output does not depend on the thread count or the number of MPI ranks (only wall
// times do).
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/benchmark_data.h"
#include "evaluate/objective_list.h"
#include "metrics/evaluation_protocol.h"
#include "search/archive.h"

namespace pelnas {

namespace distributed {
class WorkFarm;
}

struct BenchmarkGridOptions {
  std::vector<std::string> algorithms = {"random", "rea", "nsga2"};
  std::vector<Dataset> datasets = {Dataset::Cifar10};
  std::vector<std::string> devices = {"fpga", "eyeriss", "raspi4", "pixel3"};
  HwMetric metric = HwMetric::Latency;
  std::vector<HwMetric> extra_metrics;  // further cost objectives (3+ objectives; --objectives)
  // The accuracy signal the searches see (evaluate/accuracy_sources.h: valid, table:test, predictor,
  // ...), resolved per dataset; the protocol always scores with true test accuracy.
  std::string accuracy = "valid";
  bool include_degenerate = false;                 // keep the degenerate cells in space and true front
  int seeds = 10;                                  // seeds 0 .. seeds-1
  int budget = 600;                                // unique evaluated architectures per run
  int threads = 2;
  // --accuracy predictor: torch threads for each proxy computation (archs outside the shipped table
  // and the proxy cache); on a loaded machine 1 wastes no CPU spinning at OpenMP barriers.
  int proxy_threads = 2;
  int curve_step = 10;                             // curve points every this many evaluations
  std::optional<ObjectiveVector> hv_reference;     // normalised HV reference; unset = (1, ..., 1)
  nlohmann::json algorithm_options = nlohmann::json::object();  // {"rea": {"population": 50}, ...}

  void validate() const;  // throws pelnas::Error naming the bad field
  nlohmann::json to_json() const;
  ObjectiveList objectives() const;  // accuracy, metric, extra metrics
};

// An entry of `algorithms` is a registered search name, optionally with inline options so one grid
// can hold variants of one search: "pelnas:no_partition=true:generations=5". Each value is read as
// JSON (true, 5, 0.3, "x") and else as a string. The whole entry is the run's label (its Rng stream
// and its rows); options from algorithm_options[label] come first, inline ones override them.
struct AlgorithmSpec {
  std::string label, search;
  nlohmann::json options = nlohmann::json::object();
  static AlgorithmSpec parse(const std::string& entry, const nlohmann::json& algorithm_options);  // throws Error
};

struct CurvePoint {
  int evaluations = 0;
  double hv = 0, hv_ratio = 0, igd = 0, igd_plus = 0;
};

// One (dataset, device): its cost source and the protocol every run there is scored with.
struct GridSetting {
  Dataset dataset = Dataset::Cifar10;
  std::string device, cost_name, cost_unit;
  int coverage = 0;       // architectures with a cost (the search domain)
  int excluded = 0;       // degenerate cells left out of the space on purpose
  int space_size = 0;     // all architectures
  std::string accuracy_signal;  // canonical signal the searches see on this dataset
  std::shared_ptr<const CostSource> cost;
  std::vector<std::shared_ptr<const CostSource>> extra_costs;  // 3+ objectives
  std::vector<std::string> extra_cost_names, extra_cost_units;
  std::shared_ptr<AccuracySource> accuracy;  // shared by the setting's runs (thread-safe)
  std::shared_ptr<const EvaluationProtocol> protocol;
  bool partial() const { return coverage + excluded < space_size; }
};

struct GridRun {
  std::size_t setting = 0;  // into BenchmarkGridResult::settings
  std::string algorithm;
  int seed = 0;
  int evaluations = 0;
  ProtocolResult result;
  double wall_ms = 0;  // search time only (not scoring)
  std::vector<CurvePoint> curve;
  std::vector<EvaluatedArch> archive;   // every evaluated architecture, in evaluation order
  std::vector<double> true_accuracy;    // parallel to archive: true test accuracy (what the protocol scores)
  std::vector<std::size_t> front;       // positions in archive of the run's answer (front under the seen objectives)
};

struct Stat {
  double mean = 0, std = 0;  // std: sample standard deviation (n - 1), 0 for one run
};
// Mean and sample standard deviation of a grid cell's values (zeros for none).
Stat mean_and_std(const std::vector<double>& v);

// Mean and std over the seeds of one (dataset, device, algorithm).
struct GridCell {
  std::size_t setting = 0;
  std::string algorithm;
  int runs = 0;
  Stat hv, hv_ratio, igd, igd_plus, evaluations, wall_ms;
};

struct BenchmarkGridResult {
  BenchmarkGridOptions options;
  std::vector<GridSetting> settings;
  std::vector<GridRun> runs;  // in task order: dataset, device, algorithm, seed
  std::vector<GridCell> cells;
  double total_wall_ms = 0;

  std::string results_csv() const;   // one row per run
  std::string curves_csv() const;    // hv_ratio / igd against evaluations, per run
  std::string archives_csv() const;  // every evaluated architecture of every run (docs/BENCH_OUTPUT.md)
  std::string fronts_csv() const;    // each run's answer, with normalised true objectives
  nlohmann::ordered_json summary_json() const;
  std::string summary_markdown() const;
  std::string text_table() const;    // the CLI's default output
  // Writes results.csv, curves.csv, archives.csv, fronts.csv, summary.json and summary.md into dir
  // (created if needed). The layout is documented in docs/BENCH_OUTPUT.md.
  void write(const std::string& dir) const;
};

// A run as JSON, exact (doubles read back to the same bits): how a worker rank sends it to rank 0.
nlohmann::json grid_run_to_json(const GridRun& run);
GridRun grid_run_from_json(const nlohmann::json& j);  // throws Error on a malformed document

// Throws pelnas::Error (before running anything) on an unknown algorithm/device, a device without
// data for a dataset, or a budget outside [1, domain size] of any setting.
// `on_start(runs)` is called (on rank 0) once every check has passed, just before the first run.
// Runs go to `farm` (default: in-process, on options.threads threads); under mpirun every rank calls
// this with the same options, rank 0 gets the full result and the others an empty one.
BenchmarkGridResult run_benchmark_grid(std::shared_ptr<const BenchmarkData> data, const BenchmarkGridOptions& options,
                                       const std::function<void(std::size_t runs)>& on_start = {},
                                       distributed::WorkFarm* farm = nullptr);

}  // namespace pelnas
