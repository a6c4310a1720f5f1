#pragma once
// The pieces of a PEL-NAS search run that its files share (private to src/run/: search_run*.cpp).
#include <memory>
#include <string>
#include <vector>

#include "data/benchmark_data.h"
#include "evaluate/accuracy_sources.h"
#include "evaluate/evaluator.h"
#include "hardware/cost_source.h"
#include "metrics/evaluation_protocol.h"
#include "run/run_directory.h"
#include "run/run_state.h"
#include "run/run_state_store.h"
#include "run/search_run.h"
#include "search/problem.h"

namespace pelnas::search_run_internal {

// Everything a run needs before it writes anything: a bad dataset, device, accuracy source,
// operator or reference point fails here, before the run directory exists.
struct RunSetup {
  std::shared_ptr<const BenchmarkData> data;
  Dataset dataset = Dataset::Cifar10;
  std::shared_ptr<CostSource> cost;
  std::vector<std::shared_ptr<CostSource>> extra_costs;  // 3+ objectives
  std::shared_ptr<AccuracySource> accuracy;
  std::shared_ptr<const EvaluationProtocol> protocol;
};

RunSetup prepare(const RunConfig& cfg, const std::string& run_dir, const RunHooks& hooks);  // run_setup.cpp

// Runs the search from `state` (nullptr: from the start) with a metrics row, an event, the knowledge
// history and a checkpoint after every generation, then the run's outputs (search_run_execute.cpp).
RunSummary execute(const RunDirectory& dir, RunConfig cfg, RunStateStore& store, const RunState* state,
                   const nlohmann::json& overrides, const RunHooks& hooks, const RunSetup& setup);

// "<metric>_<unit>" per cost objective (latency_ms, energy_mj): the text summary's column labels.
std::vector<std::string> cost_labels(const RunConfig& cfg);  // search_run_outputs.cpp

// A finished run's archive.csv, front.csv, stats.json and summary.json (search_run_outputs.cpp).
void write_run_outputs(const RunDirectory& dir, const RunConfig& cfg, const RunSummary& s, const Problem& problem,
                       const Evaluator& evaluator, const PelnasSearch& search, const RunSetup& setup, int budget,
                       int planned_generations, double wall);

// A finished run's summary.json and front.csv, read back strictly.
RunSummary finished_summary(const RunDirectory& dir, const RunConfig& cfg);  // search_run_outputs.cpp

}  // namespace pelnas::search_run_internal
