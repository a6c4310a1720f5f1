#include "report/export.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "common/error.h"
#include "hardware/cost_source.h"
#include "report/pytorch_stub.h"
#include "report/run_fixture.h"

namespace pelnas::report {
namespace {

RunPoint pt(double cost, double acc, int index) {
  RunPoint p;
  p.cost = cost;
  p.seen_accuracy = acc;
  p.true_accuracy = acc;
  p.index = index;
  p.arch = Arch::from_lex_code(index);
  return p;
}

TEST(Export, PickParsesRulesAndIndices) {
  EXPECT_EQ(Pick::parse("knee").rule, PickRule::Knee);
  EXPECT_EQ(Pick::parse("max-accuracy").rule, PickRule::MaxAccuracy);
  EXPECT_EQ(Pick::parse("min-latency").rule, PickRule::MinCost);
  EXPECT_EQ(Pick::parse("6111").index, 6111);
  EXPECT_THROW(Pick::parse("15625"), Error);
  EXPECT_THROW(Pick::parse("best"), Error);
  EXPECT_THROW(Pick::parse("12a"), Error);
  EXPECT_EQ(Pick::parse("fastest").rule, PickRule::MinCost);  // the README's word
  EXPECT_EQ(Pick::parse("most-accurate").rule, PickRule::MaxAccuracy);
  const Pick by_arch = Pick::parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  EXPECT_EQ(by_arch.rule, PickRule::Index);
  ASSERT_TRUE(by_arch.arch.has_value());
  EXPECT_EQ(by_arch.arch->str(), "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  EXPECT_THROW(Pick::parse("|conv~0|"), Error);
  EXPECT_NE(Pick::parse("min-latency").describe().find("lowest-cost"), std::string::npos);
}

TEST(Export, KneeIsFarthestFromTheChordInNormalisedSpace) {
  // Normalised: (0,0), (0.1,0.9), (0.5,0.95), (1,1): distances to u=v are 0, 0.8, 0.45, 0 (/sqrt 2).
  std::vector<RunPoint> front = {pt(10, 95, 3), pt(0, 50, 0), pt(5, 94.5, 2), pt(1, 90, 1)};
  EXPECT_EQ(front[knee_position(front)].index, 1);
  // Scaling an objective does not move the knee (normalisation).
  for (auto& p : front) p.cost *= 1000;
  EXPECT_EQ(front[knee_position(front)].index, 1);
  // Degenerate fronts: one point, or equal accuracies -> the lowest cost.
  EXPECT_EQ(knee_position({pt(3, 70, 9)}), 0u);
  std::vector<RunPoint> flat = {pt(3, 70, 9), pt(1, 70, 8)};
  EXPECT_EQ(flat[knee_position(flat)].index, 8);
  EXPECT_THROW(knee_position({}), Error);
  EXPECT_EQ(pick_candidate(front, front, Pick::parse("max-accuracy"))->index, 3);
  EXPECT_EQ(pick_candidate(front, front, Pick::parse("min-latency"))->index, 0);
  EXPECT_EQ(pick_candidate(front, front, Pick::parse("fastest"))->index, 0);
  EXPECT_EQ(pick_candidate(front, front, Pick::parse("2"))->index, 2);
  EXPECT_FALSE(pick_candidate(front, front, Pick::parse("77")).has_value()) << "not evaluated: the caller uses the table";
}

TEST(Export, PytorchModuleParameterCountsMatchTheTable) {
  if (!test::have_python3()) GTEST_SKIP() << "python3 not available";
  const auto data = test::data();
  const std::string dir = test::temp_dir("pyexport");
  // One architecture per conv3x3 count 0..6 plus special cells (all none, all avg_pool, 6111).
  std::vector<int> indices = {6111, 0};
  for (int k = 0; k <= 6; ++k)
    for (int i = 0; i < data->size(); ++i)
      if (data->arch(i).count(Op::Conv3x3) == k && data->arch(i).count(Op::Conv1x1) == (6 - k) / 2) {
        indices.push_back(i);
        break;
      }
  indices.push_back(data->index_of(Arch::parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")));
  indices.push_back(data->index_of(Arch::parse("|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|")));
  std::vector<std::string> modules;
  std::vector<long long> expected;
  for (Dataset d : kAllDatasets)
    for (int index : indices) {
      RunPoint c;
      c.arch = data->arch(index);
      c.index = index;
      c.true_accuracy = data->accuracy(index, d).value_or(NAN);
      const long long table = std::llround(data->params(index, d) * 1e6);
      expected.push_back(table);
      modules.push_back(dir + "/m" + std::to_string(modules.size()) + ".py");
      test::write_file(modules.back(), pytorch_module_source(c, d, table, {}, Pick{}));
    }
  const auto counts = test::count_module_parameters(dir, modules);
  ASSERT_EQ(counts.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(counts[i].counted, expected[i]) << "module " << i;
    EXPECT_EQ(counts[i].stated, expected[i]) << "module " << i;
  }
}

TEST(Export, PytorchModuleNamesTheOpsPerEdgeAndOnlyImportsTorch) {
  RunPoint c;
  c.arch = Arch::parse("|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|");
  c.index = 1;
  const std::string src = pytorch_module_source(c, Dataset::ImageNet16_120, 123, {}, Pick::parse("fastest"));
  for (const char* edge : {"(1, 0, \"nor_conv_3x3\")", "(2, 0, \"none\")", "(2, 1, \"nor_conv_1x1\")",
                           "(3, 0, \"skip_connect\")", "(3, 1, \"avg_pool_3x3\")", "(3, 2, \"nor_conv_3x3\")"})
    EXPECT_NE(src.find(edge), std::string::npos) << edge;
  EXPECT_NE(src.find("NUM_CLASSES = 120"), std::string::npos);
  EXPECT_NE(src.find("INPUT_SIZE = 16"), std::string::npos);
  EXPECT_NE(src.find("count_include_pad=False"), std::string::npos);
  std::size_t imports = 0;
  for (std::size_t p = src.find("import "); p != std::string::npos; p = src.find("import ", p + 1)) {
    const std::size_t bol = src.rfind('\n', p) + 1;
    const std::string line = src.substr(bol, src.find('\n', p) - bol);
    if (line.rfind("#", 0) == 0) continue;
    ++imports;
    EXPECT_TRUE(line == "import torch" || line == "import torch.nn as nn") << line;
  }
  EXPECT_EQ(imports, 2u);
  if (test::have_python3()) {
    const std::string path = test::temp_dir("ast") + "/m.py";
    test::write_file(path, src);
    EXPECT_EQ(std::system(("python3 -c \"import ast,sys; ast.parse(open(sys.argv[1]).read())\" " + path).c_str()), 0);
  }
}

TEST(ExportCli, JsonRecordMatchesTheRunFrontAndTheTable) {
  const std::string& run = test::shared_run_dir();
  ASSERT_FALSE(run.empty());
  const CsvTable front = CsvTable::read(run + "/front.csv");
  // The front's most accurate point as the search saw it (ties: lower cost), from the CSV directly.
  std::size_t best = 0;
  for (std::size_t i = 1; i < front.rows(); ++i) {
    const double a = front.number(i, front.column("seen_accuracy")), b = front.number(best, front.column("seen_accuracy"));
    if (a > b || (a == b && front.number(i, front.column("cost")) < front.number(best, front.column("cost")))) best = i;
  }
  auto r = test::run_cli({"export", run, "--pick", "max-accuracy", "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const int index = static_cast<int>(front.integer(best, front.column("index")));
  EXPECT_EQ(j.at("index"), index);
  EXPECT_EQ(j.at("arch"), std::string(front.cell(best, front.column("arch_str"))));
  EXPECT_EQ(j.at("arch"), test::data()->arch(index).str());
  EXPECT_DOUBLE_EQ(j["metrics"]["true_accuracy"].get<double>(), *test::data()->accuracy(index, Dataset::Cifar10));
  EXPECT_DOUBLE_EQ(j["metrics"]["cost"]["value"].get<double>(), front.number(best, front.column("cost")));
  EXPECT_EQ(j["metrics"]["cost"]["unit"], "ms");
  EXPECT_EQ(j["metrics"]["cost"]["name"], "fpga_latency");
  EXPECT_DOUBLE_EQ(j["metrics"]["params_m"].get<double>(), test::data()->params(index, Dataset::Cifar10));
  EXPECT_DOUBLE_EQ(j["metrics"]["seen_accuracy"].get<double>(), *test::data()->accuracy(index, Dataset::Cifar10, AccuracyMetric::Valid));
  EXPECT_EQ(j["metrics"]["accuracy_signal"], "table:valid");
  EXPECT_EQ(j["provenance"]["seed"], 3);
  EXPECT_EQ(j["provenance"]["dataset"], "cifar10");
  EXPECT_EQ(j["provenance"]["device"], "fpga");
  EXPECT_EQ(j["provenance"]["operator"], "evolution");
  EXPECT_EQ(j["provenance"]["run_dir"], run);
  EXPECT_FALSE(j["provenance"]["pelnas_version"].get<std::string>().empty());
  EXPECT_EQ(j["edges"].size(), 6u);

  // min-latency and knee are front points too.
  for (const char* pick : {"min-latency", "knee"}) {
    auto k = test::run_cli({"export", run, "--pick", pick, "--data", test::data_dir()});
    ASSERT_EQ(k.exit_code, 0) << k.err;
    const int ki = nlohmann::json::parse(k.out).at("index");
    bool on_front = false;
    for (std::size_t i = 0; i < front.rows(); ++i) on_front |= front.integer(i, front.column("index")) == ki;
    EXPECT_TRUE(on_front) << pick;
  }
}

TEST(ExportCli, PytorchFileAndBadInput) {
  const std::string& run = test::shared_run_dir();
  ASSERT_FALSE(run.empty());
  const std::string out = test::temp_dir("export") + "/model.py";
  auto r = test::run_cli({"export", run, "--pick", "knee", "--format", "pytorch", "-o", out, "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string src = test::read_file(out);
  EXPECT_NE(src.find("def count_parameters(model):"), std::string::npos);
  EXPECT_NE(src.find("Expected parameter count (NB201 table, params_c10): "), std::string::npos);
  if (test::have_python3()) {
    EXPECT_EQ(std::system(("python3 -c \"import ast,sys; ast.parse(open(sys.argv[1]).read())\" " + out).c_str()), 0);
  }

  auto bad = test::run_cli({"export", run, "--pick", "sideways"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("knee, max-accuracy (most-accurate), min-latency"), std::string::npos) << bad.err;
  // Any NB201 cell can be exported, also one the run never evaluated (by index or arch string): the
  // table's numbers, no accuracy the search saw.
  const CsvTable archive = CsvTable::read(run + "/archive.csv");
  std::set<long long> seen;
  for (std::size_t i = 0; i < archive.rows(); ++i) seen.insert(archive.integer(i, archive.column("index")));
  int unseen = 0;
  while (seen.count(unseen)) ++unseen;
  for (const std::string& pick : {std::to_string(unseen), test::data()->arch(unseen).str()}) {
    auto u = test::run_cli({"export", run, "--pick", pick, "--data", test::data_dir()});
    ASSERT_EQ(u.exit_code, 0) << u.err;
    const auto j = nlohmann::json::parse(u.out);
    EXPECT_EQ(j.at("index"), unseen);
    EXPECT_TRUE(j["metrics"]["seen_accuracy"].is_null());
    EXPECT_DOUBLE_EQ(j["metrics"]["true_accuracy"].get<double>(), *test::data()->accuracy(unseen, Dataset::Cifar10));
    const auto fpga = make_cost_source(test::data(), Dataset::Cifar10, {"fpga", HwMetric::Latency});
    EXPECT_DOUBLE_EQ(j["metrics"]["cost"]["value"].get<double>(), *fpga->cost(unseen));
  }
  // The header names the rule; the README's --pick fastest is accepted.
  r = test::run_cli({"export", run, "--pick", "fastest", "--format", "pytorch", "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("picked by: min-latency (the lowest-cost front point)"), std::string::npos) << r.out.substr(0, 400);
  bad = test::run_cli({"export", test::temp_dir("empty")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not a pelnas run directory"), std::string::npos) << bad.err;
}

// TorchScript cannot compile a list comprehension with a condition (the old Cell.forward): the
// exported module must script. With PyTorch for Debian's python3 (python3-torch) the module is
// scripted and run; without it, the structure that scripting needs is checked in the source.
TEST(Export, PytorchModuleIsTorchScriptable) {
  RunPoint c;
  c.arch = Arch::parse("|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|");
  c.index = test::data()->index_of(c.arch);
  const long long table = std::llround(test::data()->params(c.index, Dataset::Cifar10) * 1e6);
  const std::string src = pytorch_module_source(c, Dataset::Cifar10, table, {}, Pick{});
  const auto forward = src.find("    def forward(self, x):\n        nodes = [x]");
  ASSERT_NE(forward, std::string::npos);
  const std::string cell_forward = src.substr(forward, src.find("\n\n", forward) - forward);
  EXPECT_EQ(cell_forward.find(" if "), cell_forward.find(" if self.to_nodes[k] == node:")) << cell_forward;
  EXPECT_EQ(cell_forward.find(" for ("), std::string::npos) << "no tuple unpacking in scripted code";
  EXPECT_EQ(cell_forward.find("zip("), std::string::npos) << cell_forward;
  if (std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-torch not installed: checked the scripted code's structure only";
  const std::string dir = test::temp_dir("jit");
  test::write_file(dir + "/m.py", src);
  ASSERT_EQ(std::system(("cd " + dir + " && /usr/bin/python3 m.py > out.txt 2>&1").c_str()), 0) << test::read_file(dir + "/out.txt");
  const std::string out = test::read_file(dir + "/out.txt");
  EXPECT_NE(out.find(std::to_string(table) + " parameters (NB201 table: " + std::to_string(table) + ")"), std::string::npos) << out;
  EXPECT_NE(out.find("torch.jit.script: ok"), std::string::npos) << out;
}

}  // namespace
}  // namespace pelnas::report
