#pragma once
// What a search may know of an architecture: an accuracy (from a table or a predictor) and a
// hardware cost. The Evaluator memoises, counts what it paid for, and never invents values.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/benchmark_data.h"
#include "hardware/cost_source.h"
#include "space/arch_code.h"
#include "space/search_space.h"

namespace pelnas {

// The accuracy a search sees, in percent.
class AccuracySource {
 public:
  virtual ~AccuracySource() = default;
  virtual std::string name() const = 0;  // "table:test", "table:test12", "predictor", ...
  virtual std::optional<double> accuracy(int index, const Arch& arch) = 0;
  // Batch form: the accuracies of many archs at once (indices[i] is the NB201 index of archs[i]).
  // The default asks one by one; a source with costly per-arch work (the predictor's proxies)
  // overrides it so the whole batch is computed together (and can be spread over processes).
  // Must return what accuracy() would return for each arch, whatever the batch.
  virtual std::vector<std::optional<double>> accuracies(std::span<const int> indices, std::span<const Arch> archs);
  // Space-generic form: the accuracies of architectures of `space` by their codes, in order, for
  // an Evaluator built for a space without NB201's tables (FBNet). Sources that can score such a
  // space override it (the external evaluator); the default refuses, naming the signal and space.
  virtual std::vector<std::optional<double>> code_accuracies(const SearchSpace& space, std::span<const ArchCode> codes);
  // Expensive computations this source performed (e.g. proxy evaluations); 0 for tables.
  virtual std::int64_t paid_evaluations() const { return 0; }
};

// Reads the accuracy from the benchmark table (the true value for metric Test: an oracle).
class TableAccuracy : public AccuracySource {
 public:
  TableAccuracy(std::shared_ptr<const BenchmarkData> data, Dataset dataset, AccuracyMetric metric);
  std::string name() const override;
  std::optional<double> accuracy(int index, const Arch& arch) override;

 private:
  std::shared_ptr<const BenchmarkData> data_;
  Dataset dataset_;
  AccuracyMetric metric_;
};

struct Objectives {
  std::optional<double> accuracy;  // percent, higher is better
  std::optional<double> cost;      // the cost source's unit, lower is better
  // The extra cost objectives (3 or more objectives), in the evaluator's order; lower is better.
  std::vector<std::optional<double>> extra_costs;
  bool complete() const {
    for (const auto& c : extra_costs)
      if (!c) return false;
    return accuracy.has_value() && cost.has_value();
  }
};

struct EvaluationCounts {
  std::int64_t requests = 0;           // evaluate() calls
  std::int64_t unique = 0;             // distinct architectures evaluated
  std::int64_t proxy_evaluations = 0;  // paid by the accuracy source
};

class SpaceCost;

class Evaluator {
 public:
  // `extra_costs`: further cost objectives after `cost` (empty: the two-objective problem). The
  // domain is then the architectures with a value in every cost source.
  Evaluator(std::shared_ptr<const BenchmarkData> data, Dataset dataset, std::shared_ptr<AccuracySource> accuracy,
            std::shared_ptr<CostSource> cost, std::vector<std::shared_ptr<CostSource>> extra_costs = {});

  // A space without NB201's tables (FBNet): accuracies from accuracy->code_accuracies(), the cost
  // from `cost`, further cost objectives from `extra_costs` (3+ objectives). The domain is the whole
  // space (domain_size() saturates at INT_MAX), there is no true front, and data() / cost_source() /
  // dataset() throw.
  Evaluator(std::shared_ptr<const SearchSpace> space, std::shared_ptr<AccuracySource> accuracy, std::shared_ptr<SpaceCost> cost,
            std::vector<std::shared_ptr<SpaceCost>> extra_costs = {});
  // Whether the architectures come from NB201's tables (the Arch / index interface below).
  bool tabulated() const { return data_ != nullptr; }

  // Any space, by code (NB201: the same as the Arch forms below).
  Objectives evaluate(const ArchCode& code);
  void prefetch(std::span<const ArchCode> codes);
  bool in_domain(const ArchCode& code) const;
  std::optional<double> cost_of(const ArchCode& code) const;
  std::vector<std::optional<double>> extra_costs_of(const ArchCode& code) const;
  std::string cost_name() const;  // e.g. "fpga_latency", "pixel3_latency"
  std::string cost_unit() const;
  // The cost objectives after the first, tabulated or not (empty: two objectives), in order.
  std::size_t extra_cost_count() const;
  std::vector<std::string> extra_cost_names() const;  // e.g. "fpga_energy"
  std::vector<std::string> extra_cost_units() const;  // e.g. "mJ"

  Objectives evaluate(const Arch& arch);
  // Batch form of evaluate(): the archs not memoised yet go to the accuracy source as one batch.
  // Returns exactly what evaluate() called on each in order would return, and counts the same.
  std::vector<Objectives> evaluate_many(std::span<const Arch> archs);
  // Computes and memoises the objectives of the archs not memoised yet as one batch without
  // counting requests: a later evaluate() of one of them is then free. Searches call it with the
  // archs they are about to evaluate one by one, which keeps their logic (and results) unchanged.
  void prefetch(std::span<const Arch> archs);
  // Whether the cost source has a value for this architecture (searches on partially covered
  // devices only consider these).
  bool in_domain(const Arch& arch) const;
  // The space the architectures come from (NB201 for the benchmark's dataset) and, when the
  // domain can be listed, every architecture of it in a fixed order (NB201 index order).
  const SearchSpace& space() const { return *space_; }
  std::vector<Arch> domain_members() const;
  int domain_size() const { return domain_size_; }
  // The ground truth used to score a found set: true 200-epoch test accuracy and the cost.
  Objectives true_objectives(const Arch& arch) const;

  const EvaluationCounts& counts() const { return counts_; }
  const BenchmarkData& data() const;
  std::shared_ptr<const BenchmarkData> data_ptr() const { return data_; }
  Dataset dataset() const;
  const AccuracySource& accuracy_source() const { return *accuracy_; }
  const CostSource& cost_source() const;
  const std::vector<std::shared_ptr<CostSource>>& extra_cost_sources() const { return extra_costs_; }
  // The extra costs of an NB201 index (nullopt where a source has no value); empty for two objectives.
  std::vector<std::optional<double>> extra_costs(int index) const;

 private:
  std::shared_ptr<const BenchmarkData> data_;
  Dataset dataset_;
  std::shared_ptr<AccuracySource> accuracy_;
  std::shared_ptr<CostSource> cost_;
  std::shared_ptr<const SearchSpace> space_;
  std::vector<std::shared_ptr<CostSource>> extra_costs_;
  std::unordered_map<int, Objectives> memo_;
  std::shared_ptr<SpaceCost> space_cost_;                    // untabulated spaces only
  std::vector<std::shared_ptr<SpaceCost>> extra_space_costs_;  // untabulated spaces only
  std::unordered_map<ArchCode, Objectives> code_memo_;       // untabulated spaces only
  EvaluationCounts counts_;
  int domain_size_ = 0;
};

}  // namespace pelnas
