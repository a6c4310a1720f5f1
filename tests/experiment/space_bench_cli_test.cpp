// `pelnas bench --space fbnet`: algorithms at equal budget on FBNet, scored against the union of the
// grid's runs (not a true front). A tiny grid with the cheap fixture evaluator (torch-free): every run
// is the `pelnas search --space fbnet` run with the same options (byte-identical archive), the union
// front is recomputed here by brute force from the runs' archives, its HV by an independent 2-D sum,
// every HV ratio is HV / union HV, the label is in every output, and a second invocation reuses the
// finished runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "common/csv.h"
#include "pelnas_build_paths.h"
#include "test_support.h"

namespace pelnas {
namespace {

std::string evaluator() { return "python3 '" + std::string(PELNAS_TEST_DIR) + "/fixtures/evaluator/fbnet_evaluator.py'"; }
const char* kAlgoOptions = R"({"rea": {"population": 8, "sample_size": 3}, "nsga2": {"population": 8}})";

std::vector<std::string> bench_args(const std::string& out) {
  return {"bench", "--space", "fbnet", "--data", test::data_dir(), "--devices", "pixel3,fpga", "--algos",
          "random,rea,nsga2,pelnas:seeds_per_niche=1:children_per_call=2", "--algo-options", kAlgoOptions, "--seeds", "2",
          "--budget", "18", "--evaluator", evaluator(), "--out", out};
}

struct Point {
  std::string arch;
  double signal, cost;
};

TEST(FbnetBenchCli, GridRunsAreSearchRunsScoredAgainstTheUnionOfTheGrid) {
  const std::string out = test::temp_dir("fbnet-bench") + "/grid";
  const auto r = test::run_cli(bench_args(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vs union of grid runs, not a true front"), std::string::npos) << r.out;
  const auto results = CsvTable::read(out + "/results.csv");
  ASSERT_EQ(results.rows(), 16u);  // 2 devices x 4 algorithms x 2 seeds
  const auto summary = nlohmann::json::parse(test::read_file(out + "/summary.json"));
  EXPECT_NE(summary["reference_front"].get<std::string>().find("union of grid runs, not a true front"), std::string::npos);
  EXPECT_NE(test::read_file(out + "/summary.md").find("not a true front"), std::string::npos);
  EXPECT_NE(test::read_file(out + "/report.html").find("not a true front"), std::string::npos);
  const auto unions = CsvTable::read(out + "/union_fronts.csv");

  for (const auto& device : summary["devices"]) {
    const std::string dev = device["device"];
    const auto& n = device["hv_normalisation"];
    const double cmin = n["cost_min"], cmax = n["cost_max"];
    // Every evaluated point of every run on the device; the union front by brute force.
    std::vector<Point> all;
    for (std::size_t i = 0; i < results.rows(); ++i) {
      if (results.cell(i, results.column("device")) != dev) continue;
      const auto a = CsvTable::read(std::string(results.cell(i, results.column("run_dir"))) + "/archive.csv");
      for (std::size_t k = 0; k < a.rows(); ++k)
        all.push_back({std::string(a.cell(k, a.column("arch_str"))), a.number(k, a.column("accuracy")), a.number(k, a.column("cost"))});
    }
    std::set<std::string> expected;
    std::vector<Point> front;
    for (const auto& p : all) {
      const bool dominated = std::any_of(all.begin(), all.end(), [&](const Point& q) {
        return q.signal >= p.signal && q.cost <= p.cost && (q.signal > p.signal || q.cost < p.cost);
      });
      if (!dominated && expected.insert(p.arch).second) front.push_back(p);
    }
    std::set<std::string> got;
    for (std::size_t k = 0; k < unions.rows(); ++k)
      if (unions.cell(k, unions.column("device")) == dev) got.insert(std::string(unions.cell(k, unions.column("arch_str"))));
    EXPECT_EQ(got, expected) << dev;
    // Its HV in the fixed normalisation: rectangles against the reference point (signal 0, max cost).
    std::sort(front.begin(), front.end(), [](const Point& a, const Point& b) { return a.cost < b.cost; });
    double hv = 0;
    for (std::size_t k = 0; k < front.size(); ++k) {
      const double next = k + 1 < front.size() ? (front[k + 1].cost - cmin) / (cmax - cmin) : 1.0;
      hv += (front[k].signal / 100.0) * (next - (front[k].cost - cmin) / (cmax - cmin));
    }
    EXPECT_NEAR(device["union_front_hv"].get<double>(), hv, 1e-12) << dev;
    for (std::size_t i = 0; i < results.rows(); ++i) {
      if (results.cell(i, results.column("device")) != dev) continue;
      const double run_hv = results.number(i, results.column("hv"));
      EXPECT_NEAR(results.number(i, results.column("hv_ratio_vs_union")), run_hv / hv, 1e-12);
      EXPECT_LE(run_hv, hv + 1e-12);
      EXPECT_GE(results.number(i, results.column("igd_vs_union")), 0.0);
      EXPECT_EQ(results.number(i, results.column("evaluations")), 18);
    }
  }

  // A grid run is the search run with the same options.
  const std::string single = test::temp_dir("fbnet-bench-single") + "/run";
  const auto s = test::run_cli({"search", "--space", "fbnet", "--data", test::data_dir(), "--device", "fpga", "--algorithm", "rea",
                                "--algorithm-options", R"({"population": 8, "sample_size": 3})", "--seed", "1", "--budget",
                                "18", "--evaluator", evaluator(), "--out", single});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(test::read_file(single + "/archive.csv"), test::read_file(out + "/runs/fpga-rea-s1/archive.csv"));

  // Again into the same directory: the finished runs are reused, the outputs are the same.
  const std::string before = test::read_file(out + "/union_fronts.csv");
  const auto again = test::run_cli(bench_args(out));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(test::read_file(out + "/union_fronts.csv"), before);
  const auto reused = CsvTable::read(out + "/results.csv");
  for (std::size_t i = 0; i < reused.rows(); ++i) EXPECT_EQ(reused.number(i, reused.column("reused")), 1);
}

TEST(FbnetBenchCli, BadInputIsNamedWithExit2) {
  const std::string dir = test::temp_dir("fbnet-bench-bad");
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"bench", "--space", "fbnet", "--data", test::data_dir(), "--evaluator", evaluator()}, "give --out DIR"},
      {{"bench", "--space", "fbnet", "--data", test::data_dir(), "--evaluator", evaluator(), "--hv-ref", "1,1", "--out", dir + "/a"},
       "--hv-ref does not apply to bench --space fbnet"},
      {{"bench", "--space", "fbnet", "--data", test::data_dir(), "--evaluator", evaluator(), "--algos", "random,exhaustive",
        "--out", dir + "/b"},
       "exhaustive"},
      {{"bench", "--space", "fbnet", "--data", test::data_dir(), "--evaluator", evaluator(), "--devices", "edgetpu", "--out", dir + "/c"},
       "edgetpu"},
      {{"bench", "--data", test::data_dir(), "--evaluator", evaluator(), "--out", dir + "/d"}, "--evaluator applies to bench --space fbnet"},
  };
  for (const auto& c : cases) {
    const auto r = test::run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.expected << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << "expected '" << c.expected << "' in: " << r.err;
  }
}

}  // namespace
}  // namespace pelnas
