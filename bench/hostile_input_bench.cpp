// Input handling that used to be quadratic in hostile input: JSON extraction from a reply that is a
// flood of brackets (80 KB of '[' took 4.9 s), and a pickle dict with many keys (200k keys took
// 224 s). Both must scale linearly: compare the per-byte / per-key times across the sizes.
#include <benchmark/benchmark.h>

#include <string>

#include "data/pickle_reader.h"
#include "llm/json_extract.h"

namespace {

void BM_ExtractJsonOpenBrackets(benchmark::State& state) {
  const std::string text(static_cast<std::size_t>(state.range(0)), '[');
  for (auto _ : state) benchmark::DoNotOptimize(pelnas::llm::extract_json(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_ExtractJsonOpenBrackets)->RangeMultiplier(4)->Range(10000, 640000)->Unit(benchmark::kMillisecond);

void BM_ExtractJsonUnparsableBalanced(benchmark::State& state) {
  // "{x}{x}..." wrapped in brackets 16 deep: every span is a candidate that fails to parse.
  std::string inner;
  while (inner.size() < static_cast<std::size_t>(state.range(0))) inner += "{x}";
  const std::string text = std::string(16, '[') + inner + std::string(16, ']');
  for (auto _ : state) benchmark::DoNotOptimize(pelnas::llm::extract_json(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ExtractJsonUnparsableBalanced)->RangeMultiplier(4)->Range(10000, 640000)->Unit(benchmark::kMillisecond);

void BM_PickleDictKeys(benchmark::State& state) {
  // {0: None, 1: None, ...} in one SETITEMS.
  std::string p = "\x80\x04}(";
  for (int i = 0; i < state.range(0); ++i) {
    p += 'J';
    for (int b = 0; b < 4; ++b) p += static_cast<char>((i >> (8 * b)) & 0xff);
    p += 'N';
  }
  p += "u.";
  for (auto _ : state) benchmark::DoNotOptimize(pelnas::pickle::parse(p));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_PickleDictKeys)->RangeMultiplier(4)->Range(12500, 200000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
