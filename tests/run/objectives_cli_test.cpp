// More than two objectives through the CLI (issue 11): `front`, `search`, `report`, `export` and
// `bench` with --objectives accuracy,latency,energy, and the bad-input errors (exit 2).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "hardware/searchable_space.h"
#include "metrics/evaluation_protocol.h"
#include "metrics/true_front.h"
#include "report/xml.h"
#include "test_support.h"

namespace pelnas {
namespace {

const std::string kThree = "accuracy,latency,energy";

TEST(ObjectivesCli, FrontWithThreeObjectivesMatchesTheLibrary) {
  const auto r = test::run_cli({"front", "--device", "eyeriss", "--objectives", kThree, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["objectives"], nlohmann::json::array({"accuracy", "eyeriss_latency", "eyeriss_energy"}));
  auto data = test::data();
  const auto lat = make_searchable_cost(data, Dataset::Cifar10, {"eyeriss", HwMetric::Latency});
  const auto en = make_searchable_cost(data, Dataset::Cifar10, {"eyeriss", HwMetric::Energy});
  const auto front = compute_true_front(*data, Dataset::Cifar10, *lat, {en.get()});
  ASSERT_EQ(j["front"].size(), front.entries.size());
  for (std::size_t i = 0; i < front.entries.size(); ++i) {
    EXPECT_EQ(j["front"][i]["index"], front.entries[i].index);
    EXPECT_EQ(j["front"][i]["eyeriss_energy"].get<double>(), front.entries[i].extra_costs[0]);
  }
  const auto csv = test::run_cli({"front", "--device", "fpga", "--objectives", kThree, "--csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const auto t = CsvTable::parse(csv.out, "front.csv");
  EXPECT_TRUE(t.find_column("fpga_latency") && t.find_column("fpga_energy"));
}

TEST(ObjectivesCli, BadObjectivesAndMissingMetricsExitTwoWithTheValidNames) {
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"front", "--objectives", "accuracy,latncy"},
           {"search", "--objectives", "accuracy,latency,power", "--out", test::temp_dir("obj-bad") + "/r"},
           {"bench", "--objectives", "accuracy,power", "--algos", "random", "--seeds", "1", "--budget", "10"}}) {
    const auto r = test::run_cli(cmd);
    EXPECT_EQ(r.exit_code, 2) << cmd[0] << ": " << r.err;
    EXPECT_NE(r.err.find("valid objectives: accuracy, latency, energy"), std::string::npos) << cmd[0] << ": " << r.err;
  }
  // pixel3 has latency only in HW-NAS-Bench: the error names what it has.
  const auto r = test::run_cli({"search", "--device", "pixel3", "--objectives", kThree, "--out",
                                test::temp_dir("obj-pixel3") + "/r"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("pixel3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("it has: latency"), std::string::npos) << r.err;
  // --metric contradicting --objectives, and a 2-D reference point for 3 objectives.
  const auto m = test::run_cli({"front", "--device", "fpga", "--metric", "energy", "--objectives", kThree});
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.err.find("contradicts --objectives"), std::string::npos) << m.err;
  const auto h = test::run_cli({"search", "--device", "fpga", "--objectives", kThree, "--hv-ref", "1.1,1.1", "--out",
                                test::temp_dir("obj-ref") + "/r"});
  EXPECT_EQ(h.exit_code, 2);
  EXPECT_NE(h.err.find("--hv-ref: 2 numbers for 3 objectives"), std::string::npos) << h.err;
}

TEST(ObjectivesCli, ThreeObjectiveSearchRecordsScoresReportsAndExports) {
  const std::string dir = test::temp_dir("obj-search") + "/run";
  const auto r = test::run_cli({"search", "--device", "eyeriss", "--objectives", kThree, "--operator", "evolution",
                                "--seed", "2", "--budget", "80", "--out", dir, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto config = nlohmann::json::parse(test::read_file(dir + "/config.json"));
  EXPECT_EQ(config["objectives"], nlohmann::json::array({"accuracy", "latency", "energy"}));
  // archive.csv: one column per objective; the energies are the table's.
  const auto archive = CsvTable::parse(test::read_file(dir + "/archive.csv"), "archive.csv");
  ASSERT_EQ(archive.rows(), 80u);
  auto data = test::data();
  const auto lat = make_searchable_cost(data, Dataset::Cifar10, {"eyeriss", HwMetric::Latency});
  const auto en = make_searchable_cost(data, Dataset::Cifar10, {"eyeriss", HwMetric::Energy});
  for (std::size_t i = 0; i < archive.rows(); ++i) {
    const int index = static_cast<int>(archive.integer(i, archive.column("index")));
    EXPECT_EQ(archive.number(i, archive.column("energy")), *en->cost(index));
    EXPECT_EQ(archive.number(i, archive.column("latency")), *lat->cost(index));
  }
  // The reported metrics are the 3-D protocol's on the reported front.
  const EvaluationProtocol p(compute_true_front(*data, Dataset::Cifar10, *lat, {en.get()}));
  std::vector<ObjectiveVector> pts;
  for (const auto& f : j["front"]) {
    ASSERT_EQ(f["extra_costs"].size(), 1u);
    pts.push_back({100.0 - f["true_accuracy"].get<double>(), f["cost"].get<double>(), f["extra_costs"][0].get<double>()});
  }
  EXPECT_NEAR(j["hv_ratio"].get<double>(), p.score_objectives(pts).hv_ratio, 1e-12);
  EXPECT_GT(j["hv_ratio"].get<double>(), 0.3);
  // The report has the projections and the parallel-coordinates plot; export carries every cost.
  const auto rep = test::run_cli({"report", dir, "-o", dir + "/report.html"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  const std::string html = test::read_file(dir + "/report.html");
  EXPECT_NE(html.find("plot-projection-2"), std::string::npos);
  EXPECT_NE(html.find("plot-parallel"), std::string::npos);
  const auto ex = test::run_cli({"export", dir, "--pick", "knee", "--format", "json"});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  const auto e = nlohmann::json::parse(ex.out);
  const int index = e["index"].get<int>();
  EXPECT_EQ(e["metrics"]["extra_costs"][0]["value"].get<double>(), *en->cost(index));
  EXPECT_EQ(e["metrics"]["extra_costs"][0]["name"], "eyeriss_energy");
  // The text summary names every cost column by its objective and unit (not cost2).
  const auto text = test::run_cli({"search", "--resume", dir});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("latency_ms"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("energy_mj"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("cost2"), std::string::npos) << text.out;
  // Resume of a finished 3-objective run returns the same summary.
  const auto again = test::run_cli({"search", "--resume", dir, "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["hv_ratio"], j["hv_ratio"]);
}

TEST(ObjectivesCli, BenchWithThreeObjectivesAndATomlList) {
  const std::string dir = test::temp_dir("obj-bench");
  const auto r = test::run_cli({"bench", "--algos", "random,nsga2,rea", "--devices", "fpga", "--objectives", kThree,
                                "--seeds", "1", "--budget", "60", "--out", dir + "/grid", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["options"]["objectives"], nlohmann::json::array({"accuracy", "latency", "energy"}));
  EXPECT_EQ(j["settings"][0]["nadir"].size(), 3u);
  for (const auto& c : j["cells"]) EXPECT_GT(c["hv_ratio"]["mean"].get<double>(), 0.0) << c["algo"];
  const auto fronts = CsvTable::parse(test::read_file(dir + "/grid/fronts.csv"), "fronts.csv");
  EXPECT_TRUE(fronts.find_column("energy") && fronts.find_column("energy_norm"));
  // The bench report draws accuracy against each cost: one median-front chart per cost objective,
  // the energy one with the fronts' energies.
  const auto rep = test::run_cli({"report", dir + "/grid", "-o", dir + "/grid.html"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  const std::string html = test::read_file(dir + "/grid.html");
  EXPECT_NE(html.find("id=\"plot-bench-front-0\""), std::string::npos);
  EXPECT_NE(html.find("id=\"plot-bench-front-0-energy\""), std::string::npos);
  EXPECT_NE(html.find("accuracy vs energy"), std::string::npos);
  // A TOML list in a search config.
  test::write_file(dir + "/c.toml", "device = \"fpga\"\nobjectives = [\"accuracy\", \"latency\", \"energy\"]\n");
  const auto s = test::run_cli({"search", "--config", dir + "/c.toml", "--operator", "evolution", "--budget", "40",
                                "--out", dir + "/run", "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(test::read_file(dir + "/run/config.json"))["objectives"].size(), 3u);
}

TEST(ObjectivesCli, CompareReportDrawsOneFrontChartPerCost) {
  // Two 3-objective runs compared: accuracy vs latency and accuracy vs energy, each chart's rings at
  // the runs' own front values of that cost.
  const std::string dir = test::temp_dir("obj-compare");
  for (const char* seed : {"1", "2"}) {
    const auto r = test::run_cli({"search", "--device", "fpga", "--objectives", kThree, "--operator", "evolution", "--seed",
                                  seed, "--budget", "40", "--out", dir + "/run" + seed, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const auto rep = test::run_cli({"report", dir + "/run1", dir + "/run2", "-o", dir + "/cmp.html"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  const std::string html = test::read_file(dir + "/cmp.html");
  const auto lat = html.find("id=\"plot-cmp-front-0\""), en = html.find("id=\"plot-cmp-front-0-energy\"");
  ASSERT_NE(lat, std::string::npos);
  ASSERT_NE(en, std::string::npos);
  EXPECT_NE(html.find("accuracy vs energy"), std::string::npos);
  const auto front = CsvTable::parse(test::read_file(dir + "/run1/front.csv"), "front.csv");
  const std::string energy_chart = html.substr(en, html.find("</svg>", en) - en);
  for (std::size_t i = 0; i < front.rows(); ++i) {
    const double e = front.number(i, front.column("energy"));
    EXPECT_NE(energy_chart.find("data-cost=\"" + report::format_number(e, 17) + "\""), std::string::npos) << e;
  }
}

}  // namespace
}  // namespace pelnas
