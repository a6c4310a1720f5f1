// The plugin's entry point: what libpelnas_torch.so hands to the torch-free core when it is opened
// (see predictor/torch_plugin.h). Also linked into the static back end, where nothing calls it.
#include "predictor/latency.h"
#include "predictor/nb201_network.h"
#include "predictor/proxy_computer.h"
#include "predictor/torch_plugin.h"

extern "C" __attribute__((visibility("default"))) const pelnas::TorchPluginApi* pelnas_torch_plugin() {
  static const pelnas::TorchPluginApi api{pelnas::kTorchPluginAbi, &pelnas::register_torch_proxy_backend,
                                          &pelnas::nb201_torch_param_count, &pelnas::torch_version_string,
                                          &pelnas::measure_nb201_latency};
  return &api;
}
