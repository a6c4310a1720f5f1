#include "report/bench_report.h"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <map>

#include "report/xml_check.h"
#include "test_support.h"

namespace pelnas::report {
namespace {

namespace xml = pelnas::test::xml;

// A hand-made bench directory in the layout `pelnas bench` writes (src/experiment/grid_outputs.cpp).
std::string make_bench_dir() {
  const std::string d = test::temp_dir("bench");
  test::write_file(d + "/results.csv",
                   "dataset,device,metric,algo,seed,evaluations,hv,hv_ratio,igd,igd_plus,wall_ms\n"
                   "cifar10,fpga,fpga_latency,random,0,100,0.8,0.90,0.10,0.05,1.0\n"
                   "cifar10,fpga,fpga_latency,random,1,100,0.8,0.94,0.08,0.04,1.0\n"
                   "cifar10,fpga,fpga_latency,nsga2,0,100,0.8,0.96,0.05,0.03,1.0\n"
                   "cifar10,fpga,fpga_latency,nsga2,1,100,0.8,0.98,0.03,0.02,1.0\n");
  test::write_file(d + "/curves.csv",
                   "dataset,device,metric,algo,seed,evaluations,hv,hv_ratio,igd,igd_plus\n"
                   "cifar10,fpga,fpga_latency,random,0,50,0,0.70,0.2,0.1\n"
                   "cifar10,fpga,fpga_latency,random,1,50,0,0.80,0.2,0.1\n"
                   "cifar10,fpga,fpga_latency,random,0,100,0,0.90,0.1,0.1\n"
                   "cifar10,fpga,fpga_latency,random,1,100,0,0.94,0.1,0.1\n"
                   "cifar10,fpga,fpga_latency,nsga2,0,50,0,0.85,0.1,0.1\n"
                   "cifar10,fpga,fpga_latency,nsga2,1,50,0,0.75,0.1,0.1\n"
                   "cifar10,fpga,fpga_latency,nsga2,0,100,0,0.96,0.1,0.1\n"
                   "cifar10,fpga,fpga_latency,nsga2,1,100,0,0.98,0.1,0.1\n");
  test::write_file(d + "/summary.json",
                   R"({"settings":[{"dataset":"cifar10","device":"fpga","metric":"fpga_latency","protocol":"PROTOCOL TEXT <&>"}]})");
  return d;
}

TEST(BenchReport, CurvesAreMeansWithMinMaxBandsAndTablesMatchResults) {
  const std::string d = make_bench_dir();
  ASSERT_TRUE(is_bench_dir(d));
  const std::string out = d + "/r.html";
  auto r = test::run_cli({"report", d, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto root = xml::parse(test::read_file(out));
  auto pts = root->find_all([](const xml::Node& n) { return n.name == "circle" && !n.attr("data-mean").empty(); });
  ASSERT_EQ(pts.size(), 4u);
  // algo -> evaluations -> (mean, min, max)
  std::map<std::string, std::map<int, std::tuple<double, double, double>>> want = {
      {"random", {{50, {0.75, 0.70, 0.80}}, {100, {0.92, 0.90, 0.94}}}},
      {"nsga2", {{50, {0.80, 0.75, 0.85}}, {100, {0.97, 0.96, 0.98}}}}};
  for (auto* p : pts) {
    auto [mean, lo, hi] = want.at(p->attr("data-algo")).at(std::stoi(p->attr("data-evaluations")));
    EXPECT_NEAR(std::stod(p->attr("data-mean")), mean, 1e-12);
    EXPECT_DOUBLE_EQ(std::stod(p->attr("data-min")), lo);
    EXPECT_DOUBLE_EQ(std::stod(p->attr("data-max")), hi);
  }
  EXPECT_EQ(root->find_all([](const xml::Node& n) { return n.name == "polygon" && n.has_class("band"); }).size(), 2u);
  auto rows = root->find_all([](const xml::Node& n) { return n.name == "tr" && !n.attr("data-algo").empty(); });
  ASSERT_EQ(rows.size(), 2u);
  for (auto* row : rows) {
    const bool nsga = row->attr("data-algo") == "nsga2";
    EXPECT_EQ(row->children[1]->text, "2");
    EXPECT_EQ(row->children[3]->text, nsga ? "0.9700" : "0.9200");
    EXPECT_EQ(row->children[4]->text, nsga ? "0.0141" : "0.0283");  // sample std of two values
    EXPECT_EQ(row->children[7]->text, nsga ? "0.0400" : "0.0900");
    EXPECT_EQ(row->children[9]->text, nsga ? "0.0250" : "0.0450");  // IGD+ mean of results.csv's igd_plus
    EXPECT_EQ(row->children[10]->text, nsga ? "0.0071" : "0.0071");
  }
  auto protocol = root->find_all([](const xml::Node& n) { return n.name == "p" && n.has_class("protocol"); });
  ASSERT_EQ(protocol.size(), 1u);
  EXPECT_NE(protocol[0]->text.find("PROTOCOL TEXT <&>"), std::string::npos);
}

TEST(BenchReport, MalformedCsvNamesTheFileAndLine) {
  const std::string d = make_bench_dir();
  test::write_file(d + "/curves.csv", "dataset,device,metric,algo,seed,evaluations,hv,hv_ratio,igd,igd_plus\ncifar10,fpga\n");
  auto r = test::run_cli({"report", d});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("curves.csv:2"), std::string::npos) << r.err;
}
TEST(BenchReport, ComparesEachAlgorithmWithTheBestAndShowsIgdPlus) {
  const std::string d = test::temp_dir("benchstats");
  // Three algorithms, four seeds each; nsga2 is best by mean HV ratio.
  std::string results = "dataset,device,metric,algo,seed,evaluations,hv,hv_ratio,igd,igd_plus,wall_ms\n";
  const std::map<std::string, std::vector<double>> hv = {
      {"nsga2", {0.97, 0.98, 0.96, 0.99}}, {"random", {0.90, 0.94, 0.93, 0.955}}, {"rea", {0.97, 0.95, 0.985, 0.96}}};
  const std::map<std::string, std::vector<double>> igdp = {
      {"nsga2", {0.01, 0.02, 0.03, 0.02}}, {"random", {0.05, 0.04, 0.06, 0.05}}, {"rea", {0.02, 0.02, 0.02, 0.02}}};
  std::string curves = "dataset,device,metric,algo,seed,evaluations,hv,hv_ratio,igd,igd_plus\n";
  for (const auto& [algo, v] : hv)
    for (std::size_t s = 0; s < v.size(); ++s) {
      results += fmt::format("cifar10,fpga,fpga_latency,{},{},100,0.8,{},0.1,{},1.0\n", algo, s, v[s], igdp.at(algo)[s]);
      curves += fmt::format("cifar10,fpga,fpga_latency,{},{},100,0,{},0.1,0.1\n", algo, s, v[s]);
    }
  test::write_file(d + "/results.csv", results);
  test::write_file(d + "/curves.csv", curves);
  auto r = test::run_cli({"report", d, "-o", d + "/r.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto root = xml::parse(test::read_file(d + "/r.html"));
  auto rows = root->find_all([](const xml::Node& n) { return n.name == "tr" && !n.attr("data-algo").empty(); });
  ASSERT_EQ(rows.size(), 3u);
  for (auto* row : rows) {
    const std::string algo = row->attr("data-algo");
    ASSERT_EQ(row->children.size(), 14u);
    // IGD+ mean and std of the seeds.
    EXPECT_EQ(row->children[9]->text, algo == "nsga2" ? "0.0200" : algo == "random" ? "0.0500" : "0.0200") << algo;
    if (algo == "nsga2") {
      EXPECT_EQ(row->attr("data-best"), "true");
      EXPECT_EQ(row->children[11]->text, "best");
      continue;
    }
    // SciPy 1.10.1: mannwhitneyu(random, nsga2) -> U 0, p 0.02857142857142857 (exact);
    // mannwhitneyu(rea, nsga2) -> U 5.0, p 0.46512378882022054 (ties at 0.97 and 0.96: normal approximation).
    if (algo == "random") {
      EXPECT_DOUBLE_EQ(std::stod(row->attr("data-u")), 0.0);
      EXPECT_NEAR(std::stod(row->attr("data-p")), 0.02857142857142857, 1e-15);
      EXPECT_EQ(row->attr("data-exact"), "true");
      EXPECT_EQ(row->children[11]->text, "0.0286");
    } else {
      EXPECT_DOUBLE_EQ(std::stod(row->attr("data-u")), 5.0);
      EXPECT_NEAR(std::stod(row->attr("data-p")), 0.46512378882022054, 1e-12);
      EXPECT_EQ(row->attr("data-exact"), "false");
    }
  }
  auto note = root->find_all([](const xml::Node& n) { return n.name == "p" && n.has_class("stats"); });
  ASSERT_EQ(note.size(), 1u);
  EXPECT_NE(note[0]->text.find("nsga2"), std::string::npos);
}

}  // namespace
}  // namespace pelnas::report
