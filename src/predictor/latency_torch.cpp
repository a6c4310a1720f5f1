#include <time.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "common/error.h"
#include "predictor/latency.h"
#include "predictor/nb201_torch.h"

namespace pelnas {

namespace {

// Quantile by linear interpolation between order statistics (numpy's default).
// With one torch thread the whole forward pass runs on the calling thread, so its CPU time is the
// latency minus any time spent preempted: on a shared machine that is what stays repeatable (wall
// time under a load of 18 on 2 cores gave a Spearman of 0.21 with FLOPs). With more threads the
// work is spread over a pool, and only wall time measures it.
double now_ms(bool thread_cpu) {
  if (thread_cpu) {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

const char* torch_version_string() {
  static const std::string v = TORCH_VERSION;
  return v.c_str();
}

std::vector<LatencyMeasurement> measure_nb201_latencies(std::span<const Arch> archs, Dataset dataset, const LatencyRequest& r) {
  if (r.threads < 1 || r.threads > 1024) throw Error("latency: threads must be in [1, 1024], got " + std::to_string(r.threads));
  if (r.batch < 1 || r.batch > 4096) throw Error("latency: batch must be in [1, 4096], got " + std::to_string(r.batch));
  if (r.warmup < 0 || r.runs < 1) throw Error("latency: need warmup >= 0 and runs >= 1");
  // The thread count is process-wide in LibTorch: set for the measurement, restored after.
  struct ThreadsGuard {
    int before = torch::get_num_threads();
    ~ThreadsGuard() { torch::set_num_threads(before); }
  } restore;
  torch::set_num_threads(r.threads);
  torch::manual_seed(0);  // weights and input do not change the timing of dense CPU kernels, but keep them fixed
  const int side = dataset == Dataset::ImageNet16_120 ? 16 : 32;
  const torch::Tensor x = torch::randn({r.batch, 3, side, side});
  std::vector<LatencyMeasurement> out(archs.size());
  std::vector<torch_backend::Nb201Network> nets;
  for (std::size_t k = 0; k < archs.size(); ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    nets.emplace_back(archs[k], dataset);
    nets.back()->eval();
    out[k].build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  c10::InferenceMode guard;
  const bool thread_cpu = r.threads == 1;
  std::vector<std::vector<double>> times(archs.size());
  // Round robin: run i of every network, then run i + 1. A burst of interference (another process,
  // a hypervisor taking the CPU) then spoils one or two of a cell's runs, which the median
  // discards, instead of all of them.
  for (int i = 0; i < r.warmup + r.runs; ++i)
    for (std::size_t k = 0; k < nets.size(); ++k) {
      const double s = now_ms(thread_cpu);
      const auto y = nets[k]->forward(x).logits;
      (void)y.data_ptr<float>();  // CPU kernels are synchronous; touch the result anyway
      if (i >= r.warmup) times[k].push_back(now_ms(thread_cpu) - s);
    }
  for (std::size_t k = 0; k < archs.size(); ++k) {
    std::sort(times[k].begin(), times[k].end());
    out[k].median_ms = quantile(times[k], 0.5);
    out[k].q1_ms = quantile(times[k], 0.25);
    out[k].q3_ms = quantile(times[k], 0.75);
  }
  return out;
}

LatencyMeasurement measure_nb201_latency(const Arch& arch, Dataset dataset, const LatencyRequest& r) {
  return measure_nb201_latencies(std::span<const Arch>(&arch, 1), dataset, r).front();
}

}  // namespace pelnas
