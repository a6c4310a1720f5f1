#include <algorithm>

#include "common/error.h"
#include "hardware/builtin_cost_backends.h"
#include "hardware/cost_source.h"

namespace pelnas {

CostSourceRegistry& CostSourceRegistry::instance() {
  static CostSourceRegistry r = [] {
    CostSourceRegistry fresh;
    fresh.add(hwnasbench_cost_backend());
    fresh.add(help_cost_backend());
    fresh.add(complexity_cost_backend());
    fresh.add(host_cost_backend());
    return fresh;
  }();
  return r;
}

void CostSourceRegistry::add(CostBackend backend) {
  if (backend.name.empty() || !backend.make || !backend.devices)
    throw Error("cost back end registration needs a name, a device list and a factory");
  for (auto& b : backends_)
    if (b.name == backend.name) {
      b = std::move(backend);  // re-registering replaces (e.g. a test double)
      return;
    }
  backends_.push_back(std::move(backend));
}

std::unique_ptr<CostSource> CostSourceRegistry::make(std::shared_ptr<const BenchmarkData> data, Dataset dataset,
                                                     const CostSpec& spec) const {
  if (!data) throw Error("cost source: no benchmark data loaded");
  for (const auto& b : backends_)
    if (auto source = b.make(data, dataset, spec)) return source;
  std::string valid;
  for (const auto& b : backends_) {
    std::string names;
    for (const auto& d : b.devices(*data)) names += (names.empty() ? "" : ", ") + d;
    if (names.empty()) continue;
    valid += (valid.empty() ? "" : "; ") + b.name + ": " + names;
  }
  throw Error("unknown device '" + spec.device + "' (valid devices by back end: " + valid + ")");
}

std::unique_ptr<CostSource> make_cost_source(std::shared_ptr<const BenchmarkData> data, Dataset dataset,
                                             const CostSpec& spec) {
  return CostSourceRegistry::instance().make(std::move(data), dataset, spec);
}

}  // namespace pelnas
