// The partitioning engine: built-in tables reproduce PAPER.md's niche sizes (counted independently
// here by brute force over the op counts), the coverage check names gaps and overlaps, and the
// CSV format round-trips and reports bad input by file:line.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "hardware/cost_source.h"
#include "search/niche_map.h"
#include "search/partition.h"
#include "test_support.h"

namespace pelnas {
namespace {

PartitionContext context(const CostSource* cost = nullptr) { return {test::data(), Dataset::Cifar10, cost}; }

TEST(Partition, PaperTableHasThePaperSizes) {
  const auto cov = Partition::builtin("paper").coverage(context());
  EXPECT_EQ(cov.sizes, (std::vector<int>{729, 3367, 6144, 3840, 1280, 265}));
  EXPECT_TRUE(cov.ok());
  EXPECT_EQ(cov.domain, 15625);
}

TEST(Partition, Conv3x3TableHasThePaperSizes) {
  const auto cov = Partition::builtin("conv3x3").coverage(context());
  EXPECT_EQ(cov.sizes, (std::vector<int>{4096, 6144, 3840, 1280, 240, 25}));
  EXPECT_TRUE(cov.ok());
}

TEST(Partition, SizesMatchABruteForceCount) {
  // Independent count: binomial structure of the op-count rules.
  std::vector<int> expect(6, 0);
  for (int code = 0; code < kNumArchs; ++code) {
    const Arch a = Arch::from_lex_code(code);
    const int c3 = a.count(Op::Conv3x3), c1 = a.count(Op::Conv1x1);
    const int k = c3 == 0 ? (c1 == 0 ? 0 : 1) : std::min(c3 + 1, 5);
    ++expect[k];
  }
  EXPECT_EQ(Partition::builtin("paper").coverage(context()).sizes, expect);
}

TEST(Partition, BadTableNamesGapsAndOverlaps) {
  const std::string csv =
      "name,rule,constraint\n"
      "low,nor_conv_3x3 <= 1,\n"
      "mid,nor_conv_3x3 >= 1 && nor_conv_3x3 <= 2,\n"  // overlaps 'low' at exactly one conv3x3
      "high,nor_conv_3x3 >= 4,\n";                     // exactly three conv3x3 is in no niche
  const Partition p = Partition::parse_csv(csv, "bad.csv");
  const auto cov = p.coverage(context());
  EXPECT_FALSE(cov.ok());
  EXPECT_EQ(cov.uncovered.size(), 1280u);   // exactly 3 conv3x3
  EXPECT_EQ(cov.overlapping.size(), 6144u);  // exactly 1 conv3x3
  for (const auto& [index, niches] : cov.overlapping) EXPECT_EQ(niches, (std::vector<int>{0, 1}));
  for (int index : cov.uncovered) EXPECT_EQ(test::data()->arch(index).count(Op::Conv3x3), 3);
  const std::string summary = cov.problem_summary(*test::data(), p.rules());
  EXPECT_NE(summary.find("1280 architecture(s) fall in no niche"), std::string::npos) << summary;
  EXPECT_NE(summary.find("'low' 'mid'"), std::string::npos) << summary;
  EXPECT_THROW(NicheMap(p, context()), Error);
}

TEST(Partition, CsvErrorsNameFileAndLine) {
  try {
    Partition::parse_csv("# comment\nname,rule\na,*\nb,nor_conv_3x3 >> 2\n", "t.csv");
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("t.csv:4"), std::string::npos) << e.what();
  }
  try {
    Partition::parse_csv("name,rule\na,conv5x5 == 1\n", "u.csv");
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("u.csv:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("conv5x5"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Partition::parse_csv("name,rule\na,*\na,*\n", "dup.csv"), InputError);
  EXPECT_THROW(Partition::load("/nonexistent/partition.csv"), Error);
  EXPECT_THROW(Partition::builtin("nope"), Error);
}

TEST(Partition, CsvAndJsonRoundTrip) {
  const Partition p = Partition::builtin("paper");
  const Partition q = Partition::parse_csv(p.to_csv(), "roundtrip.csv");
  const Partition r = Partition::from_json(p.to_json());
  ASSERT_EQ(q.size(), p.size());
  ASSERT_EQ(r.size(), p.size());
  for (int k = 0; k < p.size(); ++k) {
    EXPECT_EQ(q.rules()[k].rule_text(), p.rules()[k].rule_text());
    EXPECT_EQ(q.rules()[k].constraint, p.rules()[k].constraint);
    EXPECT_EQ(r.rules()[k].rule_text(), p.rules()[k].rule_text());
  }
  EXPECT_EQ(q.coverage(context()).sizes, p.coverage(context()).sizes);
}

TEST(Partition, CostRulesUseTheDevice) {
  auto cost = make_cost_source(test::data(), Dataset::Cifar10, CostSpec{"fpga", HwMetric::Latency});
  // Split at the median-ish cost 4 ms: sizes must equal a direct count over the cost column.
  const Partition p = Partition::parse_csv("name,rule\nfast,cost < 4\nslow,latency >= 4\n", "cost.csv");
  EXPECT_TRUE(p.uses_cost());
  const auto cov = p.coverage(context(cost.get()));
  int fast = 0;
  for (int i = 0; i < test::data()->size(); ++i) fast += *cost->cost(i) < 4;
  EXPECT_EQ(cov.sizes[0], fast);
  EXPECT_EQ(cov.sizes[1], 15625 - fast);
  EXPECT_LT(cov.cost_max[0], 4);
  EXPECT_GE(cov.cost_min[1], 4);
  EXPECT_THROW(p.coverage(context()), Error);  // a cost rule without a device
}

TEST(Partition, NicheMapAgreesWithTheRules) {
  const NicheMap map(Partition::builtin("paper"), context());
  for (int code = 0; code < kNumArchs; code += 7) {
    const Arch a = Arch::from_lex_code(code);
    const int k = map.niche_of(a);
    ASSERT_GE(k, 0);
    for (int j = 0; j < 6; ++j) EXPECT_EQ(map.niches()[j].contains(ArchCode::from_nb201(a)), j == k);
  }
  EXPECT_EQ(map.member_cells(5).size(), 265u);
  EXPECT_EQ(map.members(5)->size(), 265u);
  EXPECT_EQ(map.size_of(5), 265.0);
  EXPECT_EQ(map.niches()[2].constraint, "exactly one nor_conv_3x3 edge");
}

TEST(Partition, NichesCliPrintsSizesAndLatencyRanges) {
  auto r = test::run_cli({"niches", "--dataset", "cifar10", "--device", "fpga", "--json", "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  auto cost = make_cost_source(test::data(), Dataset::Cifar10, CostSpec{"fpga", HwMetric::Latency});
  ASSERT_EQ(j["niches"].size(), 6u);
  // Niche 0 latency range, recomputed from the cost column.
  double lo = 1e9, hi = -1e9;
  for (int i = 0; i < test::data()->size(); ++i) {
    const Arch& a = test::data()->arch(i);
    if (a.count(Op::Conv3x3) == 0 && a.count(Op::Conv1x1) == 0) {
      lo = std::min(lo, *cost->cost(i));
      hi = std::max(hi, *cost->cost(i));
    }
  }
  EXPECT_DOUBLE_EQ(j["niches"][0]["cost_min"].get<double>(), lo);
  EXPECT_DOUBLE_EQ(j["niches"][0]["cost_max"].get<double>(), hi);
  EXPECT_EQ(j["niches"][5]["size"], 265);
  const std::string bad = test::temp_dir("niches") + "/bad.csv";
  test::write_file(bad, "name,rule\nsome,nor_conv_3x3 <= 2\n");
  r = test::run_cli({"niches", "--partition", bad, "--data", test::data_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("fall in no niche"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pelnas
