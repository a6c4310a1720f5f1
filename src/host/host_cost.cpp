// The `host` device: batch-1 inference latency (ms) of the NB201 network measured with LibTorch on
// the machine pelnas runs on, read from the host latency cache (host/host_latency_cache.h), which
// `pelnas data measure-host` fills. Values exist only for the measured cells: like a partially
// covered HW-NAS-Bench device, a search, its true front, HV and IGD then cover those cells only,
// and the log says how many are missing and how to measure them. (Measuring on demand during a
// search would not help: the true front that scores every generation needs every cell.)
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/error.h"
#include "hardware/builtin_cost_backends.h"
#include "host/host_latency_cache.h"
#include "predictor/torch_plugin.h"

namespace pelnas {

namespace {

class HostCostSource : public CostSource {
 public:
  HostCostSource(std::vector<std::optional<HostLatencyRecord>> records, std::string provenance)
      : records_(std::move(records)), provenance_(std::move(provenance)) {
    for (const auto& r : records_) coverage_ += r.has_value();
  }
  std::string name() const override { return "host_latency"; }
  std::string unit() const override { return "ms"; }
  std::string provenance() const override { return provenance_; }
  std::optional<double> cost(int index) const override {
    if (index < 0 || index >= kNumArchs) throw Error("host latency: index " + std::to_string(index) + " outside [0, 15624]");
    const auto& r = records_[static_cast<std::size_t>(index)];
    return r ? std::optional<double>(r->median_ms) : std::nullopt;
  }
  int coverage() const override { return coverage_; }

 private:
  std::vector<std::optional<HostLatencyRecord>> records_;
  std::string provenance_;
  int coverage_ = 0;
};

std::unique_ptr<CostSource> make_host(std::shared_ptr<const BenchmarkData> data, Dataset dataset, const CostSpec& spec) {
  if (spec.device != kHostDevice) return nullptr;
  if (spec.metric != HwMetric::Latency)
    throw Error("device 'host' measures latency only; metric " + std::string(to_string(spec.metric)) + " does not apply");
  const HostLatencyKey key = host_latency_key(dataset, HostMeasurementDefaults{}.threads, HostMeasurementDefaults{}.batch);
  HostLatencyCache cache(default_host_latency_cache_path());
  auto records = cache.load_all(key);
  int measured = 0;
  for (const auto& r : records) measured += r.has_value();
  const std::string ds(to_string(dataset));
  if (measured == 0) {
    std::string others;
    for (const auto& f : cache.fingerprints(dataset)) others += (others.empty() ? "" : " | ") + f;
    throw Error(fmt::format("device 'host': no latency measured on this machine yet for {} (threads {}, batch {}, machine {}) in "
                            "{}; measure with: pelnas data measure-host --dataset {} --all (15,625 cells), or --sample 500 "
                            "--seed 0 for a part{}",
                            ds, key.threads, key.batch, key.fingerprint, cache.path(), ds,
                            others.empty() ? "" : "; the cache has values of other machines: " + others));
  }
  if (measured < data->size())
    spdlog::warn("device 'host': {} of {} cells measured on this machine for {}: searches, true fronts, HV and IGD cover "
                 "those only; measure the other {} with: pelnas data measure-host --dataset {} --all",
                 measured, data->size(), ds, data->size() - measured, ds);
  int runs = 0, warmup = 0;
  for (const auto& r : records)
    if (r) runs = r->runs, warmup = r->warmup;
  return std::make_unique<HostCostSource>(
      std::move(records),
      fmt::format("batch-{} inference latency of the {} network measured on this machine with LibTorch, {} thread(s), {}, "
                  "median of {} timed runs after {} warm-up, runs interleaved across cells ({}); {} of {} cells measured; cache {}",
                  key.batch, ds, key.threads, key.threads == 1 ? "thread CPU time" : "wall time", runs, warmup,
                  key.fingerprint, measured, kNumArchs, cache.path()));
}

}  // namespace

HostLatencyKey host_latency_key(Dataset dataset, int threads, int batch) {
  const TorchPluginApi* api = nullptr;
  try {
    api = &load_torch_plugin();
  } catch (const Error& e) {
    throw Error(std::string("device 'host' measures inference latency on this machine with LibTorch, which this pelnas "
                            "cannot load: ") + e.what());
  }
  return {dataset, threads, batch, MachineFingerprint::current(api->torch_version()).key()};
}

CostBackend host_cost_backend() {
  CostBackend b;
  b.name = "host";
  b.description = "host: batch-1 latency (ms) measured on this machine with LibTorch (`pelnas data measure-host`)";
  b.devices = [](const BenchmarkData&) { return std::vector<std::string>{kHostDevice}; };
  b.make = make_host;
  return b;
}

}  // namespace pelnas
