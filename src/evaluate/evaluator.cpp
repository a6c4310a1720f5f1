#include "evaluate/evaluator.h"

#include <unordered_set>

#include "common/error.h"
#include "hardware/space_cost.h"
#include <climits>
#include <fmt/format.h>

namespace pelnas {

TableAccuracy::TableAccuracy(std::shared_ptr<const BenchmarkData> data, Dataset dataset, AccuracyMetric metric)
    : data_(std::move(data)), dataset_(dataset), metric_(metric) {
  if (!data_->has_accuracy(dataset_, metric_))
    throw Error("the benchmark table has no '" + std::string(to_string(metric_)) + "' accuracy for " +
                std::string(to_string(dataset_)) + " (valid accuracy at 200 epochs exists for cifar10 only)");
}

std::string TableAccuracy::name() const { return "table:" + std::string(to_string(metric_)); }

std::optional<double> TableAccuracy::accuracy(int index, const Arch&) { return data_->accuracy(index, dataset_, metric_); }

std::vector<std::optional<double>> AccuracySource::accuracies(std::span<const int> indices, std::span<const Arch> archs) {
  if (indices.size() != archs.size())
    throw Error("AccuracySource::accuracies: " + std::to_string(indices.size()) + " indices for " +
                std::to_string(archs.size()) + " archs");
  std::vector<std::optional<double>> out;
  out.reserve(archs.size());
  for (std::size_t i = 0; i < archs.size(); ++i) out.push_back(accuracy(indices[i], archs[i]));
  return out;
}

std::vector<std::optional<double>> AccuracySource::code_accuracies(const SearchSpace& space, std::span<const ArchCode>) {
  throw Error(fmt::format("accuracy signal '{}' reads NB201's benchmark tables and cannot score the {} space; use "
                          "--evaluator 'CMD' (external, docs/EVALUATOR.md)",
                          name(), space.name()));
}

Evaluator::Evaluator(std::shared_ptr<const SearchSpace> space, std::shared_ptr<AccuracySource> accuracy,
                     std::shared_ptr<SpaceCost> cost, std::vector<std::shared_ptr<SpaceCost>> extra_costs)
    : accuracy_(std::move(accuracy)), space_(std::move(space)), space_cost_(std::move(cost)),
      extra_space_costs_(std::move(extra_costs)) {
  const auto n = space_->cardinality();
  domain_size_ = n && *n < static_cast<std::uint64_t>(INT_MAX) ? static_cast<int>(*n) : INT_MAX;
}

const BenchmarkData& Evaluator::data() const {
  if (!data_) throw Error("the " + space_->name() + " space has no NB201 benchmark table");
  return *data_;
}

Dataset Evaluator::dataset() const {
  if (!data_) throw Error("the " + space_->name() + " space has no NB201 dataset (its dataset is " + space_->dataset() + ")");
  return dataset_;
}

const CostSource& Evaluator::cost_source() const {
  if (!cost_) throw Error("the " + space_->name() + " space has no NB201 cost table (its cost is " + space_cost_->name() + ")");
  return *cost_;
}

std::string Evaluator::cost_name() const { return cost_ ? cost_->name() : space_cost_->name(); }
std::string Evaluator::cost_unit() const { return cost_ ? cost_->unit() : space_cost_->unit(); }

std::size_t Evaluator::extra_cost_count() const { return tabulated() ? extra_costs_.size() : extra_space_costs_.size(); }

std::vector<std::string> Evaluator::extra_cost_names() const {
  std::vector<std::string> out;
  for (const auto& c : extra_costs_) out.push_back(c->name());
  for (const auto& c : extra_space_costs_) out.push_back(c->name());
  return out;
}

std::vector<std::string> Evaluator::extra_cost_units() const {
  std::vector<std::string> out;
  for (const auto& c : extra_costs_) out.push_back(c->unit());
  for (const auto& c : extra_space_costs_) out.push_back(c->unit());
  return out;
}

Objectives Evaluator::evaluate(const ArchCode& code) {
  if (tabulated()) return evaluate(code.nb201());
  ++counts_.requests;
  if (auto it = code_memo_.find(code); it != code_memo_.end()) return it->second;
  prefetch(std::span<const ArchCode>(&code, 1));
  return code_memo_.at(code);
}

void Evaluator::prefetch(std::span<const ArchCode> codes) {
  if (tabulated()) {
    std::vector<Arch> archs;
    archs.reserve(codes.size());
    for (const ArchCode& c : codes) archs.push_back(c.nb201());
    prefetch(std::span<const Arch>(archs));
    return;
  }
  std::vector<ArchCode> todo;
  std::unordered_set<ArchCode> queued;
  for (const ArchCode& c : codes)
    if (!code_memo_.contains(c) && queued.insert(c).second) todo.push_back(c);
  if (todo.empty()) return;
  const auto acc = accuracy_->code_accuracies(*space_, todo);
  if (acc.size() != todo.size())
    throw Error("accuracy source " + accuracy_->name() + " returned " + std::to_string(acc.size()) + " accuracies for " +
                std::to_string(todo.size()) + " architectures");
  for (std::size_t i = 0; i < todo.size(); ++i) {
    Objectives o;
    o.accuracy = acc[i];
    o.cost = space_cost_->cost(todo[i]);
    o.extra_costs = extra_costs_of(todo[i]);
    ++counts_.unique;
    code_memo_.emplace(todo[i], o);
  }
  counts_.proxy_evaluations = accuracy_->paid_evaluations();
}

bool Evaluator::in_domain(const ArchCode& code) const {
  if (tabulated()) return in_domain(code.nb201());
  if (code.size() != space_->length() || !space_->legal(code.encoding()) || !space_cost_->cost(code)) return false;
  for (const auto& c : extra_space_costs_)
    if (!c->cost(code)) return false;
  return true;
}

std::optional<double> Evaluator::cost_of(const ArchCode& code) const {
  if (tabulated()) return cost_->cost(data_->index_of(code.nb201()));
  return space_cost_->cost(code);
}

std::vector<std::optional<double>> Evaluator::extra_costs_of(const ArchCode& code) const {
  if (tabulated()) return extra_costs(data_->index_of(code.nb201()));
  std::vector<std::optional<double>> out;
  out.reserve(extra_space_costs_.size());
  for (const auto& c : extra_space_costs_) out.push_back(c->cost(code));
  return out;
}

Evaluator::Evaluator(std::shared_ptr<const BenchmarkData> data, Dataset dataset, std::shared_ptr<AccuracySource> accuracy,
                     std::shared_ptr<CostSource> cost, std::vector<std::shared_ptr<CostSource>> extra_costs)
    : data_(std::move(data)), dataset_(dataset), accuracy_(std::move(accuracy)), cost_(std::move(cost)),
      extra_costs_(std::move(extra_costs)) {
  domain_size_ = cost_->coverage();
  space_ = make_search_space("nb201", std::string(to_string(dataset_)));
  if (!extra_costs_.empty()) {
    domain_size_ = 0;
    for (int i = 0; i < data_->size(); ++i) {
      bool all = cost_->covers(i);
      for (const auto& c : extra_costs_) all = all && c->cost(i).has_value();
      domain_size_ += all;
    }
  }
}

std::vector<std::optional<double>> Evaluator::extra_costs(int index) const {
  std::vector<std::optional<double>> out;
  out.reserve(extra_costs_.size());
  for (const auto& c : extra_costs_) out.push_back(c->cost(index));
  return out;
}

std::vector<Arch> Evaluator::domain_members() const {
  std::vector<Arch> out;
  if (!tabulated()) return out;
  out.reserve(static_cast<std::size_t>(domain_size_));
  for (int i = 0; i < data_->size(); ++i)
    if (in_domain(data_->arch(i))) out.push_back(data_->arch(i));  // every cost has a value
  return out;
}

Objectives Evaluator::evaluate(const Arch& arch) {
  ++counts_.requests;
  const int index = data_->index_of(arch);
  auto it = memo_.find(index);
  if (it != memo_.end()) return it->second;
  Objectives o;
  o.accuracy = accuracy_->accuracy(index, arch);  // first: a study's accuracy source waits for the told cost
  o.cost = cost_->cost(index);
  o.extra_costs = extra_costs(index);
  ++counts_.unique;
  counts_.proxy_evaluations = accuracy_->paid_evaluations();
  memo_.emplace(index, o);
  return o;
}

void Evaluator::prefetch(std::span<const Arch> archs) {
  std::vector<int> indices;
  std::vector<Arch> todo;
  std::unordered_set<int> queued;
  for (const Arch& a : archs) {
    const int index = data_->index_of(a);
    if (memo_.contains(index) || !queued.insert(index).second) continue;
    indices.push_back(index);
    todo.push_back(a);
  }
  if (todo.empty()) return;
  const auto acc = accuracy_->accuracies(indices, todo);
  if (acc.size() != todo.size())
    throw Error("accuracy source " + accuracy_->name() + " returned " + std::to_string(acc.size()) + " accuracies for " +
                std::to_string(todo.size()) + " archs");
  for (std::size_t i = 0; i < todo.size(); ++i) {
    Objectives o;
    o.cost = cost_->cost(indices[i]);
    o.extra_costs = extra_costs(indices[i]);
    o.accuracy = acc[i];
    ++counts_.unique;
    memo_.emplace(indices[i], o);
  }
  counts_.proxy_evaluations = accuracy_->paid_evaluations();
}

std::vector<Objectives> Evaluator::evaluate_many(std::span<const Arch> archs) {
  prefetch(archs);
  std::vector<Objectives> out;
  out.reserve(archs.size());
  for (const Arch& a : archs) out.push_back(evaluate(a));
  return out;
}

bool Evaluator::in_domain(const Arch& arch) const {
  const int index = data_->index_of(arch);
  if (!cost_->covers(index)) return false;  // a study's told cost covers cells with no value yet
  for (const auto& c : extra_costs_)
    if (!c->cost(index)) return false;
  return true;
}

Objectives Evaluator::true_objectives(const Arch& arch) const {
  const int index = data_->index_of(arch);
  return {data_->accuracy(index, dataset_, AccuracyMetric::Test), cost_->cost(index), extra_costs(index)};
}

}  // namespace pelnas
