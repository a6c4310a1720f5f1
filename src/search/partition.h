#pragma once
// Complexity-driven partitioning (PEL-NAS part 1): the space is split into disjoint niches by rules
// over an architecture (op counts, FLOPs, params, cost on the target device). A partition is a small
// table (see docs/PARTITION_FORMAT in partition.cpp's header comment and docs/RUN_DIRECTORY.md):
//
//   name,rule,constraint
//   conv3x3=0,nor_conv_3x3 == 0 && nor_conv_1x1 == 0,no nor_conv_3x3 and no nor_conv_1x1 edge
//
// `rule` is a conjunction (&&) of comparisons `FEATURE OP NUMBER` (OP one of == != < <= > >=), or `*`
// for every architecture. Features: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3
// (edge counts; aliases conv1x1, conv3x3, skip, avg_pool), flops (MFLOPs), params (M), cost (the
// target device's cost in its unit). `constraint` is optional free text for humans and prompts; when
// empty it is generated from the rule. Lines starting with '#' are comments.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "data/benchmark_data.h"
#include "hardware/cost_source.h"
#include "search/niche_partition.h"
#include "search/operator.h"

namespace pelnas {

enum class NicheFeature { CountNone, CountSkip, CountConv1x1, CountConv3x3, CountAvgPool, Flops, Params, Cost };
std::string_view to_string(NicheFeature f);
NicheFeature niche_feature_from_string(std::string_view s);  // lists the valid names on error

enum class Comparison { Eq, Ne, Lt, Le, Gt, Ge };
std::string_view to_string(Comparison c);

struct NicheCondition {
  NicheFeature feature;
  Comparison op;
  double value;
  bool holds(double x) const;
};

struct NicheRule {
  std::string name;
  std::vector<NicheCondition> conditions;  // empty = every architecture
  std::string constraint;                  // readable text (generated from the rule if not given)
  std::string rule_text() const;           // the rule in the table syntax
};

// What rules are evaluated against: op counts come from the arch; flops/params/cost from the data.
struct PartitionContext {
  std::shared_ptr<const BenchmarkData> data;
  Dataset dataset = Dataset::Cifar10;
  const CostSource* cost = nullptr;  // needed only when a rule uses `cost`
};

// How a partition covers the space (restricted to architectures with a cost when a cost source is
// given): niche sizes, and the architectures that fall in no niche or in more than one.
struct PartitionCoverage {
  std::vector<int> sizes;                  // per niche
  std::vector<double> cost_min, cost_max;  // per niche, over covered archs (NaN without a cost source)
  std::vector<int> uncovered;              // NB201 indices in no niche
  std::vector<std::pair<int, std::vector<int>>> overlapping;  // index -> niches it falls in
  int domain = 0;                          // architectures considered
  bool ok() const { return uncovered.empty() && overlapping.empty(); }
  // "12 architectures fall in no niche (e.g. |...|); 3 fall in two or more (e.g. |...| in 0 and 2)".
  std::string problem_summary(const BenchmarkData& data, const std::vector<NicheRule>& rules) const;
};

class Partition {
 public:
  // "paper" (the six-niche table of PAPER.md), "conv3x3" (conv3x3-count bins 0..4, >=5), "none"
  // (one niche, the whole space), or a path to a CSV table.
  static Partition load(const std::string& name_or_path);
  static Partition builtin(const std::string& name);  // throws listing the built-in names
  static std::vector<std::string> builtin_names();
  static Partition read_csv(const std::string& path);
  static Partition parse_csv(const std::string& text, const std::string& name_for_errors);
  static Partition whole_space();

  const std::string& name() const { return name_; }
  const std::vector<NicheRule>& rules() const { return rules_; }
  int size() const { return static_cast<int>(rules_.size()); }
  bool uses_cost() const;
  std::string to_csv() const;
  nlohmann::json to_json() const;  // {name, niches:[{name, rule, constraint}]}
  static Partition from_json(const nlohmann::json& j);

  bool matches(int niche, const Arch& arch, int index, const PartitionContext& ctx) const;
  PartitionCoverage coverage(const PartitionContext& ctx) const;

 private:
  std::string name_;
  std::vector<NicheRule> rules_;
};

}  // namespace pelnas
