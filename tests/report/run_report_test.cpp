#include "report/run_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <filesystem>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "hardware/cost_source.h"
#include "metrics/true_front.h"
#include "report/front_plot.h"
#include "report/knowledge_history.h"
#include "report/run_fixture.h"
#include "report/xml_check.h"

namespace pelnas::report {
namespace {

namespace xml = pelnas::test::xml;

struct ReportFixture {
  std::string run, html;
  std::unique_ptr<xml::Node> root;
};

const ReportFixture& report_of_shared_run() {
  static ReportFixture f = [] {
    ReportFixture r;
    r.run = test::shared_run_dir();
    if (r.run.empty()) return r;
    const std::string out = test::temp_dir("report") + "/report.html";
    auto res = test::run_cli({"report", r.run, "-o", out, "--data", test::data_dir()});
    EXPECT_EQ(res.exit_code, 0) << res.err;
    if (res.exit_code != 0) return r;
    r.html = test::read_file(out);
    r.root = xml::parse(r.html);  // throws (fails the test) if the page is not well-formed XML
    return r;
  }();
  return f;
}

std::vector<const xml::Node*> all(const xml::Node& root, const std::function<bool(const xml::Node&)>& pred) {
  return root.find_all(pred);
}

TEST(RunReport, IsWellFormedSelfContainedXhtml) {
  const auto& f = report_of_shared_run();
  ASSERT_TRUE(f.root);
  EXPECT_EQ(f.root->name, "html");
  EXPECT_EQ(f.root->attr("xmlns"), "http://www.w3.org/1999/xhtml");
  EXPECT_EQ(f.html.rfind("<!DOCTYPE html>", 0), 0u);
  // No external assets: no scripts, links, images or src/href attributes.
  auto external = all(*f.root, [](const xml::Node& n) {
    return n.name == "script" || n.name == "link" || n.name == "img" || !n.attr("src").empty() || !n.attr("href").empty();
  });
  EXPECT_TRUE(external.empty());
  auto titles = all(*f.root, [](const xml::Node& n) { return n.name == "h1"; });
  ASSERT_EQ(titles.size(), 1u);
  EXPECT_NE(titles[0]->text.find("cifar10"), std::string::npos);
  EXPECT_NE(titles[0]->text.find("fpga"), std::string::npos);
  EXPECT_NE(titles[0]->text.find("ms"), std::string::npos);
  auto xlabels = all(*f.root, [](const xml::Node& n) { return n.has_class("xlabel"); });
  ASSERT_GE(xlabels.size(), 2u);
  EXPECT_EQ(xlabels[0]->text, "fpga_latency (ms)");
}

TEST(RunReport, FrontPointsAreTheRunsFrontCsv) {
  const auto& f = report_of_shared_run();
  ASSERT_TRUE(f.root);
  const CsvTable front = CsvTable::read(f.run + "/front.csv");
  std::multimap<int, std::pair<double, double>> expected;  // index -> (true accuracy, cost)
  for (std::size_t i = 0; i < front.rows(); ++i)
    expected.emplace(front.integer(i, front.column("index")),
                     std::make_pair(front.number(i, front.column("true_accuracy")), front.number(i, front.column("cost"))));
  auto points = all(*f.root, [](const xml::Node& n) { return n.name == "circle" && !n.attr("data-acc").empty(); });
  ASSERT_EQ(points.size(), expected.size());
  for (const auto* p : points) {
    const int index = std::stoi(p->attr("data-index"));
    auto it = expected.find(index);
    ASSERT_NE(it, expected.end()) << index;
    EXPECT_DOUBLE_EQ(std::stod(p->attr("data-acc")), it->second.first) << index;
    EXPECT_DOUBLE_EQ(std::stod(p->attr("data-cost")), it->second.second) << index;
    // The tooltip names the architecture.
    ASSERT_FALSE(p->children.empty());
    EXPECT_NE(p->children[0]->text.find(test::data()->arch(index).str()), std::string::npos);
    expected.erase(it);
  }
  EXPECT_TRUE(expected.empty());
  // The true front is drawn with every point of the shipped front file (cifar10, fpga_latency: 16).
  auto truth = all(*f.root, [](const xml::Node& n) { return n.has_class("true-front"); });
  ASSERT_EQ(truth.size(), 1u);
  EXPECT_EQ(truth[0]->find_all([](const xml::Node& n) { return n.name == "circle"; }).size(), 16u);
}

TEST(RunReport, HvCurveIsTheRunsMetricsCsv) {
  const auto& f = report_of_shared_run();
  ASSERT_TRUE(f.root);
  const CsvTable m = CsvTable::read(f.run + "/metrics.csv");
  auto points = all(*f.root, [](const xml::Node& n) { return n.name == "circle" && !n.attr("data-hv").empty(); });
  ASSERT_EQ(points.size(), m.rows());
  for (std::size_t i = 0; i < m.rows(); ++i) {
    EXPECT_EQ(std::stoll(points[i]->attr("data-evaluations")), m.integer(i, m.column("evaluations")));
    EXPECT_DOUBLE_EQ(std::stod(points[i]->attr("data-hv")), m.number(i, m.column("hv_ratio")));
  }
}

TEST(RunReport, TablesMatchTheRunsFilesAndThePartition) {
  const auto& f = report_of_shared_run();
  ASSERT_TRUE(f.root);
  const CsvTable archive = CsvTable::read(f.run + "/archive.csv"), front = CsvTable::read(f.run + "/front.csv");
  const auto summary = nlohmann::json::parse(test::read_file(f.run + "/summary.json"));
  const auto stats = nlohmann::json::parse(test::read_file(f.run + "/stats.json"));
  // Niche sizes of the paper's partition over the searchable space: every cell (fpga latency covers
  // them all) but the 341 degenerate ones, counted here from the partition's rules in the paper.
  int sizes[6] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < test::data()->size(); ++i) {
    const Arch& a = test::data()->arch(i);
    if (a.zero_output()) continue;
    const int c3 = a.count(Op::Conv3x3);
    ++sizes[c3 == 0 ? (a.count(Op::Conv1x1) == 0 ? 0 : 1) : std::min(c3, 4) + 1];
  }
  EXPECT_EQ(sizes[0] + sizes[1] + sizes[2] + sizes[3] + sizes[4] + sizes[5], 15625 - 341);
  auto rows = all(*f.root, [](const xml::Node& n) { return n.name == "tr" && !n.attr("data-niche").empty(); });
  ASSERT_EQ(rows.size(), 6u);
  for (const auto* row : rows) {
    const int k = std::stoi(row->attr("data-niche"));
    ASSERT_EQ(row->children.size(), 8u);
    int evals = 0, fronts = 0;
    double best = -1;
    for (std::size_t i = 0; i < archive.rows(); ++i)
      if (archive.integer(i, archive.column("niche")) == k) {
        ++evals;
        best = std::max(best, archive.number(i, archive.column("true_accuracy")));
      }
    for (std::size_t i = 0; i < front.rows(); ++i) fronts += front.integer(i, front.column("niche")) == k;
    EXPECT_EQ(std::stoi(row->children[3]->text), sizes[k]) << k;
    EXPECT_EQ(std::stoi(row->children[4]->text), evals) << k;
    EXPECT_EQ(std::stoi(row->children[5]->text), fronts) << k;
    EXPECT_NEAR(std::stod(row->children[6]->text), best, 0.005) << k;
  }
  auto cell = [&](const std::string& id) {
    auto r = all(*f.root, [&](const xml::Node& n) { return n.attr("id") == id; });
    return r.size() == 1 && r[0]->children.size() == 2 ? r[0]->children[1]->text : std::string("(missing)");
  };
  EXPECT_NEAR(std::stod(cell("summary-hv-ratio")), summary.at("hv_ratio").get<double>(), 5e-5);
  EXPECT_NEAR(std::stod(cell("summary-igd")), summary.at("igd").get<double>(), 5e-5);
  EXPECT_EQ(std::stoi(cell("summary-evaluations")), summary.at("evaluations").get<int>());
  EXPECT_EQ(cell("summary-seed"), "3");
  auto calls = all(*f.root, [](const xml::Node& n) { return n.attr("data-stat") == "operator.calls"; });
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(std::stoll(calls[0]->children[1]->text), stats["operator_stats"]["counters"]["calls"].get<long long>());
  auto protocol = all(*f.root, [](const xml::Node& n) { return n.name == "section" && n.attr("id") == "protocol"; });
  ASSERT_EQ(protocol.size(), 1u);
  EXPECT_NE(protocol[0]->all_text().find(summary.at("protocol").get<std::string>()), std::string::npos);
}

TEST(RunReport, KnowledgeSectionShowsLastGenerationRules) {
  const auto& f = report_of_shared_run();
  ASSERT_TRUE(f.root);
  // The last generation's rules of every niche appear verbatim.
  const auto history = read_knowledge_history(f.run);
  ASSERT_GE(history.size(), 2u);
  nlohmann::json kb = {{"niches", nlohmann::json::array()}};
  for (const auto& n : history.rbegin()->second) kb["niches"].push_back(*n);
  auto section = all(*f.root, [](const xml::Node& n) { return n.name == "section" && n.attr("id") == "knowledge"; });
  ASSERT_EQ(section.size(), 1u);
  std::set<std::string> items;
  for (auto* li : section[0]->find_all([](const xml::Node& n) { return n.name == "li"; })) items.insert(li->text);
  int rules = 0;
  for (const auto& n : kb["niches"])
    for (const char* which : {"positive", "negative"})
      for (const auto& r : n["knowledge"][which]) {
        ++rules;
        EXPECT_TRUE(items.count(r["text"].get<std::string>())) << r["text"];
      }
  EXPECT_GT(rules, 0);
  EXPECT_EQ(rule_identity("edge 3<-1: avoid none (21 of 48 dominated members, lift 0.34)"), "edge 3<-1: avoid none");
}

TEST(RunReport, BadInputIsAClearError) {
  auto r = test::run_cli({"report", test::temp_dir("notarun")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a pelnas run directory"), std::string::npos) << r.err;
}

TEST(RunReport, FoundArchitecturesTableIsTheFrontCsv) {
  const auto& f = report_of_shared_run();
  ASSERT_TRUE(f.root);
  const CsvTable front = CsvTable::read(f.run + "/front.csv");
  auto rows = all(*f.root, [](const xml::Node& n) { return n.name == "tr" && !n.attr("data-found-index").empty(); });
  ASSERT_EQ(rows.size(), front.rows());
  double last_cost = -1;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto* row = rows[r];
    ASSERT_EQ(row->children.size(), 7u);
    EXPECT_EQ(row->children[0]->text, std::to_string(r + 1));
    bool found = false;
    for (std::size_t i = 0; i < front.rows(); ++i) {
      if (std::to_string(front.integer(i, front.column("index"))) != row->children[1]->text) continue;
      found = true;
      EXPECT_EQ(row->children[2]->text, std::string(front.cell(i, front.column("arch_str"))));
      EXPECT_EQ(row->children[3]->text.substr(0, row->children[3]->text.find(' ')),
                std::to_string(front.integer(i, front.column("niche"))));
      EXPECT_NEAR(std::stod(row->children[4]->text), front.number(i, front.column("seen_accuracy")), 0.005);
      EXPECT_NEAR(std::stod(row->children[5]->text), front.number(i, front.column("true_accuracy")), 0.005);
      const double cost = front.number(i, front.column("cost"));
      EXPECT_NEAR(std::stod(row->children[6]->text), cost, 1e-5 * cost);
      EXPECT_GE(cost, last_cost);  // sorted by cost
      last_cost = cost;
    }
    EXPECT_TRUE(found) << row->children[1]->text;
  }
}

TEST(RunReport, FoundRingsAreDrawnUnderTheTrueFront) {
  const auto& f = report_of_shared_run();
  ASSERT_TRUE(f.root);
  auto plots = all(*f.root, [](const xml::Node& n) { return n.name == "svg" && n.attr("id") == "plot-front"; });
  ASSERT_EQ(plots.size(), 1u);
  // Document order of the series groups: every found-front group before the true front.
  std::vector<std::string> order;
  plots[0]->walk([&](const xml::Node& n) {
    if (n.name == "g" && (n.has_class("found-front") || n.has_class("true-front"))) order.push_back(n.has_class("true-front") ? "T" : "F");
  });
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(order.back(), "T");
  EXPECT_EQ(std::count(order.begin(), order.end(), std::string("T")), 1);
  for (auto* g : all(*plots[0], [](const xml::Node& n) { return n.name == "g" && n.has_class("found-front"); })) {
    EXPECT_EQ(g->attr("fill-opacity"), "0");  // rings
    EXPECT_FALSE(g->attr("stroke").empty());
  }
}

TEST(RunReport, KnowledgeRulesAppearOnceWithTheirHistory) {
  const auto& f = report_of_shared_run();
  ASSERT_TRUE(f.root);
  auto section = all(*f.root, [](const xml::Node& n) { return n.name == "section" && n.attr("id") == "knowledge"; });
  ASSERT_EQ(section.size(), 1u);
  std::map<std::string, int> seen;
  int marked = 0;
  for (auto* li : section[0]->find_all([](const xml::Node& n) { return n.name == "li"; })) {
    if (!li->has_class("removed")) ++seen[li->text];
    marked += !li->find_all([](const xml::Node& n) { return n.has_class("mark"); }).empty();
  }
  ASSERT_FALSE(seen.empty());
  // Within a niche a rule is listed once; across niches the same text may recur, never more often than niches.
  for (const auto& [text, n] : seen) EXPECT_LE(n, 6) << text;
  EXPECT_GT(marked, 0);
  // Nothing is printed a second time as a "since generation 0" diff list.
  EXPECT_TRUE(all(*section[0], [](const xml::Node& n) { return n.name == "ul" && n.has_class("added"); }).empty());
}

}  // namespace
}  // namespace pelnas::report

namespace pelnas::report {
namespace {

TEST(FrontZoom, LeavesOutDegenerateCellsAndKeepsTheFronts) {
  // cifar10 on pixel3: the true front starts with a zero-output cell at 10 % accuracy.
  auto data = test::data();
  auto cost = make_cost_source(data, Dataset::Cifar10, CostSpec{"pixel3", HwMetric::Latency});
  const TrueFront tf = compute_true_front(*data, Dataset::Cifar10, *cost);
  int degenerate = 0;
  for (const auto& e : tf.entries) degenerate += is_degenerate_cell(*data, e.index);
  ASSERT_GE(degenerate, 1);
  const FrontZoom z = front_zoom(*data, tf, {});
  EXPECT_EQ(z.outside_true, degenerate);
  EXPECT_GT(z.ymin, 80.0);  // the 86-94 % region fills the plot
  EXPECT_LE(z.ymax, 100.0);
  for (const auto& e : tf.entries)
    if (!is_degenerate_cell(*data, e.index)) {
      EXPECT_GE(e.accuracy, z.ymin);
      EXPECT_LE(e.accuracy, z.ymax);
      EXPECT_GE(e.cost, z.xmin);
      EXPECT_LE(e.cost, z.xmax);
    }
  // A found point far below the front widens the zoom to show it, unless it is degenerate.
  const FrontZoom w = front_zoom(*data, tf, {{5.0, 60.0, -1}});
  EXPECT_LT(w.ymin, 60.0);
  const FrontZoom d = front_zoom(*data, tf, {{5.0, 10.0, tf.entries.front().index}});
  EXPECT_DOUBLE_EQ(d.ymin, z.ymin);
  EXPECT_EQ(d.outside_found, 1);
}

}  // namespace
}  // namespace pelnas::report

namespace pelnas::report {
namespace {

TEST(RunReport, HvAgainstLlmCallsOnlyForRunsThatCalledAModel) {
  const auto& f = report_of_shared_run();
  ASSERT_TRUE(f.root);
  // The shared run used the evolution operator: it records llm_calls = 0 and gets no calls curve.
  const CsvTable m = CsvTable::read(f.run + "/metrics.csv");
  const std::size_t calls_col = m.column("llm_calls");
  for (std::size_t i = 0; i < m.rows(); ++i) EXPECT_EQ(m.integer(i, calls_col), 0);
  EXPECT_EQ(f.html.find("plot-hv-calls"), std::string::npos);
  // The same run with model calls recorded (12 per generation) gets the curve, at those x values.
  const std::string copy = test::temp_dir("llmcalls") + "/run";
  std::filesystem::copy(f.run, copy, std::filesystem::copy_options::recursive);
  std::string csv = "generation,evaluations,hv_ratio,igd,igd_plus,hv,front_size,llm_calls\n";
  for (std::size_t i = 0; i < m.rows(); ++i) {
    for (std::size_t c = 0; c < calls_col; ++c) csv += std::string(m.cell(i, c)) + ",";
    csv += std::to_string(12 * m.integer(i, m.column("generation"))) + "\n";
  }
  test::write_file(copy + "/metrics.csv", csv);
  const std::string out = copy + "/report.html";
  auto res = test::run_cli({"report", copy, "-o", out, "--data", test::data_dir()});
  ASSERT_EQ(res.exit_code, 0) << res.err;
  const std::string html = test::read_file(out);
  EXPECT_NE(html.find("plot-hv-calls"), std::string::npos);
  EXPECT_NE(html.find("HV ratio vs LLM calls"), std::string::npos);
}

}  // namespace
}  // namespace pelnas::report

namespace pelnas::report {
namespace {

// The shared run searched on the default signal (CIFAR-10 validation accuracy): its report plots
// seen against true accuracy for the front, with the values of front.csv, and lists both.
TEST(RunReport, SeenAgainstTrueAccuracyForANonOracleSignal) {
  const auto& f = report_of_shared_run();
  ASSERT_TRUE(f.root);
  const CsvTable front = CsvTable::read(f.run + "/front.csv");
  auto points = f.root->find_all([](const xml::Node& n) { return n.name == "circle" && !n.attr("data-seen").empty(); });
  ASSERT_EQ(points.size(), front.rows());
  for (std::size_t i = 0; i < front.rows(); ++i) {
    const int index = static_cast<int>(front.integer(i, front.column("index")));
    const xml::Node* p = nullptr;
    for (const auto* q : points)
      if (std::stoi(q->attr("data-index")) == index) p = q;
    ASSERT_NE(p, nullptr) << index;
    EXPECT_EQ(std::stod(p->attr("data-seen")), *test::data()->accuracy(index, Dataset::Cifar10, AccuracyMetric::Valid));
    EXPECT_EQ(std::stod(p->attr("data-true")), *test::data()->accuracy(index, Dataset::Cifar10, AccuracyMetric::Test));
  }
  auto rows = f.root->find_all([](const xml::Node& n) { return n.name == "tr" && n.has_class("seen-true-row"); });
  EXPECT_EQ(rows.size(), front.rows());
  EXPECT_NE(f.html.find("seen accuracy (%) [table:valid]"), std::string::npos);
  EXPECT_NE(f.html.find("Spearman rank correlation of seen and true accuracy"), std::string::npos);
}

TEST(RunReport, AnOracleRunSaysSeenEqualsTrue) {
  const std::string dir = test::temp_dir("oracle") + "/run";
  auto r = test::run_cli({"search", "--generations", "1", "--accuracy", "table:test", "--data", test::data_dir(), "--out", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = dir + "/report.html";
  r = test::run_cli({"report", dir, "-o", out, "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = test::read_file(out);
  EXPECT_NE(html.find("an oracle upper bound"), std::string::npos);
  EXPECT_EQ(html.find("data-seen"), std::string::npos);
}

}  // namespace
}  // namespace pelnas::report
