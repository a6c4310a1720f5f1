// Complexity back end: FLOPs (MFLOPs, NB201 counting) and parameters (millions) per dataset, as
// device-independent cost proxies. They have one value per architecture, so the metric does not
// apply; only the default (latency) is accepted so a stray --metric energy is not silently ignored.
#include "common/error.h"
#include "hardware/builtin_cost_backends.h"

namespace pelnas {

namespace {

class ComplexityCostSource : public CostSource {
 public:
  ComplexityCostSource(std::shared_ptr<const BenchmarkData> data, Dataset dataset, bool flops)
      : data_(std::move(data)), dataset_(dataset), flops_(flops) {}
  std::string name() const override { return flops_ ? "flops" : "params"; }
  std::string unit() const override { return flops_ ? "MFLOPs" : "M"; }
  std::string provenance() const override {
    return std::string(flops_ ? "FLOPs (conv k^2*Cin*Cout*Hout*Wout + linear; NB201 counting)"
                              : "parameters (conv weights + BN affine + classifier)") +
           " of the " + std::string(to_string(dataset_)) + " network, computed; from " + BenchmarkData::kMainTable;
  }
  std::optional<double> cost(int index) const override {
    data_->arch(index);  // range check with a clear error
    return flops_ ? data_->flops(index, dataset_) : data_->params(index, dataset_);
  }
  int coverage() const override { return data_->size(); }  // the reader rejects a table with a missing value

 private:
  std::shared_ptr<const BenchmarkData> data_;
  Dataset dataset_;
  bool flops_;
};

std::unique_ptr<CostSource> make_complexity(std::shared_ptr<const BenchmarkData> data, Dataset dataset,
                                            const CostSpec& spec) {
  if (spec.device != "flops" && spec.device != "params") return nullptr;
  if (spec.metric != HwMetric::Latency)
    throw Error("device '" + spec.device + "' is a complexity measure with one value per architecture; metric " +
                std::string(to_string(spec.metric)) + " does not apply (leave --metric at its default)");
  return std::make_unique<ComplexityCostSource>(std::move(data), dataset, spec.device == "flops");
}

}  // namespace

CostBackend complexity_cost_backend() {
  CostBackend b;
  b.name = "complexity";
  b.description = "model complexity per dataset: flops (MFLOPs), params (M)";
  b.devices = [](const BenchmarkData&) { return std::vector<std::string>{"flops", "params"}; };
  b.make = make_complexity;
  return b;
}

}  // namespace pelnas
