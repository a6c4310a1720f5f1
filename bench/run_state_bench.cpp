// Cost of saving a run's state after one generation, at generation 10, 100 and 1,000 of a PEL-NAS
// run (evolution operator, 6 niches x 1 child: 24 + 6 g evaluations; table accuracy, FPGA latency).
//   journal:  what `pelnas search` does now: one journal record of what the generation changed
//             (appended, fdatasync'd); a snapshot replaces it only when the journal has grown as
//             large as the snapshot (amortised share: `record_per_snapshot` x the snapshot time).
//   snapshot: what it did before: the whole checkpoint rebuilt as JSON, written, fsync'd, renamed.
// Target (issue 14): journal cost per generation flat from generation 10 to 1,000 (within 20 %).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "data/benchmark_data.h"
#include "evaluate/evaluator.h"
#include "hardware/cost_source.h"
#include "pelnas_build_paths.h"
#include "run/run_directory.h"
#include "run/run_state_store.h"
#include "search/pelnas_search.h"

namespace {

using namespace pelnas;

std::string data_dir() {
  if (const char* env = std::getenv("PELNAS_DATA"); env && *env) return env;
  return (std::filesystem::path(PELNAS_SOURCE_DIR) / ".." / "shared" / "data").lexically_normal().string();
}

void BM_SaveRunState(benchmark::State& state) {
  const int at = static_cast<int>(state.range(0));
  const bool journal = state.range(1) == 1;
  auto data = BenchmarkData::load(data_dir());
  std::shared_ptr<CostSource> cost = make_cost_source(data, Dataset::Cifar10, CostSpec{"fpga", HwMetric::Latency});
  auto accuracy = std::make_shared<TableAccuracy>(data, Dataset::Cifar10, AccuracyMetric::Test);
  Evaluator evaluator(data, Dataset::Cifar10, accuracy, cost);
  PelnasSearchOptions options;
  options.generations = at;
  options.children_per_call = 1;
  options.min_children_per_niche = 1;
  Problem problem(evaluator, Budget{options.planned_evaluations(6)});
  PelnasSearch search(options);
  const std::string path = (std::filesystem::temp_directory_path() / ("pelnas_run_state_bench_" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(path);
  const RunDirectory dir = RunDirectory::create(path);
  RunStateStore store(dir);
  std::vector<nlohmann::json> metrics;
  double bytes = 0, snapshot_bytes = 0;
  Rng rng(1);
  search.run(problem, rng, [&](const GenerationReport& r) {
    metrics.push_back({{"generation", r.generation}, {"evaluations", r.evaluations}, {"hv_ratio", 0.5}, {"igd", 0.1},
                       {"igd_plus", 0.1}, {"hv", 0.4}, {"front_size", 10}, {"llm_calls", 0}});
    if (r.generation < at) {  // the run so far, saved as `pelnas search` saves it
      store.save(search, *r.archive, metrics, 2 * r.generation + 1, 1.0);
      return CallbackAction::Continue;
    }
    for (auto _ : state) {
      if (journal) {
        RunStateStore s = store;  // the files' state after generation at-1: this save appends generation `at`
        const auto t0 = std::chrono::steady_clock::now();
        s.save(search, *r.archive, metrics, 2 * r.generation + 1, 1.0);
        state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        bytes = static_cast<double>(s.last_save_bytes());
      } else {
        const auto t0 = std::chrono::steady_clock::now();
        // The previous per-generation checkpoint (src/run/search_run.cpp before the journal).
        const nlohmann::json doc = {{"search", search.checkpoint().to_json()}, {"metrics", metrics}, {"events", 2 * r.generation + 1},
                                    {"wall_seconds", 1.0}};
        dir.write_json("checkpoint_full.json", doc);
        state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        bytes = static_cast<double>(std::filesystem::file_size(dir.file("checkpoint_full.json")));
      }
    }
    RunState full;
    full.search = search.checkpoint();
    full.metrics = metrics;
    snapshot_bytes = static_cast<double>(full.to_json().dump().size());
    return CallbackAction::Stop;
  });
  state.counters["evaluations"] = problem.evaluations();
  state.counters["bytes_written"] = bytes;
  // A snapshot is written once per snapshot_bytes of records, so its amortised cost per generation is
  // (snapshot time) x record_per_snapshot, with the snapshot time from the journal=0 rows.
  state.counters["snapshot_bytes"] = snapshot_bytes;
  if (journal) state.counters["record_per_snapshot"] = bytes / snapshot_bytes;
  std::filesystem::remove_all(path);
}
BENCHMARK(BM_SaveRunState)
    ->ArgsProduct({{10, 100, 1000}, {0, 1}})
    ->ArgNames({"generation", "journal"})
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
