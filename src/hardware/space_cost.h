#pragma once
// The device cost of an architecture of a space that has no benchmark table indexed like NB201
// (FBNet: a per-layer LUT summed over the network), keyed by its ArchCode. NB201's costs stay
// CostSources (by NB201 index); an Evaluator built for a space takes one of these instead.
#include <memory>
#include <optional>
#include <string>

#include "data/enums.h"
#include "hardware/fbnet_lut.h"
#include "space/arch_code.h"
#include "space/fbnet_space.h"

namespace pelnas {

class SpaceCost {
 public:
  virtual ~SpaceCost() = default;
  virtual std::string name() const = 0;        // e.g. "pixel3_latency"
  virtual std::string unit() const = 0;        // "ms", "mJ"
  virtual std::string provenance() const = 0;  // where the numbers come from, for reports
  // nullopt when the architecture has no cost (not one of the space's, or a missing LUT entry is
  // an error instead: see the implementation).
  virtual std::optional<double> cost(const ArchCode& code) const = 0;
};

// HW-NAS-Bench's FBNet cost: the sum of the LUT entries of the network's layers for one (device,
// metric). Built once per run; a missing LUT entry throws naming the key (fbnet_lut.h).
class FbnetLutCost final : public SpaceCost {
 public:
  // Throws pelnas::Error listing the devices (and the metrics a device has) when the LUT has no
  // such (device, metric).
  FbnetLutCost(std::shared_ptr<const FbnetLut> lut, FbnetDataset dataset, const std::string& device, HwMetric metric);
  std::string name() const override { return metric_key_; }
  std::string unit() const override { return unit_; }
  std::string provenance() const override;
  std::optional<double> cost(const ArchCode& code) const override;

 private:
  std::shared_ptr<const FbnetLut> lut_;
  FbnetDataset dataset_;
  std::string metric_key_, unit_;
};

// The FBNet devices (HW-NAS-Bench's names) and the metrics each has.
std::vector<std::string> fbnet_devices();

}  // namespace pelnas
