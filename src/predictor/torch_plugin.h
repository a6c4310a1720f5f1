#pragma once
// The LibTorch back end is a plugin (libpelnas_torch.so) opened with dlopen the first time proxies
// are needed, so commands that compute none (--version, front, search with table accuracy, report,
// ...) never load LibTorch's ~280 shared libraries. Search order for the plugin:
//   1. $PELNAS_TORCH_PLUGIN (a file path; nothing else is tried when it is set),
//   2. next to the running executable (the build tree: build/pelnas + build/libpelnas_torch.so),
//   3. <executable dir>/../lib/pelnas/ (and lib64/, <libdir>/pelnas/: `cmake --install` puts it there),
//   4. the build tree this binary was configured in (compiled-in path).
#include <cstdint>
#include <string>
#include <vector>

#include "data/enums.h"
#include "space/arch.h"

namespace pelnas {

// Batch inference latency of one NB201 network on this machine's CPU (predictor/latency_torch.cpp).
struct LatencyRequest {
  // torch intra-op threads, set for the measurement. 1: the time is the calling thread's CPU time
  // (the forward pass runs on it alone; time spent preempted by other processes is not counted);
  // more: wall-clock time.
  int threads = 1;
  int batch = 1;
  int warmup = 5;   // untimed forward passes first
  int runs = 21;    // timed forward passes
};
struct LatencyMeasurement {  // milliseconds
  double median_ms = 0, q1_ms = 0, q3_ms = 0;  // over the timed runs
  double build_ms = 0;                          // building the network (not part of the latency)
};

// What the plugin hands back (pelnas_torch_plugin() in predictor/torch_plugin_entry_torch.cpp).
struct TorchPluginApi {
  int abi_version;                                            // kTorchPluginAbi of the plugin's build
  void (*register_backend)();                                 // installs the proxy computer factory
  std::int64_t (*param_count)(const Arch& arch, Dataset d);   // nb201_torch_param_count
  const char* (*torch_version)();                             // LibTorch's version string
  // Measures n networks with their runs interleaved (predictor/latency.h), results into out[0..n).
  void (*measure_latencies)(const Arch* archs, int n, Dataset d, const LatencyRequest& request, LatencyMeasurement* out);
};
inline constexpr int kTorchPluginAbi = 2;
inline constexpr const char* kTorchPluginEntry = "pelnas_torch_plugin";

// The candidates in search order (for messages and tests).
std::vector<std::string> torch_plugin_candidates();
// Loads the plugin once (thread-safe) and installs its proxy back end. Returns the API, or throws
// pelnas::Error naming every path tried and why each failed.
const TorchPluginApi& load_torch_plugin();
// Whether the plugin has been loaded in this process (tests: a command must not load it).
bool torch_plugin_loaded();

// Sets OMP_WAIT_POLICY=passive unless the user chose a policy, before OpenMP (under LibTorch or
// XGBoost) is loaded: its default lets idle workers spin, which made proxy computation 2-5x slower
// on a 2-core machine whenever anything else ran. OpenMP reads the variable once, when it loads.
void prefer_passive_openmp();

}  // namespace pelnas
