#include "report/attainment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "common/csv.h"
#include "common/rng.h"
#include "report/xml_check.h"
#include "test_support.h"

namespace pelnas::report {
namespace {

namespace xml = pelnas::test::xml;

std::vector<std::pair<double, double>> pairs(const std::vector<CostAccuracy>& v) {
  std::vector<std::pair<double, double>> out;
  for (const auto& p : v) out.emplace_back(p.cost, p.accuracy);
  return out;
}

TEST(Attainment, HandComputedSurfaces) {
  const std::vector<std::vector<CostAccuracy>> runs = {{{1, 50}, {3, 70}}, {{2, 60}}, {{1, 40}, {4, 80}}};
  using P = std::vector<std::pair<double, double>>;
  EXPECT_EQ(pairs(attainment_surface(runs, 1)), (P{{1, 50}, {2, 60}, {3, 70}, {4, 80}}));
  EXPECT_EQ(pairs(attainment_surface(runs, 2)), (P{{1, 40}, {2, 50}, {3, 60}, {4, 70}}));
  EXPECT_EQ(pairs(attainment_surface(runs, 3)), (P{{2, 40}, {4, 60}}));
  EXPECT_EQ(pairs(staircase(attainment_surface(runs, 3))), (P{{2, 40}, {4, 40}, {4, 60}}));
  EXPECT_NE(test::error_of([&] { attainment_surface(runs, 0); }).find("outside 1..3"), std::string::npos);
  EXPECT_NE(test::error_of([&] { attainment_surface(runs, 4); }).find("outside 1..3"), std::string::npos);
}

// How many runs attain (c, a): a point with cost <= c and accuracy >= a.
int attained_by(const std::vector<std::vector<CostAccuracy>>& runs, double c, double a) {
  int n = 0;
  for (const auto& r : runs) {
    bool hit = false;
    for (const auto& p : r) hit = hit || (p.cost <= c && p.accuracy >= a);
    n += hit;
  }
  return n;
}

TEST(Attainment, CornersAreAttainedByKRunsAndNothingAboveThem) {
  Rng rng(11);
  for (int trial = 0; trial < 40; ++trial) {
    std::vector<std::vector<CostAccuracy>> runs(1 + rng.uniform_int(0, 6));
    for (auto& r : runs)
      for (int i = 0, m = rng.uniform_int(1, 8); i < m; ++i) r.push_back({std::round(rng.uniform01() * 20), std::round(rng.uniform01() * 50)});
    for (int k = 1; k <= static_cast<int>(runs.size()); ++k) {
      const auto s = attainment_surface(runs, k);
      ASSERT_FALSE(s.empty());
      for (std::size_t i = 0; i < s.size(); ++i) {
        EXPECT_GE(attained_by(runs, s[i].cost, s[i].accuracy), k);
        EXPECT_LT(attained_by(runs, s[i].cost, s[i].accuracy + 0.5), k);  // accuracies are integers
        if (i > 0) {
          EXPECT_GT(s[i].cost, s[i - 1].cost);
          EXPECT_GT(s[i].accuracy, s[i - 1].accuracy);
          // Just before a corner's cost the level is the previous corner's.
          EXPECT_LT(attained_by(runs, s[i].cost - 0.5, s[i].accuracy), k);
        }
      }
    }
  }
}

TEST(Attainment, BenchReportDrawsEachAlgorithmsMedianFrontFromFrontsCsv) {
  const std::string d = test::temp_dir("benchfronts") + "/b";
  auto b = test::run_cli({"bench", "--algos", "random,rea", "--datasets", "cifar10", "--devices", "fpga", "--seeds", "3", "--budget", "60",
                          "--data", test::data_dir(), "--out", d});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto r = test::run_cli({"report", d, "-o", d + "/r.html", "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto root = xml::parse(test::read_file(d + "/r.html"));
  // Each run's answer from fronts.csv, by algorithm.
  const CsvTable f = CsvTable::read(d + "/fronts.csv");
  std::map<std::string, std::map<long long, std::vector<CostAccuracy>>> runs;
  for (std::size_t i = 0; i < f.rows(); ++i)
    runs[std::string(f.cell(i, f.column("algo")))][f.integer(i, f.column("seed"))].push_back(
        {f.number(i, f.column("cost")), f.number(i, f.column("true_accuracy"))});
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& [algo_key, seeds] : runs) {
    const std::string& algo = algo_key;  // clang 14 cannot capture a structured binding (CI's sanitizer build)
    ASSERT_EQ(seeds.size(), 3u);
    std::vector<std::vector<CostAccuracy>> v;
    for (const auto& [s, pts] : seeds) v.push_back(pts);
    auto corners = root->find_all([&](const xml::Node& n) { return n.name == "circle" && n.attr("data-algo") == algo && !n.attr("data-acc").empty(); });
    ASSERT_FALSE(corners.empty()) << algo;
    for (auto* c : corners) {
      const double cost = std::stod(c->attr("data-cost")), acc = std::stod(c->attr("data-acc"));
      EXPECT_GE(attained_by(v, cost, acc), 2) << algo;              // the median of 3 seeds
      EXPECT_LT(attained_by(v, cost, acc + 1e-9), 2) << algo;
    }
  }
  EXPECT_EQ(root->find_all([](const xml::Node& n) { return n.has_class("true-front"); }).size(), 1u);
}

}  // namespace
}  // namespace pelnas::report
