#include "metrics/true_front.h"

#include <gtest/gtest.h>

#include <map>

#include "common/csv.h"
#include "test_support.h"

namespace pelnas {
namespace {

struct Expected {
  std::vector<int> indices;
  std::vector<double> accuracy, cost;
  int n_candidates = 0;
};

// The reference fronts shipped with the data, keyed by (dataset, cost_metric).
std::map<std::pair<std::string, std::string>, Expected> read_fronts(const std::string& file) {
  const auto t = CsvTable::read(test::data_dir() + "/" + file);
  std::map<std::pair<std::string, std::string>, Expected> out;
  const auto ds = t.column("dataset"), cm = t.column("cost_metric"), idx = t.column("index"),
             rank = t.column("rank"), acc = t.column("accuracy"), cost = t.column("cost"), nc = t.column("n_candidates");
  for (std::size_t r = 0; r < t.rows(); ++r) {
    auto& e = out[{std::string(t.cell(r, ds)), std::string(t.cell(r, cm))}];
    EXPECT_EQ(t.integer(r, rank), static_cast<long long>(e.indices.size())) << "ranks are consecutive in " << file;
    e.indices.push_back(static_cast<int>(t.integer(r, idx)));
    e.accuracy.push_back(t.number(r, acc));
    e.cost.push_back(t.number(r, cost));
    e.n_candidates = static_cast<int>(t.integer(r, nc));
  }
  return out;
}

CostSpec spec_for(const std::string& cost_metric) {
  if (cost_metric == "flops" || cost_metric == "params") return {cost_metric, HwMetric::Latency};
  const auto us = cost_metric.find('_');
  return {cost_metric.substr(0, us), hw_metric_from_string(cost_metric.substr(us + 1))};
}

void check_file(const std::string& file, bool complete, std::size_t expected_combinations) {
  const auto fronts = read_fronts(file);
  ASSERT_EQ(fronts.size(), expected_combinations);
  for (const auto& [key, expected] : fronts) {
    SCOPED_TRACE(file + ": " + key.first + " / " + key.second);
    const Dataset d = dataset_from_string(key.first);
    const auto cost = make_cost_source(test::data(), d, spec_for(key.second));
    const TrueFront front = compute_true_front(*test::data(), d, *cost);
    EXPECT_EQ(front.complete, complete);
    EXPECT_EQ(front.n_candidates, expected.n_candidates);
    std::vector<int> got;
    for (const auto& e : front.entries) got.push_back(e.index);
    ASSERT_EQ(got, expected.indices);  // same architectures, same order (ties by index)
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(front.entries[i].rank, static_cast<int>(i));
      EXPECT_EQ(front.entries[i].accuracy, expected.accuracy[i]);  // unrounded values, bit for bit
      EXPECT_EQ(front.entries[i].cost, expected.cost[i]);
    }
  }
}

TEST(TrueFront, EqualsShippedFrontsForEveryCompleteCombination) {
  check_file("nb201_pareto_fronts.csv", true, 11);
}

TEST(TrueFront, EqualsShippedSubsetFrontsOverCoveredArchitectures) {
  check_file("nb201_pareto_fronts_subset.csv", false, 4);
}

TEST(TrueFront, RoundSignificant) {
  EXPECT_EQ(round_significant(15.143519999999999), round_significant(15.14352));
  EXPECT_EQ(round_significant(94.37333333333333), 94.37333333);
  EXPECT_EQ(round_significant(0.0032771234567891), 0.003277123457);
  EXPECT_EQ(round_significant(9.99999999996), 10.0);
  EXPECT_EQ(round_significant(-2.5), -2.5);
  // 1.0671321725 is stored as slightly more than ...725, so it rounds up like printf("%.10g") does;
  // the 1-ulp-smaller neighbour rounds down (this decides the eyeriss_energy front).
  EXPECT_EQ(round_significant(1.0671321725), 1.067132173);
  EXPECT_EQ(round_significant(1.0671321724999998), 1.067132172);
  EXPECT_EQ(round_significant(0.125, 2), 0.12);  // an exact binary tie goes to even
  EXPECT_EQ(round_significant(0.375, 2), 0.38);
  EXPECT_EQ(round_significant(0.0), 0.0);
}

TEST(TrueFront, NoCandidateIsDominated) {
  // Property check on one front, independent of the shipped files: every listed point is not
  // dominated by any candidate (exact comparison; the data has no 1-ulp noise for fpga latency).
  const auto cost = make_cost_source(test::data(), Dataset::Cifar10, {"fpga", HwMetric::Latency});
  const auto data = test::data();
  const auto front = compute_true_front(*data, Dataset::Cifar10, *cost);
  for (const auto& e : front.entries)
    for (int i = 0; i < data->size(); ++i) {
      const double a = *data->accuracy(i, Dataset::Cifar10), c = *cost->cost(i);
      ASSERT_FALSE(a >= e.accuracy && c <= e.cost && (a > e.accuracy || c < e.cost)) << e.index << " by " << i;
    }
}

}  // namespace
}  // namespace pelnas
