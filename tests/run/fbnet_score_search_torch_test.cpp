// `pelnas search --space fbnet` with its default signal, the training-free score: jacov and synflow
// computed on the real FBNet network through the LibTorch plugin, kept in the proxy cache. A tiny
// PEL-NAS run end to end, stopped after a generation and resumed (byte-identical outputs to an
// uninterrupted run with its own cache), every archived score recomputed independently from the
// proxies the cache holds (TrainingFreeScore over the seeded reference sample), the label written
// everywhere, and the report rendered. Runs the CLI (which opens the plugin); torch-free code only.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "evaluate/training_free_score.h"
#include "predictor/proxy_cache.h"
#include "space/fbnet_space.h"
#include "space/search_space.h"
#include "test_support.h"

namespace pelnas {
namespace {

// Small enough for CI: 8 reference networks, batch 16, 6 niches x 1 seed + 1 generation of 6 x 2 children.
const char* kScoreOptions = R"({"reference_size": 8, "batch_size": 16})";

std::vector<std::string> args(const std::string& out, const std::string& cache, std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"search",          "--space",    "fbnet",  "--dataset", "cifar100",     "--device",
                                "pixel3",          "--data",     test::data_dir(), "--budget", "18",   "--seed", "3",
                                "--seeds-per-niche", "1",        "--children-per-call", "2", "--threads", "1",
                                "--score-options", kScoreOptions, "--proxy-cache", cache,  "--out",       out};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(test::read_file(path)); }

TEST(FbnetScoreSearchCli, DefaultSignalIsTheTrainingFreeScoreAndResumesLikeAnUninterruptedRun) {
  const std::string dir = test::temp_dir("fbnet-score");
  const std::string whole = dir + "/whole", cut = dir + "/cut";
  const auto w = test::run_cli(args(whole, dir + "/whole.sqlite"));
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_NE(w.out.find("score"), std::string::npos) << w.out;

  const auto stopped = test::run_cli(args(cut, dir + "/cut.sqlite", {"--stop-after-generation", "0"}));
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_NE(stopped.out.find("stopped after generation 0"), std::string::npos) << stopped.out;
  EXPECT_FALSE(std::filesystem::exists(cut + "/summary.json"));
  const auto resumed = test::run_cli({"search", "--resume", cut, "--threads", "1"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  for (const char* f : {"archive.csv", "front.csv", "metrics.csv"})
    EXPECT_EQ(test::read_file(cut + "/" + f), test::read_file(whole + "/" + f)) << f;

  // The label: a score, never an accuracy.
  const auto summary = read_json(cut + "/summary.json"), config = read_json(cut + "/config.json");
  EXPECT_EQ(summary["accuracy_signal"], "score");
  EXPECT_EQ(summary["signal_label"], "training-free score");
  EXPECT_EQ(config["accuracy_signal"], "score");
  EXPECT_EQ(config["signal_label"], "training-free score");
  EXPECT_EQ(config["score"]["reference_size"], 8);
  EXPECT_EQ(summary["training_free_score"]["proxy_cache_key"]["code_version"], "torch-fbnet-v1");
  const auto whole_summary = read_json(whole + "/summary.json");
  EXPECT_EQ(summary["front"], whole_summary["front"]);
  EXPECT_EQ(summary["hv"], whole_summary["hv"]);
  const auto archive = CsvTable::read(cut + "/archive.csv");
  ASSERT_EQ(archive.rows(), 18u);
  EXPECT_THROW(archive.column("accuracy"), std::exception);

  // Cross-check: the score of every archived network from the proxies the cache holds.
  const auto space = make_search_space("fbnet", "cifar100");
  TrainingFreeScoreOptions o = TrainingFreeScoreOptions::from_json(nlohmann::json::parse(kScoreOptions));
  ProxyCache cache(dir + "/cut.sqlite");
  ProxyKey key;
  key.dataset = Dataset::Cifar100;
  key.batch_size = 16;
  key.seed = 0;
  key.code_version = "torch-fbnet-v1";
  std::vector<std::string> ref_keys;
  for (const auto& e : TrainingFreeScore::reference_sample(*space, o)) ref_keys.push_back(space_cache_arch(*space, e));
  const auto reference = cache.lookup_many(ref_keys, key);
  for (const auto& v : reference) ASSERT_TRUE(v.contains("jacov") && v.contains("synflow"));
  const TrainingFreeScore score(o, reference);
  std::vector<std::string> keys, plain;
  for (std::size_t i = 0; i < archive.rows(); ++i) {
    const std::string arch(archive.cell(i, archive.column("arch_str")));
    keys.push_back(space_cache_arch(*space, space->parse(arch)));
    plain.push_back(arch);
  }
  const auto values = cache.lookup_many(keys, key);
  for (std::size_t i = 0; i < archive.rows(); ++i) {
    const auto s = score.score(values[i]);
    ASSERT_TRUE(s.has_value()) << keys[i];
    EXPECT_NEAR(*s, std::stod(std::string(archive.cell(i, archive.column("score")))), 1e-9) << keys[i];
    EXPECT_EQ(keys[i].rfind("fbnet:", 0), 0u);
  }
  // Space-aware key: nothing is stored under the bare string (where NB201 arch strings live).
  for (const auto& v : cache.lookup_many(plain, key)) EXPECT_TRUE(v.empty());
  // Only the score's proxies were computed (a GRASP or Zen on FBNet would be paid for nothing).
  for (const auto& v : values) EXPECT_EQ(v.size(), 2u);

  // The report renders, labelled as a score.
  const auto r = test::run_cli({"report", cut});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = test::read_file(cut + "/report.html");
  EXPECT_NE(html.find("training-free score"), std::string::npos);
  EXPECT_NE(html.find("not an accuracy"), std::string::npos);
}

}  // namespace
}  // namespace pelnas
