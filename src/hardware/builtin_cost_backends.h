#pragma once
// The built-in cost back ends, registered by CostSourceRegistry::instance() (a static library would
// drop self-registering object files, so the registry asks for them explicitly).
#include "hardware/cost_source.h"

namespace pelnas {

CostBackend hwnasbench_cost_backend();  // the 6 HW-NAS-Bench devices: latency / energy / arithmetic_intensity
CostBackend help_cost_backend();        // the extra HELP latency devices (cifar10 network only)
CostBackend complexity_cost_backend();
CostBackend host_cost_backend();        // "host": latency measured on this machine (src/host/, needs LibTorch)  // "flops" (MFLOPs) and "params" (M), per dataset

}  // namespace pelnas
