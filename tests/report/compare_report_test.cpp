// `pelnas report A B ... -o cmp.html`: several runs on one page.
#include "report/compare_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/csv.h"
#include "report/run_fixture.h"
#include "report/xml_check.h"
#include "test_support.h"

namespace pelnas::report {
namespace {

namespace xml = pelnas::test::xml;
namespace fs = std::filesystem;

// Two finished runs (seeds 3 and 8) and a third stopped after generation 1, side by side in one directory.
const std::string& runs_root() {
  static const std::string root = [] {
    const std::string r = test::temp_dir("cmp");
    fs::copy(test::shared_run_dir(), r + "/a-s3", fs::copy_options::recursive);
    for (auto [name, seed, stop] : {std::tuple{"b-s8", 8, ""}, std::tuple{"c-s9", 9, "1"}}) {
      auto args = test::report_search_args(r + "/" + name, seed, 3);
      if (*stop) args.insert(args.end(), {"--stop-after-generation", stop});
      auto res = test::run_cli(args);
      EXPECT_EQ(res.exit_code, 0) << res.err;
    }
    return r;
  }();
  return root;
}

TEST(CompareReport, OverlaysEachRunsFrontAndCurveAndTabulatesThem) {
  const std::string root = runs_root();
  const std::string out = root + "/cmp.html";
  // A quoted glob, expanded by pelnas.
  auto r = test::run_cli({"report", root + "/*-s*", "-o", out, "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 runs"), std::string::npos) << r.out;
  auto page = xml::parse(test::read_file(out));

  auto rows = page->find_all([](const xml::Node& n) { return n.name == "tr" && !n.attr("data-run").empty(); });
  ASSERT_EQ(rows.size(), 3u);
  std::map<std::string, const xml::Node*> row_of;
  for (auto* row : rows) row_of[row->attr("data-run")] = row;
  ASSERT_EQ(row_of.count("a-s3"), 1u);
  for (const char* name : {"a-s3", "b-s8"}) {
    const auto s = nlohmann::json::parse(test::read_file(root + "/" + name + "/summary.json"));
    const auto* row = row_of.at(name);
    ASSERT_EQ(row->children.size(), 12u);
    EXPECT_EQ(row->children[3]->text, "evolution");
    EXPECT_EQ(row->children[6]->text, "finished");
    EXPECT_EQ(std::stoi(row->children[7]->text), s["evaluations"].get<int>());
    EXPECT_NEAR(std::stod(row->children[8]->text), s["hv_ratio"].get<double>(), 5e-5);
    EXPECT_NEAR(std::stod(row->children[9]->text), s["igd"].get<double>(), 5e-5);
    EXPECT_NEAR(std::stod(row->children[10]->text), s["igd_plus"].get<double>(), 5e-5);
    EXPECT_NEAR(std::stod(row->children[11]->text), s["wall_seconds"].get<double>(), 5e-3);
  }
  EXPECT_NE(row_of.at("c-s9")->children[6]->text, "finished");

  // Rings per run are that run's front.csv (finished runs).
  for (const char* name : {"a-s3", "b-s8"}) {
    const CsvTable front = CsvTable::read(root + "/" + name + "/front.csv");
    std::multiset<int> want, got;
    for (std::size_t i = 0; i < front.rows(); ++i) want.insert(static_cast<int>(front.integer(i, front.column("index"))));
    for (auto* c : page->find_all([&](const xml::Node& n) {
           return n.name == "circle" && n.attr("data-run") == name && !n.attr("data-acc").empty();
         }))
      got.insert(std::stoi(c->attr("data-index")));
    EXPECT_EQ(got, want) << name;
    // HV curve points are the run's metrics.csv.
    const CsvTable m = CsvTable::read(root + "/" + name + "/metrics.csv");
    auto pts = page->find_all([&](const xml::Node& n) { return n.name == "circle" && n.attr("data-run") == name && !n.attr("data-hv").empty(); });
    ASSERT_EQ(pts.size(), m.rows()) << name;
    for (std::size_t i = 0; i < m.rows(); ++i)
      EXPECT_DOUBLE_EQ(std::stod(pts[i]->attr("data-hv")), m.number(i, m.column("hv_ratio")));
  }
  // One chart for the one setting, with the true front once, in black, drawn after the runs' rings.
  auto truth = page->find_all([](const xml::Node& n) { return n.has_class("true-front"); });
  ASSERT_EQ(truth.size(), 1u);
  // Colours differ between runs.
  std::set<std::string> colours;
  for (auto* g : page->find_all([](const xml::Node& n) { return n.name == "g" && n.has_class("run-front"); })) colours.insert(g->attr("stroke"));
  EXPECT_EQ(colours.size(), 3u);
  EXPECT_EQ(page->find_all([](const xml::Node& n) { return n.attr("id") == "plot-cmp-hv-calls"; }).size(), 0u);
}

TEST(CompareReport, HvAgainstLlmCallsForTheRunsThatCalledAModel) {
  const std::string root = runs_root();
  const std::string dir = test::temp_dir("cmpcalls");
  fs::copy(root + "/a-s3", dir + "/llm-run", fs::copy_options::recursive);
  // The same run as if it had called a model 12 times a generation.
  const CsvTable m = CsvTable::read(dir + "/llm-run/metrics.csv");
  const std::size_t calls_col = m.column("llm_calls");
  std::string csv = "generation,evaluations,hv_ratio,igd,igd_plus,hv,front_size,llm_calls\n";
  for (std::size_t i = 0; i < m.rows(); ++i) {
    for (std::size_t c = 0; c < calls_col; ++c) csv += std::string(m.cell(i, c)) + ",";
    csv += std::to_string(12 * m.integer(i, m.column("generation"))) + "\n";
  }
  test::write_file(dir + "/llm-run/metrics.csv", csv);
  auto r = test::run_cli({"report", dir + "/llm-run", root + "/b-s8", "-o", dir + "/cmp.html", "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto page = xml::parse(test::read_file(dir + "/cmp.html"));
  auto charts = page->find_all([](const xml::Node& n) { return n.name == "svg" && n.attr("id") == "plot-cmp-hv-calls"; });
  ASSERT_EQ(charts.size(), 1u);
  auto pts = charts[0]->find_all([](const xml::Node& n) { return n.name == "circle" && !n.attr("data-calls").empty(); });
  ASSERT_EQ(pts.size(), m.rows());  // only the run that called a model
  for (std::size_t i = 0; i < pts.size(); ++i) {
    EXPECT_EQ(pts[i]->attr("data-run"), "llm-run");
    EXPECT_EQ(std::stoll(pts[i]->attr("data-calls")), 12 * m.integer(i, m.column("generation")));
  }
}

TEST(CompareReport, BadInputsAreClearErrors) {
  auto none = test::run_cli({"report", runs_root() + "/zz*", runs_root() + "/a-s3"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("matches no directory"), std::string::npos) << none.err;
  auto notrun = test::run_cli({"report", runs_root() + "/a-s3", test::temp_dir("empty")});
  EXPECT_EQ(notrun.exit_code, 2);
  EXPECT_NE(notrun.err.find("not a pelnas run directory"), std::string::npos) << notrun.err;
}

TEST(CompareReport, DuplicateDirectoryNamesUseTheirPaths) {
  RunData a, b, c;
  a.dir = "x/run";
  b.dir = "y/run/";
  c.dir = "z/other";
  EXPECT_EQ(run_names({a, b, c}), (std::vector<std::string>{"x/run", "y/run/", "other"}));
}

}  // namespace
}  // namespace pelnas::report
