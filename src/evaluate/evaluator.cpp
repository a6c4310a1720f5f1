#include "evaluate/evaluator.h"

#include "common/error.h"

namespace pelnas {

TableAccuracy::TableAccuracy(std::shared_ptr<const BenchmarkData> data, Dataset dataset, AccuracyMetric metric)
    : data_(std::move(data)), dataset_(dataset), metric_(metric) {
  if (!data_->has_accuracy(dataset_, metric_))
    throw Error("the benchmark table has no '" + std::string(to_string(metric_)) + "' accuracy for " +
                std::string(to_string(dataset_)) + " (valid accuracy at 200 epochs exists for cifar10 only)");
}

std::string TableAccuracy::name() const { return "table:" + std::string(to_string(metric_)); }

std::optional<double> TableAccuracy::accuracy(int index, const Arch&) { return data_->accuracy(index, dataset_, metric_); }

Evaluator::Evaluator(std::shared_ptr<const BenchmarkData> data, Dataset dataset, std::shared_ptr<AccuracySource> accuracy,
                     std::shared_ptr<CostSource> cost)
    : data_(std::move(data)), dataset_(dataset), accuracy_(std::move(accuracy)), cost_(std::move(cost)) {
  domain_size_ = cost_->coverage();
}

Objectives Evaluator::evaluate(const Arch& arch) {
  ++counts_.requests;
  const int index = data_->index_of(arch);
  auto it = memo_.find(index);
  if (it != memo_.end()) return it->second;
  Objectives o;
  o.cost = cost_->cost(index);
  o.accuracy = accuracy_->accuracy(index, arch);
  ++counts_.unique;
  counts_.proxy_evaluations = accuracy_->paid_evaluations();
  memo_.emplace(index, o);
  return o;
}

bool Evaluator::in_domain(const Arch& arch) const { return cost_->cost(data_->index_of(arch)).has_value(); }

Objectives Evaluator::true_objectives(const Arch& arch) const {
  const int index = data_->index_of(arch);
  return {data_->accuracy(index, dataset_, AccuracyMetric::Test), cost_->cost(index)};
}

}  // namespace pelnas
