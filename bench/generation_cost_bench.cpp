// Cost of one PEL-NAS generation at generation 10, 100 and 1,000 of a long run (issue 14 target:
// flat within 20 %). Evolution operator, 6 niches x 1 child a generation (24 + 6 g evaluations),
// CIFAR-10 validation accuracy from the table and FPGA latency: the operator and the evaluations
// are cheap, so what is measured is what grows with the archive, if anything: the search's
// per-generation work (allocation, niche fronts, operator states) and, for the full run, what
// `pelnas search` does after each generation (HV/IGD scoring, per-niche summaries, knowledge
// files, journal record). Each counter is the mean process CPU time per generation over the 10
// generations ending at that generation (CPU, not wall: the machine may be shared), except that
// "at 10" is generations 2-11: generation 1's time also holds the run's set-up (data, niches,
// initial population, run directory), which would make the early window look dearer than it is
// and the ratio flatter. The median generation of those windows and the mean over generations
// 901-1,000 tell a snapshot's spike (full run only) from a cost that grows.
//   /0  PelnasSearch::run alone (time between generation callbacks)
//   /1  a `pelnas search` run with its run directory (start_search_run)
// Under valgrind --tool=callgrind --collect-atstart=no, collection is on during the two windows
// and each is dumped as it ends (dumps "gen2-11" and "gen991-1000"): the instructions of the two
// windows, deterministic where CPU time is not. A dump counts only the thread that asks for it, so under valgrind (which
// runs one thread at a time anyway) the niches run on the calling thread (concurrency 1: the same
// results, PelnasSearch's niches each have their own Rng). Outside valgrind the requests do nothing.
#include <benchmark/benchmark.h>
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define PELNAS_CALLGRIND_WINDOWS 1
#endif

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "evaluate/evaluator.h"
#include "hardware/cost_source.h"
#include "run/search_run.h"
#include "search/pelnas_search.h"

namespace {

using namespace pelnas;
using Clock = std::chrono::steady_clock;

constexpr int kGenerations = 1000;

// Process CPU time (all threads): on a loaded machine wall time mostly measures the other processes.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

PelnasSearchOptions long_run_options() {
  PelnasSearchOptions o;
  o.children_per_call = 1;
  o.min_children_per_niche = 1;
  o.generations = kGenerations;
#ifdef PELNAS_CALLGRIND_WINDOWS
  if (RUNNING_ON_VALGRIND) o.concurrency = 1;
#endif
  return o;
}

void report(benchmark::State& state, const std::vector<double>& at) {  // at[g] = time generation g ended
  constexpr int kEarly = 11;  // the window of generations 2-11 (see the top of this file)
  const auto window = [&](int g) { return (at[g] - at[g - 10]) / 10 * 1e3; };
  state.counters["ms_per_gen_at_10"] = window(kEarly);
  state.counters["ms_per_gen_at_100"] = window(100);
  state.counters["ms_per_gen_at_1000"] = window(kGenerations);
  state.counters["ratio_1000_to_10"] = window(kGenerations) / window(kEarly);
  // The full run compacts its journal into a new snapshot when the journal reaches 4 snapshots
  // (~20 ms for the 1.1 MB snapshot of generation 1,000; 16 snapshots in the 1,000 generations): a window
  // holds one or none. The median generation of a window leaves such spikes out; the mean over
  // generations 901-1,000 spreads them (amortised, when one falls in it).
  const auto median = [&](int g) {
    std::vector<double> d;
    for (int i = g - 9; i <= g; ++i) d.push_back((at[i] - at[i - 1]) * 1e3);
    std::nth_element(d.begin(), d.begin() + 5, d.end());
    return d[5];
  };
  state.counters["median_ms_per_gen_at_10"] = median(kEarly);
  state.counters["median_ms_per_gen_at_1000"] = median(kGenerations);
  state.counters["ms_per_gen_901_1000"] = (at[kGenerations] - at[kGenerations - 100]) / 100 * 1e3;
}

void BM_GenerationCost(benchmark::State& state) {
  const bool full_run = state.range(0) == 1;
  auto data = BenchmarkData::load(resolve_data_dir(std::nullopt));
  std::vector<double> at(kGenerations + 1, 0.0);
  for (auto _ : state) {
    const double t0 = cpu_seconds();
    const auto stamp = [&](int g) {
      if (g >= 0 && g <= kGenerations) at[g] = cpu_seconds() - t0;
#ifdef PELNAS_CALLGRIND_WINDOWS
      if (g == 11) CALLGRIND_DUMP_STATS_AT("gen2-11");
      if (g == kGenerations) CALLGRIND_DUMP_STATS_AT("gen991-1000");
      if (g == 1 || g == 11 || g == kGenerations - 10 || g == kGenerations) CALLGRIND_TOGGLE_COLLECT;
#endif
    };
    if (full_run) {
      RunConfig cfg;
      cfg.dataset = "cifar10";
      cfg.device = "fpga";
      cfg.accuracy = "valid";
      cfg.seed = 1;
      cfg.data_dir = data->dir();
      cfg.search = long_run_options();
      const std::string dir = (std::filesystem::temp_directory_path() / ("pelnas_generation_cost_" + std::to_string(::getpid()))).string();
      std::filesystem::remove_all(dir);
      RunHooks hooks;
      hooks.after_generation = stamp;
      benchmark::DoNotOptimize(start_search_run(cfg, dir, hooks));
      std::filesystem::remove_all(dir);
    } else {
      std::shared_ptr<CostSource> cost = make_cost_source(data, Dataset::Cifar10, CostSpec{"fpga", HwMetric::Latency});
      auto accuracy = std::make_shared<TableAccuracy>(data, Dataset::Cifar10, AccuracyMetric::Valid);
      Evaluator evaluator(data, Dataset::Cifar10, accuracy, cost);
      const PelnasSearchOptions options = long_run_options();
      Problem problem(evaluator, Budget{options.planned_evaluations(6)});
      PelnasSearch search(options);
      Rng rng(1);
      search.run(problem, rng, [&](const GenerationReport& r) {
        stamp(r.generation);
        return CallbackAction::Continue;
      });
      benchmark::DoNotOptimize(search.final_front());
    }
  }
  report(state, at);
}
BENCHMARK(BM_GenerationCost)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
