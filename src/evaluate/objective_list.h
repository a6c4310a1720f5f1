#pragma once
// The objectives of a search: maximise the accuracy signal and minimise one or more hardware cost
// metrics of the device, in the order the user lists them ("accuracy,latency,energy"). The first cost
// is the primary one (niche ranges, plots' x axis, `cost` columns); the others are "extra costs",
// carried alongside it through evaluation, archives, scoring and reports. Two objectives
// (accuracy plus one cost) is the paper's problem and the default.
#include <memory>
#include <string>
#include <vector>

#include "data/enums.h"
#include "hardware/cost_source.h"
#include "hardware/searchable_space.h"

namespace pelnas {

struct ObjectiveList {
  std::vector<HwMetric> costs{HwMetric::Latency};  // at least one, no repeats

  // "accuracy,latency,energy" (spaces allowed). Throws pelnas::Error naming `what` for an unknown
  // name (listing the valid ones), a repeat, a list without accuracy first, or without a cost.
  static ObjectiveList parse(const std::string& text, const std::string& what);
  static ObjectiveList from_names(const std::vector<std::string>& names, const std::string& what);
  std::vector<std::string> names() const;  // "accuracy", then the cost metrics
  std::string str() const;                 // names() joined by commas
  std::size_t size() const { return 1 + costs.size(); }
  bool operator==(const ObjectiveList&) const = default;
};

// The objective names a search accepts, comma-separated ("accuracy, latency, energy").
std::string valid_objective_names();

// The searchable cost sources of every cost objective on `device` (same order as objectives.costs).
// A device without one of the metrics is an error naming the metrics it has.
std::vector<std::shared_ptr<CostSource>> make_objective_costs(std::shared_ptr<const BenchmarkData> data,
                                                              Dataset dataset, const std::string& device,
                                                              const ObjectiveList& objectives, SpaceOptions space = {});

}  // namespace pelnas
