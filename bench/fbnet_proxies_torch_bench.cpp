// Zero-cost proxies for one FBNet network on CIFAR-100 input at the default batch (64): all 13, and
// the training-free score's two (jacov, synflow: what `search --space fbnet` computes), with the
// NB201 cifar100 cell (all 13) measured the same way in the same process as the reference.
// Sample: 12 FBNet archs across the niches (the first 2 uniform draws, seed 7, in each of the 6
// default FLOPs bins) and 8 uniform NB201 cells (seed 7).
// Counters: median / max wall seconds per arch, median process CPU seconds, peak RSS.
//   build/bench/fbnet_proxies_torch_bench   PELNAS_BENCH_THREADS=2 by default
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>

#include <benchmark/benchmark.h>

#include "common/rng.h"
#include "data/data_dir.h"
#include "predictor/proxy_computer.h"
#include "search/feature_bins.h"
#include "space/fbnet_space.h"
#include "space/nb201_space.h"

namespace {

using namespace pelnas;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int threads() {
  const char* t = std::getenv("PELNAS_BENCH_THREADS");
  return t ? std::atoi(t) : 2;
}

// 8 uniform draws (NB201), or 2 per FLOPs niche (FBNet: small and large networks alike).
std::vector<Encoding> sample(const SearchSpace& space) {
  Rng rng(7);
  std::vector<Encoding> archs;
  if (space.name() == "nb201") {
    for (int i = 0; i < 8; ++i) archs.push_back(space.sample(rng));
    return archs;
  }
  const FeatureBinPartition bins(space, FeatureBinOptions{});
  std::vector<int> taken(static_cast<std::size_t>(bins.size()), 0);
  while (static_cast<int>(archs.size()) < 2 * bins.size()) {
    Encoding e = space.sample(rng);
    int& n = taken[static_cast<std::size_t>(bins.niche_of(e))];
    if (n < 2) {
      ++n;
      archs.push_back(std::move(e));
    }
  }
  return archs;
}

void run(benchmark::State& state, const SearchSpace& space, std::vector<std::string> proxies = {}) {
  ProxyOptions opt;
  opt.dataset = Dataset::Cifar100;
  opt.batch_size = 64;
  opt.seed = 0;
  opt.threads = threads();
  opt.data_dir = resolve_data_dir(std::nullopt);
  opt.proxies = std::move(proxies);
  auto pc = make_space_proxy_computer(opt);
  auto nb201 = make_proxy_computer(opt);
  const std::vector<Encoding> archs = sample(space);
  auto compute = [&](const Encoding& e) {
    return space.name() == "nb201" ? nb201->compute(Nb201Space::decode(e)) : pc->compute(space, e);
  };
  compute(archs[0]);  // warm-up (allocator, lazy init)
  std::vector<double> wall, cpu;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto c0 = std::clock();
    auto v = compute(archs[i % archs.size()]);
    benchmark::DoNotOptimize(v);
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cpu.push_back(static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
    ++i;
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["median_wall_s"] = median(wall);
  state.counters["max_wall_s"] = *std::max_element(wall.begin(), wall.end());
  state.counters["median_cpu_s"] = median(cpu);
  state.counters["archs"] = static_cast<double>(wall.size());
  state.counters["peak_rss_MB"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
}

void BM_AllProxiesFbnetCifar100(benchmark::State& state) {
  register_torch_proxy_backend();
  run(state, FbnetSpace(FbnetDataset::Cifar100));
}

void BM_ScoreProxiesFbnetCifar100(benchmark::State& state) {
  register_torch_proxy_backend();
  run(state, FbnetSpace(FbnetDataset::Cifar100), {"jacov", "synflow"});
}

void BM_AllProxiesNb201Cifar100Reference(benchmark::State& state) {
  register_torch_proxy_backend();
  run(state, Nb201Space("cifar100"));
}

BENCHMARK(BM_AllProxiesNb201Cifar100Reference)->Unit(benchmark::kSecond)->Iterations(8)->UseRealTime();
BENCHMARK(BM_AllProxiesFbnetCifar100)->Unit(benchmark::kSecond)->Iterations(12)->UseRealTime();
BENCHMARK(BM_ScoreProxiesFbnetCifar100)->Unit(benchmark::kSecond)->Iterations(12)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
