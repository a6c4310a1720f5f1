// HW-NAS-Bench back end: the six devices of Li et al. (ICLR 2021), per (dataset, device, metric).
// cifar10 comes from nb201_hw.csv; cifar100 / ImageNet16-120 only from an imported official pickle.
#include <filesystem>

#include "common/error.h"
#include "hardware/builtin_cost_backends.h"
#include "hardware/column_cost_source.h"

namespace pelnas {

namespace {

std::string metrics_of(Device dev) {
  std::string s;
  for (HwMetric m : kAllHwMetrics)
    if (hwnasbench_has(dev, m)) s += (s.empty() ? "" : ", ") + std::string(to_string(m));
  return s;
}

std::unique_ptr<CostSource> make_hwnasbench(std::shared_ptr<const BenchmarkData> data, Dataset dataset,
                                            const CostSpec& spec) {
  if (!is_hwnasbench_device(spec.device)) return nullptr;
  const Device dev = device_from_string(spec.device);
  const std::string key = hwnasbench_key(dev, spec.metric);
  if (!hwnasbench_has(dev, spec.metric))
    throw Error("HW-NAS-Bench has no " + std::string(to_string(spec.metric)) + " for device '" + spec.device +
                "' (it has: " + metrics_of(dev) + ")");
  const std::vector<double>* column = data->hw_column(dataset, dev, spec.metric);
  int count = 0;
  if (column)
    for (double v : *column) count += !std::isnan(v);
  if (!column || count == 0) {
    std::string msg = "no HW-NAS-Bench " + key + " values for dataset " + std::string(to_string(dataset)) +
                      " in data directory '" + data->dir() + "'";
    if (dataset != Dataset::Cifar10)
      msg += ": the shipped tables hold only the cifar10 network; cifar100 and ImageNet16-120 need the official "
             "HW-NAS-Bench file, imported with `pelnas data import-hwnasbench HW-NAS-Bench-v1_0.pickle --out DIR` "
             "(writes " + std::string(BenchmarkData::kImportedHwTable) + ")";
    throw Error(msg);
  }
  const std::string file = std::filesystem::path(data->hw_source(dataset, dev, spec.metric)).filename().string();
  std::string provenance = "HW-NAS-Bench (Li et al. 2021), " + std::string(to_string(dataset)) + " network, batch 1, " +
                           key + " from " + file;
  if (count < data->size())
    provenance += " (" + std::to_string(count) + " of " + std::to_string(data->size()) + " architectures have a value)";
  return std::make_unique<ColumnCostSource>(std::move(data), column, key, std::string(unit(spec.metric)), provenance);
}

}  // namespace

CostBackend hwnasbench_cost_backend() {
  CostBackend b;
  b.name = "hwnasbench";
  b.description = "HW-NAS-Bench devices (Li et al. 2021): latency ms, energy mJ, arithmetic_intensity ops/byte";
  b.devices = [](const BenchmarkData&) {
    std::vector<std::string> names;
    for (Device d : kAllDevices) names.emplace_back(to_string(d));
    return names;
  };
  b.make = make_hwnasbench;
  return b;
}

}  // namespace pelnas
