// The plugin's entry point: what libpelnas_torch.so hands to the torch-free core when it is opened
// (see predictor/torch_plugin.h). Also linked into the static back end, where nothing calls it.
#include "predictor/latency.h"
#include "predictor/nb201_network.h"
#include "predictor/proxy_computer.h"
#include "predictor/torch_plugin.h"

namespace {
void measure_latencies(const pelnas::Arch* archs, int n, pelnas::Dataset d, const pelnas::LatencyRequest& r,
                       pelnas::LatencyMeasurement* out) {
  const auto m = pelnas::measure_nb201_latencies(std::span<const pelnas::Arch>(archs, static_cast<std::size_t>(n)), d, r);
  std::copy(m.begin(), m.end(), out);
}
}  // namespace

extern "C" __attribute__((visibility("default"))) const pelnas::TorchPluginApi* pelnas_torch_plugin() {
  static const pelnas::TorchPluginApi api{pelnas::kTorchPluginAbi, &pelnas::register_torch_proxy_backend,
                                          &pelnas::nb201_torch_param_count, &pelnas::torch_version_string,
                                          &measure_latencies};
  return &api;
}
