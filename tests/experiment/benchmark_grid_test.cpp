#include "experiment/benchmark_grid.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <map>
#include <sstream>

#include "common/csv.h"
#include "common/error.h"
#include "evaluate/accuracy_sources.h"
#include "evaluate/evaluator.h"
#include "metrics/hypervolume.h"
#include "test_support.h"

namespace pelnas {
namespace {

// results.csv without its last column (wall_ms, the only thing allowed to vary).
std::string without_wall_time(const std::string& csv) {
  std::istringstream in(csv);
  std::string line, out;
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

TEST(BenchmarkGrid, SameFilesWhateverTheThreadCount) {
  const std::string a = test::temp_dir("grid1"), b = test::temp_dir("grid2");
  std::vector<std::string> args = {"bench", "--algos", "random,rea,nsga2", "--devices", "fpga,edgegpu", "--seeds", "3",
                                   "--budget", "60", "--data=" + test::data_dir()};
  auto one = args, two = args;
  one.insert(one.end(), {"--threads", "1", "--out", a});
  two.insert(two.end(), {"--threads", "2", "--out", b});
  const auto r1 = test::run_cli(one), r2 = test::run_cli(two);
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const auto res1 = test::read_file(a + "/results.csv");
  EXPECT_EQ(std::count(res1.begin(), res1.end(), '\n'), 1 + 2 * 3 * 3);
  EXPECT_EQ(without_wall_time(res1), without_wall_time(test::read_file(b + "/results.csv")));
  EXPECT_EQ(test::read_file(a + "/curves.csv"), test::read_file(b + "/curves.csv"));
  EXPECT_EQ(test::read_file(a + "/summary.md"), test::read_file(b + "/summary.md"));
  auto j1 = nlohmann::json::parse(test::read_file(a + "/summary.json"));
  auto j2 = nlohmann::json::parse(test::read_file(b + "/summary.json"));
  j1["options"].erase("threads");
  j2["options"].erase("threads");
  EXPECT_EQ(j1, j2);
  // The table on stdout and the partial-coverage statement.
  EXPECT_NE(r1.out.find("hv_ratio"), std::string::npos);
  EXPECT_NE(r1.out.find("12555 of 15625"), std::string::npos);
  EXPECT_NE(test::read_file(a + "/summary.md").find("edgegpu_latency (partial: 12555 of 15625 archs)"), std::string::npos);
  EXPECT_EQ(j1.at("cells").size(), 6u);
}

TEST(BenchmarkGrid, ExhaustiveGetsHvRatioOneAndIgdZero) {
  BenchmarkGridOptions o;
  o.algorithms = {"exhaustive"};
  o.devices = {"fpga", "edgetpu"};
  o.include_degenerate = true;  // the whole published tables (8787 edgetpu values, 15625 fpga)
  o.accuracy = "table:test";    // the answer is the front of what the search saw: the oracle sees the truth
  o.seeds = 1;
  o.budget = 8787;  // edgetpu's whole domain (8787 valid values); for fpga only a part of the space
  o.curve_step = 5000;
  auto r = run_benchmark_grid(test::data(), o);
  ASSERT_EQ(r.runs.size(), 2u);
  EXPECT_EQ(r.runs[1].result.hv_ratio, 1.0);
  EXPECT_EQ(r.runs[1].result.igd, 0.0);
  EXPECT_LT(r.runs[0].result.hv_ratio, 1.0);  // fpga: 8787 of 15625 in index order miss part of the front
  o.devices = {"fpga"};
  o.budget = 15625;
  r = run_benchmark_grid(test::data(), o);
  EXPECT_DOUBLE_EQ(r.runs[0].result.hv_ratio, 1.0);
  EXPECT_EQ(r.runs[0].result.igd, 0.0);
  EXPECT_EQ(r.runs[0].result.igd_plus, 0.0);
  EXPECT_EQ(r.runs[0].curve.back().evaluations, 15625);
  EXPECT_EQ(r.runs[0].curve.back().hv_ratio, r.runs[0].result.hv_ratio);
  // By default the 341 degenerate cells are out of the space: 15284 fpga architectures.
  o.include_degenerate = false;
  o.budget = 15625 - 341;
  r = run_benchmark_grid(test::data(), o);
  EXPECT_EQ(r.settings[0].coverage, 15284);
  EXPECT_EQ(r.settings[0].excluded, 341);
  EXPECT_DOUBLE_EQ(r.runs[0].result.hv_ratio, 1.0);
  EXPECT_EQ(r.runs[0].result.igd, 0.0);
  // With the honest default signal even the whole space does not give the true front: the answer is
  // the front under validation accuracy, scored on test accuracy.
  o.accuracy = "valid";
  r = run_benchmark_grid(test::data(), o);
  EXPECT_LT(r.runs[0].result.hv_ratio, 1.0);
  EXPECT_GT(r.runs[0].result.hv_ratio, 0.9);
}

TEST(BenchmarkGrid, ARunDoesNotDependOnTheRestOfTheGrid) {
  BenchmarkGridOptions small;
  small.algorithms = {"rea"};
  small.devices = {"eyeriss"};
  small.seeds = 2;
  small.budget = 50;
  small.accuracy = "table:test";  // the oracle signal: the archive's HV can only grow
  BenchmarkGridOptions big = small;
  big.algorithms = {"random", "rea"};
  big.devices = {"fpga", "eyeriss"};
  const auto a = run_benchmark_grid(test::data(), small);
  const auto b = run_benchmark_grid(test::data(), big);
  for (const auto& ra : a.runs) {
    bool found = false;
    for (const auto& rb : b.runs)
      if (b.settings[rb.setting].device == "eyeriss" && rb.algorithm == "rea" && rb.seed == ra.seed) {
        found = true;
        EXPECT_EQ(rb.result.hv, ra.result.hv);
        EXPECT_EQ(rb.result.igd, ra.result.igd);
      }
    EXPECT_TRUE(found);
  }
  // Different seeds give different runs.
  EXPECT_NE(a.runs[0].result.hv, a.runs[1].result.hv);
  // Curves: one point per 10 evaluations, ending at the budget with the final score.
  EXPECT_EQ(a.runs[0].curve.size(), 5u);
  EXPECT_EQ(a.runs[0].curve.back().hv_ratio, a.runs[0].result.hv_ratio);
  for (std::size_t i = 1; i < a.runs[0].curve.size(); ++i)
    EXPECT_GE(a.runs[0].curve[i].hv_ratio, a.runs[0].curve[i - 1].hv_ratio - 1e-12) << "HV of an archive only grows "
                                                                                         "with table test accuracy";
}

TEST(BenchmarkGrid, BadBudgetAndNamesExitTwoWithAClearMessage) {
  const std::string data = "--data=" + test::data_dir();
  auto r = test::run_cli({"bench", "--budget", "0", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--budget 0"), std::string::npos) << r.err;
  // edgetpu: 8787 values, minus the degenerate cells among them (counted here from the table; none
  // of them has an Edge TPU value).
  int edgetpu_domain = 0;
  for (int i = 0; i < test::data()->size(); ++i)
    edgetpu_domain += test::data()->hw(i, Dataset::Cifar10, Device::EdgeTpu, HwMetric::Latency).has_value() &&
                      !test::data()->zero_output(i);
  r = test::run_cli({"bench", "--devices", "edgetpu", "--budget", "9000", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("[1, " + std::to_string(edgetpu_domain) + "]"), std::string::npos) << r.err;
  r = test::run_cli({"bench", "--budget", "15626", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("[1, 15284]"), std::string::npos) << r.err;  // 15625 minus the 341 degenerate cells
  r = test::run_cli({"bench", "--algos", "random,annealing", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("annealing"), std::string::npos) << r.err;
  r = test::run_cli({"bench", "--algo-options", R"({"rea":{"populaton":5}})", "--algos", "rea", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("populaton"), std::string::npos) << r.err;
  r = test::run_cli({"bench", "--datasets", "cifar100", "--devices", "fpga", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  // Accuracy signals: an unknown one lists the valid ones; a table column the dataset lacks says
  // what it has; `valid` resolves to the dataset's best validation signal.
  r = test::run_cli({"bench", "--accuracy", "oracle", "--devices", "flops", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  for (const char* name : {"'oracle'", "valid", "table:valid12", "table:test", "predictor"})
    EXPECT_NE(r.err.find(name), std::string::npos) << name << ": " << r.err;
  r = test::run_cli({"bench", "--accuracy", "table:valid", "--datasets", "cifar100", "--devices", "flops", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  for (const char* name : {"cifar100", "table:valid12", "table:test12", "table:test"})
    EXPECT_NE(r.err.find(name), std::string::npos) << name << ": " << r.err;
  // A budget the PEL-NAS entry cannot spend, or below its seeding cost.
  r = test::run_cli({"bench", "--algos", "pelnas:generations=5", "--budget", "600", "--devices", "fpga", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("174 evaluations"), std::string::npos) << r.err;  // 6 x (4 + 5 x 5)
  r = test::run_cli({"bench", "--algos", "pelnas", "--budget", "20", "--devices", "fpga", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("minimum budget is 24"), std::string::npos) << r.err;  // 6 niches x 4 seeds
}

TEST(BenchmarkGrid, EveryAlgorithmSpendsALargerBudget) {
  BenchmarkGridOptions o;
  o.algorithms = {"pelnas", "pelnas:no_partition=true:children_per_call=32", "nsga2", "random"};
  o.devices = {"fpga"};
  o.seeds = 1;
  o.budget = 600;  // more than PEL-NAS's 10-generation default plan (324)
  o.curve_step = 600;
  const auto r = run_benchmark_grid(test::data(), o);
  for (const auto& run : r.runs) EXPECT_EQ(run.evaluations, 600) << run.algorithm;
  EXPECT_EQ(r.settings[0].accuracy_signal, "table:valid");
}

TEST(BenchmarkGrid, SignalsResolvePerDatasetAndAreRecorded) {
  BenchmarkGridOptions o;
  o.algorithms = {"random"};
  o.datasets = {Dataset::Cifar10, Dataset::Cifar100};
  o.devices = {"flops"};
  o.seeds = 1;
  o.budget = 20;
  const auto r = run_benchmark_grid(test::data(), o);
  ASSERT_EQ(r.settings.size(), 2u);
  EXPECT_EQ(r.settings[0].accuracy_signal, "table:valid");
  EXPECT_EQ(r.settings[1].accuracy_signal, "table:valid12");  // no 200-epoch validation for cifar100
  EXPECT_FALSE(test::data()->has_accuracy(Dataset::Cifar100, AccuracyMetric::Valid));
  const auto j = r.summary_json();
  EXPECT_EQ(j["options"]["accuracy"], "valid");
  EXPECT_EQ(j["settings"][1]["accuracy_signal"], "table:valid12");
  EXPECT_EQ(j["settings"][1]["excluded_degenerate"], 341);
  EXPECT_NE(r.summary_markdown().find("`table:valid12`"), std::string::npos);
}

// The grid shares one accuracy source per dataset behind a lock; it must pass a generation's
// batch through (a predictor computes those proxies together), not split it into single calls.
class BatchRecordingAccuracy : public AccuracySource {
 public:
  explicit BatchRecordingAccuracy(std::shared_ptr<const BenchmarkData> data)
      : table_(std::move(data), Dataset::Cifar10, AccuracyMetric::Valid) {}
  std::string name() const override { return "test:batch-recording"; }
  std::optional<double> accuracy(int index, const Arch& arch) override {
    ++singles;
    return table_.accuracy(index, arch);
  }
  std::vector<std::optional<double>> accuracies(std::span<const int> indices, std::span<const Arch> archs) override {
    largest_batch = std::max(largest_batch, static_cast<int>(archs.size()));
    std::vector<std::optional<double>> out;
    for (std::size_t i = 0; i < archs.size(); ++i) out.push_back(table_.accuracy(indices[i], archs[i]));
    return out;
  }
  static inline int largest_batch = 0;
  static inline int singles = 0;

 private:
  TableAccuracy table_;
};

TEST(BenchmarkGrid, PassesAGenerationsBatchToTheSharedAccuracySource) {
  register_accuracy_source("test:batch-recording", [](const AccuracySourceOptions& a) {
    return std::make_shared<BatchRecordingAccuracy>(a.data);
  });
  BenchmarkGridOptions o;
  o.algorithms = {"pelnas"};
  o.devices = {"fpga"};
  o.accuracy = "test:batch-recording";
  o.seeds = 1;
  o.budget = 60;
  o.curve_step = 60;
  const auto r = run_benchmark_grid(test::data(), o);
  EXPECT_EQ(r.runs.at(0).evaluations, 60);
  EXPECT_EQ(BatchRecordingAccuracy::singles, 0);
  EXPECT_GE(BatchRecordingAccuracy::largest_batch, 24);  // the seeding batch: 6 niches x 4 seeds
}

TEST(BenchmarkGrid, AlgorithmEntriesCarryInlineOptions) {
  const auto a = AlgorithmSpec::parse("pelnas:no_partition=true:generations=3:partition=conv3x3:crossover_probability=0.25",
                                      nlohmann::json::object());
  EXPECT_EQ(a.search, "pelnas");
  EXPECT_EQ(a.label, "pelnas:no_partition=true:generations=3:partition=conv3x3:crossover_probability=0.25");
  EXPECT_EQ(a.options, (nlohmann::json{{"no_partition", true}, {"generations", 3}, {"partition", "conv3x3"},
                                       {"crossover_probability", 0.25}}));
  // Inline options override algorithm_options of the same entry; a bare name takes its options unchanged.
  const auto b = AlgorithmSpec::parse("rea:population=20", {{"rea:population=20", {{"population", 7}, {"sample", 3}}}});
  EXPECT_EQ(b.options, (nlohmann::json{{"population", 20}, {"sample", 3}}));
  EXPECT_EQ(AlgorithmSpec::parse("rea", {{"rea", {{"population", 7}}}}).options, (nlohmann::json{{"population", 7}}));
  EXPECT_THROW(AlgorithmSpec::parse("pelnas:no_partition", {}), Error);
  EXPECT_THROW(AlgorithmSpec::parse(":x=1", {}), Error);
}

TEST(BenchmarkGrid, AblationRowFromAnInlineOption) {
  // Both spend the whole budget: generations come from it (one niche: ceil((100 - 4) / 5) = 20).
  BenchmarkGridOptions o;
  o.algorithms = {"pelnas", "pelnas:no_partition=true"};
  o.devices = {"fpga"};
  o.seeds = 2;
  o.budget = 100;
  const auto r = run_benchmark_grid(test::data(), o);
  ASSERT_EQ(r.cells.size(), 2u);
  EXPECT_EQ(r.cells[0].algorithm, "pelnas");
  EXPECT_DOUBLE_EQ(r.cells[0].evaluations.mean, 100);
  EXPECT_EQ(r.cells[1].algorithm, "pelnas:no_partition=true");
  EXPECT_DOUBLE_EQ(r.cells[1].evaluations.mean, 100);
  const auto cli = test::run_cli({"bench", "--algos", "pelnas:no_partiton=true", "--seeds", "1", "--budget", "60",
                                  "--data=" + test::data_dir()});
  EXPECT_EQ(cli.exit_code, 2);
  EXPECT_NE(cli.err.find("no_partiton"), std::string::npos) << cli.err;
}

TEST(BenchmarkGrid, KeepsEachRunsArchiveAndFront) {
  const std::string out = test::temp_dir("grid_archives");
  const auto r = test::run_cli({"bench", "--algos", "random,rea", "--devices", "fpga,edgegpu", "--seeds", "2", "--budget",
                                "40", "--out", out, "--data=" + test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto results = CsvTable::parse(test::read_file(out + "/results.csv"), "results.csv");
  const auto archives = CsvTable::parse(test::read_file(out + "/archives.csv"), "archives.csv");
  const auto fronts = CsvTable::parse(test::read_file(out + "/fronts.csv"), "fronts.csv");
  ASSERT_EQ(results.rows(), 8u);
  EXPECT_EQ(archives.rows(), 8u * 40u);  // every evaluation of every run
  const auto key = [](const CsvTable& t, std::size_t i) {
    return std::string(t.cell(i, t.column("device"))) + "/" + std::string(t.cell(i, t.column("algo"))) + "/" +
           std::string(t.cell(i, t.column("seed")));
  };
  std::map<std::string, std::vector<Point2>> front_points;
  std::map<std::string, int> on_front;
  for (std::size_t i = 0; i < fronts.rows(); ++i)
    front_points[key(fronts, i)].push_back({fronts.number(i, fronts.column("error_norm")),
                                            fronts.number(i, fronts.column("cost_norm"))});
  for (std::size_t i = 0; i < archives.rows(); ++i) {
    on_front[key(archives, i)] += static_cast<int>(archives.integer(i, archives.column("on_front")));
    // true_accuracy is the table's test accuracy of that architecture.
    const int index = static_cast<int>(archives.integer(i, archives.column("index")));
    EXPECT_EQ(archives.number(i, archives.column("true_accuracy")), *test::data()->accuracy(index, Dataset::Cifar10));
    // seen_accuracy is the default signal's: CIFAR-10 200-epoch validation accuracy.
    EXPECT_EQ(archives.number(i, archives.column("seen_accuracy")),
              *test::data()->accuracy(index, Dataset::Cifar10, AccuracyMetric::Valid));
  }
  // Each run's front, from its normalised points alone, has the hypervolume results.csv reports.
  for (std::size_t i = 0; i < results.rows(); ++i) {
    const auto k = key(results, i);
    ASSERT_TRUE(front_points.count(k)) << k;
    EXPECT_EQ(on_front[k], static_cast<int>(front_points[k].size())) << k;
    EXPECT_NEAR(hypervolume_2d(front_points[k], {1.0, 1.0}), results.number(i, results.column("hv")), 1e-12) << k;
  }
}

TEST(BenchmarkGrid, ValidatesBeforeAnnouncingAndNeverReplacesAGridSilently) {
  const std::string data = "--data=" + test::data_dir();
  auto r = test::run_cli({"bench", "--algos", "foo", "--seeds", "1", data});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("foo"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("runs on"), std::string::npos) << "announced before failing: " << r.err;
  const std::string out = test::temp_dir("grid_overwrite");
  const std::vector<std::string> grid = {"bench", "--algos", "random", "--devices", "fpga", "--seeds", "1", "--budget", "20",
                                         "--out", out, data};
  r = test::run_cli(grid);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("bench: 1 runs on"), std::string::npos) << r.err;
  const std::string first = test::read_file(out + "/results.csv");
  auto again = grid;
  again[8] = "30";  // another budget into the same directory
  r = test::run_cli(again);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is not empty"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--overwrite"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(out + "/results.csv"), first) << "the earlier grid is intact";
  again.push_back("--overwrite");
  r = test::run_cli(again);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(test::read_file(out + "/results.csv"), first);
}

TEST(BenchmarkGrid, ProxyThreadsAreCheckedAndRecorded) {
  const std::string data = "--data=" + test::data_dir();
  auto r = test::run_cli({"bench", "--algos", "random", "--devices", "fpga", "--seeds", "1", "--budget", "20",
                          "--proxy-threads", "0", data});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--proxy-threads"), std::string::npos) << r.err;
  const std::string out = test::temp_dir("grid_proxy_threads");
  r = test::run_cli({"bench", "--algos", "random", "--devices", "fpga", "--seeds", "1", "--budget", "20",
                     "--proxy-threads", "3", "--out", out, data});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_file(out + "/summary.json"));
  EXPECT_EQ(j.at("options").at("proxy_threads").get<int>(), 3);
  BenchmarkGridOptions o;
  o.proxy_threads = 0;
  try {
    o.validate();
    ADD_FAILURE() << "proxy_threads 0 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("proxy_threads"), std::string::npos) << e.what();
  }
}

TEST(BenchmarkGrid, JsonIsOneDocument) {
  const auto r = test::run_cli({"bench", "--algos", "random", "--devices", "flops", "--seeds", "2", "--budget", "30",
                                "--json", "--data=" + test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("cells").at(0).at("runs").get<int>(), 2);
  EXPECT_TRUE(j.at("cells").at(0).at("hv_ratio").contains("mean"));
  EXPECT_NE(j.at("settings").at(0).at("protocol").get<std::string>().find("re-scored"), std::string::npos);
}

}  // namespace
}  // namespace pelnas
