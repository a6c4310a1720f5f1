#pragma once
// A PEL-NAS search run bound to a run directory: resolved configuration, event log, per-generation
// metrics (HV ratio / IGD / IGD+ against the true front, re-scored with true test accuracy),
// knowledge bases, a checkpoint after every generation, and the final archive, front, statistics
// and summary. `resume` continues a killed run from its last checkpoint; the result is identical to
// an uninterrupted run with the same seed, and no evaluation is lost or repeated.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "evaluate/external_evaluator.h"
#include "evaluate/objective_list.h"
#include "metrics/hypervolume.h"
#include "predictor/proxy_features.h"
#include "search/pelnas_search.h"

namespace pelnas {

struct RunConfig {
  std::string dataset = "cifar10";
  std::string device = "fpga";
  std::string metric = "latency";  // the primary cost objective
  // Further cost objectives (--objectives accuracy,latency,energy: metric latency, extra energy).
  std::vector<std::string> extra_metrics;
  std::string accuracy = "valid";   // the requested accuracy signal (evaluate/accuracy_sources.h)
  std::string accuracy_signal;     // its canonical name on this dataset ("table:valid"); "" = resolve at start
  // The user's evaluator program (accuracy "external"); its run_dir is the run's, set at start.
  std::optional<ExternalEvaluatorOptions> evaluator;
  bool include_degenerate = false;  // keep the degenerate (zero-output) cells in the space and true front
  std::uint64_t seed = 0;
  int budget = 0;                  // unique evaluations; 0 = what the search options plan
  std::optional<ObjectiveVector> hv_reference;  // normalised HV reference point; unset = (1, ..., 1)
  std::string data_dir;            // resolved benchmark data directory
  PelnasSearchOptions search;
  bool operator_defaulted = false;  // evolution chosen because no LLM model was configured
  nlohmann::json cli;              // the command line's resolved options, for the record

  void validate() const;  // throws pelnas::Error naming the field
  // accuracy, metric, extra metrics (throws pelnas::Error for an unknown or repeated one).
  ObjectiveList objectives() const;
  // The budget a run spends: `budget`, else the search options' plan (capped by the domain).
  // Throws pelnas::Error when the budget is below the seeding cost or more than fixed generations
  // can spend.
  int resolved_budget(int domain_size) const;
  nlohmann::json to_json() const;
  static RunConfig from_json(const nlohmann::json& j);
};

struct RunSummary {
  std::string run_dir;  // absolute, normalised
  std::string accuracy_signal;  // what front[].seen_accuracy is (seen by the search)
  double hv_ratio = 0, igd = 0, igd_plus = 0, hv = 0;
  int front_size = 0, evaluations = 0, generations_completed = 0;
  bool finished = false;  // false when stopped by the test hook
  std::vector<EvaluatedArch> front;          // accuracy = the accuracy_signal value the search saw
  std::vector<std::optional<double>> front_test_accuracy;  // true 200-epoch test accuracy, by front row
  // The cost objectives as "<metric>_<unit>" (e.g. latency_ms, energy_mj), first cost first: the
  // text table's column labels.
  std::vector<std::string> cost_labels;
  nlohmann::json to_json() const;  // the summary.json document (+ front)
};

struct RunHooks {
  int stop_after_generation = -1;  // test hook: return after this generation's checkpoint, as if killed
  bool terminal_progress = false;  // a redrawn progress line on stderr instead of log lines
  int generation_delay_ms = 0;     // test hook: sleep after each checkpoint (lets a test kill the process there)
  int proxy_threads = 2;           // torch threads for proxies computed here (--accuracy predictor)
  // Where proxies of --accuracy predictor are computed instead of here (mpirun: the job's ranks).
  // Set, any other accuracy signal is refused with `remote_refusal` (it has nothing to spread).
  ProxyFeatureSource::RemoteCompute remote_proxies;
  std::string remote_refusal;
  std::function<void(int generation)> after_generation;  // bench hook: called after each generation's checkpoint
};

// Starts a new run in out_dir (created; must not exist or be empty).
RunSummary start_search_run(const RunConfig& config, const std::string& out_dir, const RunHooks& hooks = {});
// What `--resume` may change in a run's recorded configuration (everything else is config.json's).
// Overrides are written back to config.json and listed in the run_resumed event.
struct ResumeOptions {
  std::string data_dir;  // the benchmark data moved ("" = as recorded)
  // Merged into the operator's options; only the LLM operator's connection settings are allowed
  // (kResumableOperatorOptions): they change where and how patiently answers are fetched, not them.
  nlohmann::json operator_options = nlohmann::json::object();
  // A new per-batch timeout for the run's external evaluator (it changes no answer, only how long
  // pelnas waits for one).
  std::optional<double> evaluator_timeout_seconds;
};
inline constexpr const char* kResumableOperatorOptions[] = {"base_url", "timeout_seconds", "concurrency", "allow_plain_http_key"};

// Continues the run in run_dir from its saved state (or returns its summary when it has finished).
// Takes the directory's lock: a second process resuming the same directory is refused.
RunSummary resume_search_run(const std::string& run_dir, const RunHooks& hooks = {}, const ResumeOptions& resume = {});

}  // namespace pelnas
