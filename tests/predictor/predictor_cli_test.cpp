// The `pelnas predictor` commands as a user runs them, on a fake proxy table (no LibTorch needed).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "common/csv.h"
#include "fake_proxy_computer.h"
#include "predictor/proxy_table.h"
#include "predictor/proxy_subsets.h"
#include "predictor/rank_correlation.h"
#include "test_support.h"

namespace pelnas {

namespace {

struct Fixture {
  std::string dir, table, cache, model;
  std::vector<std::string> env;
};

Fixture make_fixture(int rows) {
  Fixture f;
  f.dir = test::temp_dir("predcli");
  f.table = f.dir + "/proxies.csv";
  f.cache = f.dir + "/cache.sqlite";
  f.model = f.dir + "/model.json";
  // Keep the user's cache and the shipped tables out of the test.
  f.env = {"PELNAS_MODELS=" + f.dir, "PELNAS_PROXY_CACHE=" + f.cache, "PELNAS_DATA=" + test::data_dir()};
  auto data = test::data();
  const auto order = arch_sample_order(data->size(), 0);
  std::vector<std::tuple<int, Arch, ProxyValues>> r;
  for (int i = 0; i < rows; ++i)
    r.emplace_back(order[i], data->arch(order[i]), test::FakeProxyComputer::fake_values(data->arch(order[i]), Dataset::Cifar10));
  ProxyKey key;
  key.code_version = "fake-1";
  ProxyTable::write(f.table, key, 0, r, "test");
  return f;
}

}  // namespace

TEST(PredictorCli, TrainThenEvalOnHeldOutArchs) {
  const Fixture f = make_fixture(400);
  auto tr = test::run_cli({"predictor", "train", "--dataset", "cifar10", "--train", "250", "--seed", "0",
                           "--n-estimators", "80", "--proxies-table", f.table, "--out", f.model, "--json"}, f.env);
  ASSERT_EQ(tr.exit_code, 0) << tr.err;
  const auto tj = nlohmann::json::parse(tr.out);
  EXPECT_EQ(tj["train"], 250);
  EXPECT_EQ(tj["from_table"], 250);
  EXPECT_EQ(tj["computed"], 0);

  auto ev = test::run_cli({"predictor", "eval", "--model", f.model, "--test", "150", "--proxies-table", f.table, "--json"}, f.env);
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  const auto j = nlohmann::json::parse(ev.out);
  EXPECT_EQ(j["n_test"], 150);
  EXPECT_EQ(j["paid_proxy_evaluations"], 0);
  // Baselines recomputed independently: the 150 archs after the 250 training ones.
  auto data = test::data();
  const auto order = arch_sample_order(data->size(), 0);
  std::vector<double> flops, truth;
  for (int i = 250; i < 400; ++i) {
    flops.push_back(data->flops(order[i], Dataset::Cifar10));
    truth.push_back(*data->accuracy(order[i], Dataset::Cifar10, AccuracyMetric::Test));
  }
  EXPECT_EQ(j["scores"][2]["name"], "flops");
  EXPECT_NEAR(j["scores"][2]["spearman"].get<double>(), spearman(flops, truth), 1e-12);
  EXPECT_NEAR(j["scores"][2]["kendall_tau"].get<double>(), kendall_tau(flops, truth), 1e-12);
  EXPECT_EQ(j["scores"][0]["name"], "predictor");
  EXPECT_GT(j["scores"][0]["spearman"].get<double>(), j["scores"][1]["spearman"].get<double>());  // beats params

  auto table = test::run_cli({"predictor", "eval", "--model", f.model, "--test", "150", "--proxies-table", f.table}, f.env);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("kendall_tau"), std::string::npos);
  EXPECT_NE(table.out.find("params"), std::string::npos);
}

TEST(PredictorCli, BadInputExitsWithCode2AndAClearMessage) {
  const Fixture f = make_fixture(60);
  auto r = test::run_cli({"predictor", "train", "--dataset", "cifar11", "--proxies-table", f.table}, f.env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cifar11"), std::string::npos) << r.err;

  // A model file that is not one.
  test::write_file(f.model, "{\"learner\": [1, 2, ");
  test::write_file(f.model + ".meta.json", "{}");
  r = test::run_cli({"predictor", "eval", "--model", f.model}, f.env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(f.model), std::string::npos) << r.err;

  // A good model, then an --archs file with a non-NB201 line.
  r = test::run_cli({"predictor", "train", "--train", "50", "--n-estimators", "10", "--proxies-table", f.table, "--out", f.model}, f.env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string archs = f.dir + "/archs.txt";
  test::write_file(archs, "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|\n"
                          "|nor_conv_3x3~0|+|none~0|skip_connect~1|\n");
  r = test::run_cli({"predictor", "eval", "--model", f.model, "--archs", archs, "--proxies-table", f.table}, f.env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(archs + ":2:"), std::string::npos) << r.err;

  // A corrupt cache: clear error naming it, file untouched.
  const std::string bad_cache = f.dir + "/bad.sqlite";
  const std::string garbage(4096, '\x5a');
  test::write_file(bad_cache, garbage);
  r = test::run_cli({"predictor", "train", "--train", "50", "--proxies-table", f.table, "--cache", bad_cache, "--out", f.model}, f.env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad_cache), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(bad_cache), garbage);

  // A missing proxy table.
  r = test::run_cli({"predictor", "train", "--proxies-table", f.dir + "/none.csv"}, f.env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("none.csv"), std::string::npos) << r.err;
}

TEST(PredictorCli, ProxySubsetsTop20AndUnknownNames) {
  const Fixture f = make_fixture(400);
  // A named subset and an explicit list train on exactly those proxies (plus the 8 cell graph features).
  auto tr = test::run_cli({"predictor", "train", "--train", "250", "--n-estimators", "40", "--proxies", "nwot,params",
                           "--proxies-table", f.table, "--out", f.model, "--json"}, f.env);
  ASSERT_EQ(tr.exit_code, 0) << tr.err;
  EXPECT_EQ(nlohmann::json::parse(tr.out)["proxies"], nlohmann::json({"nwot", "params"}));
  EXPECT_EQ(nlohmann::json::parse(tr.out)["features"], 2 + 8);
  auto ev = test::run_cli({"predictor", "eval", "--model", f.model, "--test", "150", "--proxies-table", f.table, "--json"}, f.env);
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  const auto j = nlohmann::json::parse(ev.out);
  // top20_spearman of the flops baseline, recomputed here: the 30 best of the 150 by test accuracy.
  auto data = test::data();
  const auto order = arch_sample_order(data->size(), 0);
  std::vector<std::pair<double, double>> acc_flops;
  for (int i = 250; i < 400; ++i)
    acc_flops.emplace_back(*data->accuracy(order[i], Dataset::Cifar10), data->flops(order[i], Dataset::Cifar10));
  std::stable_sort(acc_flops.begin(), acc_flops.end(), [](auto a, auto b) { return a.first > b.first; });
  std::vector<double> top_acc, top_flops;
  for (int i = 0; i < 30; ++i) {
    top_acc.push_back(acc_flops[i].first);
    top_flops.push_back(acc_flops[i].second);
  }
  EXPECT_EQ(j["scores"][2]["name"], "flops");
  EXPECT_NEAR(j["scores"][2]["top20_spearman"].get<double>(), spearman(top_flops, top_acc), 1e-12);
  EXPECT_EQ(j["top_fraction"], 0.2);

  for (const std::string all : {"all", "default"}) {
    tr = test::run_cli({"predictor", "train", "--train", "100", "--n-estimators", "10", "--proxies", all, "--proxies-table",
                        f.table, "--out", f.model, "--json"}, f.env);
    ASSERT_EQ(tr.exit_code, 0) << tr.err;
    EXPECT_EQ(nlohmann::json::parse(tr.out)["proxies"].size(), all == "all" ? 13u : default_proxy_set().size());
  }
  auto bad = test::run_cli({"predictor", "train", "--proxies", "nwot,bogus", "--proxies-table", f.table, "--out", f.model}, f.env);
  EXPECT_EQ(bad.exit_code, 2);
  for (const char* want : {"bogus", "all", "default", "synflow", "epe_nas"}) EXPECT_NE(bad.err.find(want), std::string::npos) << bad.err;
}

}  // namespace pelnas

namespace pelnas {

// `predictor predict` gives the accuracies a predictor-signal search saw: a grid run on the same
// table (its model trained on the fly, the same defaults) against a model file trained by the CLI.
std::string cell(const CsvTable& t, std::size_t r, std::string_view name) { return std::string(t.cell(r, t.column(name))); }

TEST(PredictorCli, PredictReproducesWhatAPredictorSearchSaw) {
  const Fixture f = make_fixture(test::data()->size());  // every arch in the table: nothing computed
  std::filesystem::copy_file(f.table, f.dir + "/proxies_cifar10.csv");
  std::filesystem::copy_file(f.table + ".meta.json", f.dir + "/proxies_cifar10.csv.meta.json");
  const std::string grid = f.dir + "/grid";
  auto b = test::run_cli({"bench", "--accuracy", "predictor", "--algos", "pelnas", "--devices", "fpga", "--seeds", "1",
                          "--budget", "40", "--out", grid},
                         f.env);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto tr = test::run_cli({"predictor", "train", "--dataset", "cifar10", "--train", "1000", "--proxies-table", f.table,
                           "--out", f.model},
                          f.env);
  ASSERT_EQ(tr.exit_code, 0) << tr.err;
  const auto archive = CsvTable::parse(test::read_file(grid + "/archives.csv"), "archives.csv");
  std::string archs;
  std::vector<double> seen;
  for (std::size_t r = 0; r < archive.rows(); ++r) {
    archs += cell(archive, r, "arch_str") + "\n";
    seen.push_back(archive.number(r, archive.column("seen_accuracy")));
  }
  ASSERT_EQ(seen.size(), 40u);
  test::write_file(f.dir + "/archs.txt", archs);
  auto p = test::run_cli({"predictor", "predict", "--model", f.model, "--archs", f.dir + "/archs.txt",
                          "--proxies-table", f.table},
                         f.env);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto out = CsvTable::parse(p.out, "stdout");
  ASSERT_EQ(out.rows(), seen.size());
  for (std::size_t r = 0; r < out.rows(); ++r) {
    EXPECT_EQ(cell(out, r, "arch_str"), cell(archive, r, "arch_str"));
    EXPECT_EQ(cell(out, r, "index"), cell(archive, r, "index"));
    EXPECT_NEAR(out.number(r, out.column("predicted_accuracy")), seen[r], 1e-6) << r;
  }
  EXPECT_NE(p.err.find("computed 0"), std::string::npos) << p.err;
}

}  // namespace pelnas
