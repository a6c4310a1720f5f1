// Search overhead of the default PEL-NAS run (6 niches x 10 generations, evolution operator) outside
// model calls and proxy computation: table accuracy and table latency, so the time measured is the
// loop itself (partition map, states, operator, validation, archives). Target: < 2 s per run.
#include <benchmark/benchmark.h>
#include "pelnas_build_paths.h"

#include <filesystem>

#include "data/benchmark_data.h"
#include "evaluate/evaluator.h"
#include "hardware/cost_source.h"
#include "search/pelnas_search.h"

namespace {

std::string data_dir() {
  if (const char* env = std::getenv("PELNAS_DATA"); env && *env) return env;
  return (std::filesystem::path(PELNAS_SOURCE_DIR) / ".." / "shared" / "data").lexically_normal().string();
}

void BM_PelnasSearchDefaultRun(benchmark::State& state) {
  using namespace pelnas;
  auto data = BenchmarkData::load(data_dir());
  std::shared_ptr<CostSource> cost = make_cost_source(data, Dataset::Cifar10, CostSpec{"fpga", HwMetric::Latency});
  auto accuracy = std::make_shared<TableAccuracy>(data, Dataset::Cifar10, AccuracyMetric::Test);
  std::uint64_t seed = 0;
  int evaluations = 0;
  for (auto _ : state) {
    Evaluator evaluator(data, Dataset::Cifar10, accuracy, cost);
    PelnasSearchOptions options;
    options.concurrency = static_cast<int>(state.range(0));
    Problem problem(evaluator, Budget{options.planned_evaluations(6)});
    PelnasSearch search(options);
    Rng rng(seed++);
    search.run(problem, rng, nullptr);
    evaluations = problem.evaluations();
    benchmark::DoNotOptimize(search.final_front());
  }
  state.counters["evaluations"] = evaluations;
}
BENCHMARK(BM_PelnasSearchDefaultRun)->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
