// `pelnas search --space fbnet`: the space-generic run end to end through the CLI, torch-free (the
// accuracy comes from a tiny Python evaluator, tests/fixtures/evaluator/fbnet_evaluator.py, over
// the external-evaluator protocol). The archive holds FBNet strings whose signal is exactly the
// program's answer and whose cost is the LUT's sum (checked against FbnetLut directly); every
// algorithm spends its budget on distinct architectures; --resume after the program dies gives the
// uninterrupted run without asking twice; bad input is refused with exit 2 and a named cause.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/csv.h"
#include "hardware/fbnet_lut.h"
#include "space/fbnet_space.h"
#include "test_support.h"

namespace pelnas {
namespace {

std::string evaluator() { return test::evaluator_fixture_command("fbnet_evaluator.py"); }

// The evaluator's formula, computed here independently.
double expected_accuracy(const FbnetArch& a) {
  double acc = 40;
  for (int l = 0; l < kFbnetLayers; ++l) {
    const auto& b = a.block(l);
    if (b.is_skip()) acc -= 0.5;
    else {
      if (b.kernel == 5) acc += 1;
      if (b.expansion == 6) acc += 1.5;
      if (b.expansion == 3) acc += 0.5;
    }
  }
  return acc;
}

std::vector<std::string> args(const std::string& out, const std::string& algorithm, std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"search", "--space",     "fbnet", "--data",   test::data_dir(), "--device", "pixel3",
                                "--algorithm", algorithm, "--budget", "30",   "--seed",         "1",        "--evaluator",
                                evaluator(), "--out", out};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

TEST(FbnetSearchCli, PelnasRunHoldsTheProgramsAnswersAndTheLutCosts) {
  const std::string out = test::temp_dir("fbnet-pelnas") + "/run";
  const auto r = test::run_cli(args(out, "pelnas", {"--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FbnetLut lut = FbnetLut::load(test::data_dir() + "/fbnet_hw_lut.csv");
  const auto t = CsvTable::read(out + "/archive.csv");
  ASSERT_EQ(t.rows(), 30u);
  std::set<std::string> archs;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    const std::string s(t.cell(i, t.column("arch_str")));
    const FbnetArch a = FbnetArch::parse(s);
    EXPECT_EQ(a.str(), s);
    EXPECT_TRUE(archs.insert(s).second) << s << " evaluated twice";
    EXPECT_DOUBLE_EQ(t.number(i, t.column("accuracy")), expected_accuracy(a)) << s;
    EXPECT_NEAR(t.number(i, t.column("cost")), lut.cost(a, FbnetDataset::Cifar100, "pixel3_latency"), 1e-9) << s;
    const auto niche = t.integer(i, t.column("niche"));
    EXPECT_TRUE(niche >= 0 && niche < 6) << niche;
  }
  const auto config = nlohmann::json::parse(test::read_file(out + "/config.json"));
  EXPECT_EQ(config["space"], "fbnet");
  EXPECT_EQ(config["accuracy_signal"], "external");
  const auto summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["true_front"], false);
  EXPECT_FALSE(summary.contains("hv_ratio"));
  EXPECT_NE(summary["protocol"].get<std::string>().find("no true front"), std::string::npos);
  const double hv = summary["hv"].get<double>();
  EXPECT_GT(hv, 0);
  EXPECT_LE(hv, 1);
  // The cost bounds of the normalisation hold every evaluated cost.
  const auto& norm = summary["hv_normalisation"];
  for (std::size_t i = 0; i < t.rows(); ++i) {
    EXPECT_GE(t.number(i, t.column("cost")), norm["cost_min"].get<double>() - 1e-9);
    EXPECT_LE(t.number(i, t.column("cost")), norm["cost_max"].get<double>() + 1e-9);
  }
  // All-zeros (k3_e1 everywhere) on cifar100 is HW-NAS-Bench's edgegpu example; its pixel3 cost
  // lies inside the bounds too.
  FbnetArch zeros;
  const double z = lut.cost(zeros, FbnetDataset::Cifar100, "pixel3_latency");
  EXPECT_GE(z, norm["cost_min"].get<double>());
  EXPECT_LE(z, norm["cost_max"].get<double>());
}

TEST(FbnetSearchCli, ReportShowsTheFrontWithFbnetStrings) {
  const std::string out = test::temp_dir("fbnet-report") + "/run";
  ASSERT_EQ(test::run_cli(args(out, "rea")).exit_code, 0);
  const auto r = test::run_cli({"report", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = test::read_file(out + "/report.html");
  const auto front = CsvTable::read(out + "/front.csv");
  ASSERT_GE(front.rows(), 1u);
  for (std::size_t i = 0; i < front.rows(); ++i)
    EXPECT_NE(html.find(std::string(front.cell(i, front.column("arch_str")))), std::string::npos);
  EXPECT_NE(html.find("no true front"), std::string::npos);
  EXPECT_NE(html.find("pixel3_latency (ms)"), std::string::npos);
  EXPECT_EQ(html.find("HV ratio ("), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(FbnetSearchCli, RandomReaAndNsga2SpendTheBudgetOnDistinctArchitectures) {
  for (const std::string algo : {"random", "rea", "nsga2"}) {
    const std::string out = test::temp_dir("fbnet-" + algo) + "/run";
    const auto r = test::run_cli(args(out, algo));
    ASSERT_EQ(r.exit_code, 0) << algo << ": " << r.err;
    const auto t = CsvTable::read(out + "/archive.csv");
    ASSERT_EQ(t.rows(), 30u) << algo;
    std::set<std::string> archs;
    for (std::size_t i = 0; i < t.rows(); ++i) archs.insert(std::string(t.cell(i, t.column("arch_str"))));
    EXPECT_EQ(archs.size(), 30u) << algo;
    EXPECT_NE(r.out.find("no true front"), std::string::npos) << r.out;
  }
}

TEST(FbnetSearchCli, ResumeAfterTheEvaluatorDiesEndsLikeAnUninterruptedRun) {
  const std::string whole = test::temp_dir("fbnet-whole") + "/run";
  ASSERT_EQ(test::run_cli(args(whole, "pelnas")).exit_code, 0);
  const std::string out = test::temp_dir("fbnet-resume") + "/run";
  const std::string asked = test::temp_dir("fbnet-resume-asked") + "/asked.txt";
  const auto dead = test::run_cli(args(out, "pelnas"), {"FBNET_EVALUATOR_DIE_AFTER=13", "FBNET_EVALUATOR_ASKED=" + asked});
  ASSERT_EQ(dead.exit_code, 2) << dead.err;
  EXPECT_NE(dead.err.find("--resume"), std::string::npos) << dead.err;
  const auto resumed = test::run_cli({"search", "--resume", out}, {"FBNET_EVALUATOR_ASKED=" + asked});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(test::read_file(out + "/archive.csv"), test::read_file(whole + "/archive.csv"));
  const auto a = test::lines_of(test::read_file(asked));
  EXPECT_EQ(std::set<std::string>(a.begin(), a.end()).size(), a.size()) << "an architecture was asked twice";
}

TEST(FbnetSearchCli, BadInputIsNamedWithExit2) {
  const std::string dir = test::temp_dir("fbnet-bad");
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expected;  // substrings of stderr
    std::vector<std::string> env = {};
  };
  // A build without the LibTorch back end: the plugin path points nowhere.
  const std::vector<std::string> no_torch = {"PELNAS_TORCH_PLUGIN=" + dir + "/no-such-plugin.so"};
  const std::vector<Case> cases = {
      {{"search", "--space", "fbnet2", "--evaluator", evaluator(), "--out", dir + "/a"}, {"unknown space 'fbnet2'", "nb201", "fbnet"}},
      {args(dir + "/b", "exhaustive"), {"exhaustive", "10^21"}},
      {args(dir + "/c", "pelnas", {"--partition", "conv3x3"}), {"--partition does not apply to --space fbnet"}},
      {args(dir + "/d", "pelnas", {"--accuracy", "table:test"}), {"--accuracy table:test does not apply", "NB201"}},
      {args(dir + "/e", "pelnas", {"--dataset", "cifar10"}), {"cifar10", "cifar100", "ImageNet"}},
      {{"search", "--space", "fbnet", "--data", test::data_dir(), "--device", "edgetpu", "--evaluator", evaluator(), "--out", dir + "/f"},
       {"edgetpu", "pixel3"}},
      // The default signal is the training-free score: without LibTorch, said so, naming the way that works.
      {{"search", "--space", "fbnet", "--data", test::data_dir(), "--out", dir + "/g"},
       {"training-free score", "LibTorch", "no-such-plugin.so", "--evaluator"}, no_torch},
      // The llm operator runs on FBNet (tests/llm/fbnet_llm_search_test.cpp); its flags need it.
      {args(dir + "/h", "rea", {"--llm-model", "m"}), {"--llm-model applies to --algorithm pelnas --operator llm"}},
      {{"search", "--space", "fbnet", "--data", test::data_dir(), "--accuracy", "score", "--out", dir + "/i"},
       {"training-free score", "LibTorch", "--evaluator"}, no_torch},
      // The score's proxies need images at the network's input size: none for FBNet's ImageNet (224x224).
      {{"search", "--space", "fbnet", "--data", test::data_dir(), "--dataset", "ImageNet", "--out", dir + "/k"},
       {"--accuracy score", "224x224", "--evaluator"}},
      {{"search", "--space", "fbnet", "--data", test::data_dir(), "--score-options", R"({"reference_size": 2})", "--out", dir + "/l"},
       {"reference_size must be in [8, 100000]"}},
      {args(dir + "/m", "pelnas", {"--score-options", "{}"}), {"--score-options applies to the training-free score"}},
      {{"search", "--data", test::data_dir(), "--proxy-cache", dir + "/p.sqlite", "--out", dir + "/n"},
       {"--proxy-cache applies to the training-free score of --space fbnet"}},
      // More than two objectives work on FBNet (fbnet_objectives_cli_test.cpp); pixel3 has no energy table.
      {args(dir + "/j", "pelnas", {"--objectives", "accuracy,latency,energy"}), {"no energy for device 'pixel3'", "it has: latency"}},
  };
  for (const auto& c : cases) {
    const auto r = test::run_cli(c.args, c.env);
    EXPECT_EQ(r.exit_code, 2) << c.expected.front() << "\n" << r.err;
    for (const auto& e : c.expected) EXPECT_NE(r.err.find(e), std::string::npos) << "expected '" << e << "' in: " << r.err;
  }
}

TEST(FbnetSearchCli, AMalformedFbnetStringInTheJournalNamesTheLayerAndTheBlocks) {
  const std::string out = test::temp_dir("fbnet-journal") + "/run";
  ASSERT_EQ(test::run_cli(args(out, "random")).exit_code, 0);
  const std::string journal = out + "/evaluator_results.jsonl";
  auto lines = test::lines_of(test::read_file(journal));
  ASSERT_GE(lines.size(), 2u);
  // Line 2: layer 5's block renamed; line 3 (appended): 21 blocks only.
  auto j = nlohmann::json::parse(lines[1]);
  auto blocks = j["arch"].get<std::string>();
  std::vector<std::string> parts;
  std::istringstream in(blocks);
  for (std::string p; std::getline(in, p, '-');) parts.push_back(p);
  ASSERT_EQ(parts.size(), 22u);
  parts[5] = "k7_e9";
  std::string bad;
  for (const auto& p : parts) bad += (bad.empty() ? "" : "-") + p;
  j["arch"] = bad;
  lines[1] = j.dump();
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  test::write_file(journal, text);
  auto r = test::run_cli({"search", "--resume", out});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const std::string e : {"evaluator_results.jsonl:2:", "position 5 is 'k7_e9'", "k3_e1_g2", "skip"})
    EXPECT_NE(r.err.find(e), std::string::npos) << "expected '" << e << "' in: " << r.err;

  parts.pop_back();
  parts[5] = "k3_e1";
  bad.clear();
  for (const auto& p : parts) bad += (bad.empty() ? "" : "-") + p;
  j["arch"] = bad;
  lines[1] = j.dump();
  text.clear();
  for (const auto& l : lines) text += l + "\n";
  test::write_file(journal, text);
  r = test::run_cli({"search", "--resume", out});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const std::string e : {"evaluator_results.jsonl:2:", "21 blocks, expected 22"}) EXPECT_NE(r.err.find(e), std::string::npos) << "expected '" << e << "' in: " << r.err;
}

}  // namespace
}  // namespace pelnas
