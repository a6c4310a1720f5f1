#include "hardware/space_cost.h"

#include <fmt/format.h>

#include "common/error.h"

namespace pelnas {

FbnetLutCost::FbnetLutCost(std::shared_ptr<const FbnetLut> lut, FbnetDataset dataset, const std::string& device, HwMetric metric)
    : lut_(std::move(lut)), dataset_(dataset), metric_key_(fbnet_metric_key(device, metric)),
      unit_(metric == HwMetric::Latency ? "ms" : "mJ") {
  if (!lut_->has_metric(metric_key_))
    throw Error(fmt::format("{}: the FBNet LUT has no column '{}'", lut_->source(), metric_key_));
}

std::string FbnetLutCost::provenance() const {
  return fmt::format("HW-NAS-Bench FBNet LUT ({}), {} summed over the layers of the {} network", lut_->source(), metric_key_,
                     to_string(dataset_));
}

std::optional<double> FbnetLutCost::cost(const ArchCode& code) const {
  if (code.size() != kFbnetLayers) return std::nullopt;
  FbnetArch a;
  for (int p = 0; p < kFbnetLayers; ++p) {
    if (code[p] >= kFbnetNumBlocks) return std::nullopt;
    a.ops[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(code[p]);
  }
  return lut_->cost(a, dataset_, metric_key_);
}

std::vector<std::string> fbnet_devices() {
  std::vector<std::string> out;
  for (const auto& k : fbnet_metric_keys()) {
    const std::string device = k.substr(0, k.find('_'));
    if (out.empty() || out.back() != device) {
      bool known = false;
      for (const auto& d : out) known = known || d == device;
      if (!known) out.push_back(device);
    }
  }
  return out;
}

}  // namespace pelnas
