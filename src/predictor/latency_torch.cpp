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

LatencyMeasurement measure_nb201_latency(const Arch& arch, Dataset dataset, const LatencyRequest& r) {
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
  const auto t0 = std::chrono::steady_clock::now();
  torch_backend::Nb201Network net(arch, dataset);
  net->eval();
  const int side = dataset == Dataset::ImageNet16_120 ? 16 : 32;
  const torch::Tensor x = torch::randn({r.batch, 3, side, side});
  LatencyMeasurement m;
  m.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  c10::InferenceMode guard;
  for (int i = 0; i < r.warmup; ++i) (void)net->forward(x).logits;
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(r.runs));
  for (int i = 0; i < r.runs; ++i) {
    const auto s = std::chrono::steady_clock::now();
    const auto y = net->forward(x).logits;
    (void)y.data_ptr<float>();  // CPU kernels are synchronous; touch the result anyway
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
  }
  std::sort(times.begin(), times.end());
  m.median_ms = quantile(times, 0.5);
  m.q1_ms = quantile(times, 0.25);
  m.q3_ms = quantile(times, 0.75);
  return m;
}

}  // namespace pelnas
