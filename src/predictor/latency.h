#pragma once
// Batch inference latency of an NB201 network measured with LibTorch on this machine's CPU (the
// `host` device, host/host_cost.h). Defined in latency_torch.cpp (torch back end only); the core
// reaches it through the plugin (TorchPluginApi::measure_latency).
#include <span>
#include <vector>

#include "predictor/torch_plugin.h"

namespace pelnas {

// Builds the network (eval mode, fixed-seed weights and input), sets `threads` torch threads,
// runs `warmup` untimed and `runs` timed forward passes under inference mode, and returns the
// median and quartiles (thread CPU time with 1 thread, wall time with more: LatencyRequest). Throws pelnas::Error for a request out of range.
LatencyMeasurement measure_nb201_latency(const Arch& arch, Dataset dataset, const LatencyRequest& request);
// Several networks measured together, their runs interleaved (run i of each, then run i + 1), so
// that a burst of interference on a shared machine touches few runs of any one cell.
std::vector<LatencyMeasurement> measure_nb201_latencies(std::span<const Arch> archs, Dataset dataset,
                                                        const LatencyRequest& request);
const char* torch_version_string();

}  // namespace pelnas
