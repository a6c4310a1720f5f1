// Loading the benchmark tables: BenchmarkData::read of the real data directory (target < 150 ms),
// and the CSV parse of the main table alone, for comparison. Run: build/bench/data_bench
#include <benchmark/benchmark.h>

#include <filesystem>

#include "common/csv.h"
#include "data/benchmark_data.h"
#include "data/data_dir.h"

namespace {

const std::string& data_dir() {
  static const std::string dir = pelnas::resolve_data_dir(std::nullopt);
  return dir;
}

void BM_BenchmarkDataRead(benchmark::State& state) {
  for (auto _ : state) {
    pelnas::BenchmarkData d = pelnas::BenchmarkData::read(data_dir());
    benchmark::DoNotOptimize(d.size());
  }
}
BENCHMARK(BM_BenchmarkDataRead)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_CsvParseMainTable(benchmark::State& state) {
  const std::string path = (std::filesystem::path(data_dir()) / pelnas::BenchmarkData::kMainTable).string();
  for (auto _ : state) {
    pelnas::CsvTable t = pelnas::CsvTable::read(path);
    benchmark::DoNotOptimize(t.rows());
  }
}
BENCHMARK(BM_CsvParseMainTable)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The process-wide cache: every call after the first returns the loaded tables.
void BM_BenchmarkDataLoadCached(benchmark::State& state) {
  pelnas::BenchmarkData::load(data_dir());
  for (auto _ : state) benchmark::DoNotOptimize(pelnas::BenchmarkData::load(data_dir()).get());
}
BENCHMARK(BM_BenchmarkDataLoadCached);

}  // namespace

BENCHMARK_MAIN();
