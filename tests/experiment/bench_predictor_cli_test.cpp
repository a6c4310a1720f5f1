// `pelnas bench --accuracy predictor`: the grid runs on predicted accuracy (one predictor per
// dataset, shared by the runs), here on a fake proxy table that covers every architecture, so no
// proxy is computed and the test needs no LibTorch work.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "predictor/fake_proxy_computer.h"
#include "predictor/proxy_table.h"
#include "test_support.h"

namespace pelnas {
namespace {

TEST(BenchPredictorCli, TheGridAcceptsThePredictorSignal) {
  const std::string dir = test::temp_dir("benchpred");
  auto data = test::data();
  std::vector<std::tuple<int, Arch, ProxyValues>> rows;
  for (int i : arch_sample_order(data->size(), 0))
    rows.emplace_back(i, data->arch(i), test::FakeProxyComputer::fake_values(data->arch(i), Dataset::Cifar10));
  ProxyKey key;
  key.code_version = "fake-1";
  ProxyTable::write(dir + "/proxies_cifar10.csv", key, 0, rows, "test");
  const std::vector<std::string> env = {"PELNAS_MODELS=" + dir, "PELNAS_PROXY_CACHE=" + dir + "/cache.sqlite"};
  const auto r = test::run_cli({"bench", "--accuracy", "predictor", "--algos", "random,pelnas", "--devices", "fpga",
                                "--seeds", "1", "--budget", "60", "--json", "--data=" + test::data_dir()},
                               env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["options"]["accuracy"], "predictor");
  EXPECT_EQ(j["settings"][0]["accuracy_signal"], "predictor");
  EXPECT_NE(j["settings"][0]["protocol"].get<std::string>().find("predicted"), std::string::npos);
  ASSERT_EQ(j["cells"].size(), 2u);
  for (const auto& c : j["cells"]) EXPECT_EQ(c["evaluations"]["mean"], 60) << c["algo"];
  EXPECT_NE(r.err.find("training the accuracy predictor"), std::string::npos) << r.err;  // once for the dataset
  EXPECT_EQ(r.err.find("training the accuracy predictor"), r.err.rfind("training the accuracy predictor"));
}

}  // namespace
}  // namespace pelnas
