// HELP back end: the extra latency devices of nb201_help_latency.csv (Lee et al., NeurIPS 2021).
// The columns HELP shares with HW-NAS-Bench (eyeriss, fpga, pixel3, raspi4) are served by the
// hwnasbench back end, so only the other devices are listed here.
#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "hardware/builtin_cost_backends.h"
#include "hardware/column_cost_source.h"

namespace pelnas {

namespace {

constexpr const char* kPrefix = "help:";

std::vector<std::string> extra_help_devices(const BenchmarkData& data) {
  std::vector<std::string> names;
  for (const auto& d : data.help_devices())
    if (!is_hwnasbench_device(d)) names.push_back(d);
  return names;
}

std::unique_ptr<CostSource> make_help(std::shared_ptr<const BenchmarkData> data, Dataset dataset, const CostSpec& spec) {
  std::string device = spec.device;
  if (device.rfind(kPrefix, 0) == 0) device = device.substr(std::string(kPrefix).size());
  const auto names = extra_help_devices(*data);
  if (std::find(names.begin(), names.end(), device) == names.end()) return nullptr;
  if (spec.metric != HwMetric::Latency)
    throw Error("HELP device '" + device + "' has latency only, not " + std::string(to_string(spec.metric)));
  if (dataset != Dataset::Cifar10)
    throw Error("HELP device '" + device + "' has latencies of the cifar10 network only, not " +
                std::string(to_string(dataset)));
  const std::string file = std::filesystem::path(BenchmarkData::kHelpTable).filename().string();
  return std::make_unique<ColumnCostSource>(
      data, data->help_column(device), std::string(kPrefix) + device + "_latency", "ms",
      "HELP (Lee et al. 2021); measurement setup not stated upstream; values as stored in HELP, from " + file);
}

}  // namespace

CostBackend help_cost_backend() {
  CostBackend b;
  b.name = "help";
  b.description = "extra HELP latency devices (Lee et al. 2021), ms, cifar10 network; setup not stated upstream";
  b.devices = extra_help_devices;
  b.make = make_help;
  return b;
}

}  // namespace pelnas
