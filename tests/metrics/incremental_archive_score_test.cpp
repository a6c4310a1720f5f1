#include "metrics/incremental_archive_score.h"

#include <gtest/gtest.h>

#include "common/rng.h"
#include "test_support.h"

namespace pelnas {
namespace {

// Random archives whose seen objectives come from small value sets, so exact ties, equal costs and
// equal accuracies are frequent; true objectives come from the table through the evaluator.
Archive random_archive(Rng& rng, int n, int distinct_values) {
  Archive a;
  for (int i = 0; i < n; ++i) {
    EvaluatedArch e;
    e.index = static_cast<int>(rng.uniform_int(0, test::data()->size() - 1));
    e.arch = test::data()->arch(e.index);
    e.accuracy = 80.0 + static_cast<double>(rng.uniform_int(0, distinct_values - 1));
    e.cost = 1.0 + static_cast<double>(rng.uniform_int(0, distinct_values - 1)) * 0.5;
    e.order = i + 1;
    a.add(e);
  }
  return a;
}

void expect_same(const ProtocolResult& a, const ProtocolResult& b, std::size_t n) {
  EXPECT_EQ(a.hv, b.hv) << "prefix " << n;
  EXPECT_EQ(a.hv_ratio, b.hv_ratio) << "prefix " << n;
  EXPECT_EQ(a.igd, b.igd) << "prefix " << n;
  EXPECT_EQ(a.igd_plus, b.igd_plus) << "prefix " << n;
  EXPECT_EQ(a.found, b.found) << "prefix " << n;
  EXPECT_EQ(a.found_front, b.found_front) << "prefix " << n;
}

TEST(IncrementalArchiveScore, EveryPrefixMatchesTheFromScratchScore) {
  std::shared_ptr<CostSource> cost = make_cost_source(test::data(), Dataset::Cifar10, {"fpga", HwMetric::Latency});
  Evaluator ev(test::data(), Dataset::Cifar10,
               std::make_shared<TableAccuracy>(test::data(), Dataset::Cifar10, AccuracyMetric::Test), cost);
  const auto protocol = EvaluationProtocol::for_cost_source(*test::data(), Dataset::Cifar10, *cost);
  Rng rng(42);
  int changes = 0, unchanged = 0;
  for (int trial = 0; trial < 12; ++trial) {
    const Archive archive = random_archive(rng, 150, trial % 2 == 0 ? 6 : 40);
    IncrementalArchiveScore inc(protocol, ev);
    for (std::size_t n = 1; n <= archive.size(); ++n) {
      (inc.add(archive.entries()[n - 1]) ? changes : unchanged)++;
      Archive prefix;
      for (std::size_t i = 0; i < n; ++i) prefix.add(archive.entries()[i]);
      ASSERT_EQ(inc.front_positions(), prefix.pareto_front_positions()) << "trial " << trial << " prefix " << n;
      expect_same(inc.score(), protocol.score_archive_prefix(archive, n, ev), n);
    }
  }
  EXPECT_GT(changes, 0);
  EXPECT_GT(unchanged, 0);  // both branches ran
}

TEST(IncrementalArchiveScore, TheWholeSpaceInIndexOrderScoresOne) {
  std::shared_ptr<CostSource> cost = make_cost_source(test::data(), Dataset::Cifar10, {"fpga", HwMetric::Latency});
  Evaluator ev(test::data(), Dataset::Cifar10,
               std::make_shared<TableAccuracy>(test::data(), Dataset::Cifar10, AccuracyMetric::Test), cost);
  const auto protocol = EvaluationProtocol::for_cost_source(*test::data(), Dataset::Cifar10, *cost);
  IncrementalArchiveScore inc(protocol, ev);
  for (int i = 0; i < test::data()->size(); ++i) {
    EvaluatedArch e;
    e.index = i;
    e.arch = test::data()->arch(i);
    e.accuracy = *test::data()->accuracy(i, Dataset::Cifar10);
    e.cost = *cost->cost(i);
    e.order = i + 1;
    inc.add(e);
  }
  EXPECT_DOUBLE_EQ(inc.score().hv_ratio, 1.0);
  EXPECT_EQ(inc.score().igd, 0.0);
}

}  // namespace
}  // namespace pelnas
