#pragma once
// Hardware cost of an architecture on one device for one dataset: the second objective.
// Back ends (HW-NAS-Bench tables, HELP latencies, FLOPs/params, later measured latency) register
// by name and are chosen at run time by device name.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/benchmark_data.h"

namespace pelnas {

class CostSource {
 public:
  virtual ~CostSource() = default;
  virtual std::string name() const = 0;        // e.g. "fpga_latency", "help:gold_6226_latency", "flops"
  virtual std::string unit() const = 0;        // "ms", "mJ", "MFLOPs", "M"
  virtual std::string provenance() const = 0;  // where the numbers come from, for reports
  // Cost by NB201 index; nullopt where the source has no value for that architecture.
  virtual std::optional<double> cost(int index) const = 0;
  // Whether the architecture belongs to the searchable domain. Tabulated sources: has a cost. A
  // source whose values arrive later (a study's told cost) covers architectures it has no value for yet.
  virtual bool covers(int index) const { return cost(index).has_value(); }
  // How many of the space's architectures have a value.
  virtual int coverage() const = 0;
  // Architectures that have a value but are deliberately left out of the searchable space
  // (degenerate cells, see hardware/searchable_space.h); coverage() + excluded() = all with a value.
  virtual int excluded() const { return 0; }
};

// What the user asks for: a device name ("fpga", "gold_6226", "flops", ...) and a metric.
struct CostSpec {
  std::string device = "fpga";
  HwMetric metric = HwMetric::Latency;
};

// A back end: given the data, the dataset and a spec, builds a source, or returns nullptr when it
// does not serve that device (so the next back end is asked).
struct CostBackend {
  std::string name;         // "hwnasbench", "help", "complexity", ...
  std::string description;  // one line for `pelnas data devices`
  std::function<std::vector<std::string>(const BenchmarkData&)> devices;  // device names it serves
  std::function<std::unique_ptr<CostSource>(std::shared_ptr<const BenchmarkData>, Dataset, const CostSpec&)> make;
};

class CostSourceRegistry {
 public:
  static CostSourceRegistry& instance();
  void add(CostBackend backend);
  const std::vector<CostBackend>& backends() const { return backends_; }
  // Throws pelnas::Error listing every valid device when no back end serves the spec, or naming the
  // dataset/metric when the device exists but has no such data.
  std::unique_ptr<CostSource> make(std::shared_ptr<const BenchmarkData> data, Dataset dataset,
                                   const CostSpec& spec) const;

 private:
  std::vector<CostBackend> backends_;
};

std::unique_ptr<CostSource> make_cost_source(std::shared_ptr<const BenchmarkData> data, Dataset dataset,
                                             const CostSpec& spec);

}  // namespace pelnas
