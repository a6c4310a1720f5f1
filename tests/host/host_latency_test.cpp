// The `host` device: the latency cache (round trip, keys kept apart), `pelnas data measure-host`
// (incremental, resumable, bad selections), and the device read through the CLI: without LibTorch,
// with an empty cache, partially and fully measured. A full cache whose values are a monotone
// function of FLOPs must give exactly the true front of the `flops` device: the host device is
// scored like any table.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "host/host_latency_cache.h"
#include "test_support.h"

namespace pelnas {
namespace {

namespace fs = std::filesystem;

TEST(HostLatencyCache, StoresAndLoadsByKeyOnly) {
  const std::string path = test::temp_dir("hostcache") + "/c.sqlite";
  const HostLatencyKey a{Dataset::Cifar10, 1, 1, "cpu=X;cores=2;torch=1"};
  HostLatencyKey b = a;
  b.fingerprint = "cpu=Y;cores=8;torch=1";
  HostLatencyKey c = a;
  c.threads = 2;
  {
    HostLatencyCache cache(path);
    cache.store({7, 3.5, 3.25, 3.75, 5, 21}, "|a|", a);
    cache.store({7, 9.0, 8.0, 10.0, 5, 21}, "|a|", b);
    cache.store({15624, 1.25, 1.0, 2.0, 1, 3}, "|b|", a);
  }
  HostLatencyCache cache(path);  // reopened: persisted
  const auto la = cache.load_all(a);
  ASSERT_EQ(la.size(), static_cast<std::size_t>(kNumArchs));
  ASSERT_TRUE(la[7] && la[15624]);
  EXPECT_EQ(la[7]->median_ms, 3.5);
  EXPECT_EQ(la[7]->iqr_ms(), 0.5);
  EXPECT_EQ(la[15624]->runs, 3);
  EXPECT_FALSE(la[8]);
  EXPECT_EQ(cache.load_all(b)[7]->median_ms, 9.0);
  EXPECT_FALSE(cache.load_all(b)[15624]);
  for (const auto& r : cache.load_all(c)) EXPECT_FALSE(r);
  EXPECT_EQ(cache.fingerprints(Dataset::Cifar10), (std::vector<std::string>{a.fingerprint, b.fingerprint}));
  EXPECT_TRUE(cache.fingerprints(Dataset::Cifar100).empty());

  const std::string junk = test::temp_dir("hostcache-junk") + "/j.sqlite";
  test::write_file(junk, std::string(4096, 'x'));
  const std::string e = test::error_of([&] { HostLatencyCache bad(junk); });
  EXPECT_NE(e.find(junk), std::string::npos) << e;
  EXPECT_NE(e.find("not a valid SQLite database"), std::string::npos) << e;
}

TEST(HostLatencyCache, FingerprintNamesThisMachine) {
  const auto f = MachineFingerprint::current("9.9");
  EXPECT_GT(f.cores, 0);
  EXPECT_FALSE(f.cpu_model.empty());
  EXPECT_EQ(f.key(), "cpu=" + f.cpu_model + ";cores=" + std::to_string(f.cores) + ";torch=9.9");
}

TEST(HostDevice, WithoutLibTorchIsAClearExit2) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"front", "--data", test::data_dir(), "--device", "host"},
        std::vector<std::string>{"search", "--data", test::data_dir(), "--device", "host", "--out", test::temp_dir("nohost") + "/r"},
        std::vector<std::string>{"data", "measure-host", "--data", test::data_dir(), "--sample", "2"}}) {
    const auto r = test::run_cli(args, {"PELNAS_TORCH_PLUGIN=/nonexistent/libpelnas_torch.so"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("device 'host' measures inference latency on this machine with LibTorch, which this pelnas cannot load"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("-DPELNAS_WITH_TORCH=ON"), std::string::npos) << r.err;
  }
}

#ifdef PELNAS_TEST_HAVE_TORCH
TEST(HostDevice, MeasureIncrementallyThenScoreLikeATable) {
  const std::string dir = test::temp_dir("hostdev");
  const std::string cache_env = "PELNAS_HOST_LATENCY_CACHE=" + dir + "/host.sqlite";
  // Empty cache: the error says how to fill it.
  auto r = test::run_cli({"front", "--data", test::data_dir(), "--device", "host"}, {cache_env});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no latency measured on this machine yet for cifar10"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pelnas data measure-host --dataset cifar10 --all"), std::string::npos) << r.err;

  // Two cells (one repeated, one by index), then the same file again: nothing measured twice.
  const auto data = test::data();
  test::write_file(dir + "/archs.txt", "# cells\n" + data->arch(12).str() + "\n3\n" + data->arch(12).str() + "\n");
  const std::vector<std::string> measure = {"data", "measure-host", "--data", test::data_dir(), "--archs", dir + "/archs.txt",
                                            "--warmup", "1", "--runs", "3", "--json"};
  r = test::run_cli(measure, {cache_env});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["selected"], 2);
  EXPECT_EQ(j["measured"], 2);
  EXPECT_EQ(j["cells_in_cache"], 2);
  r = test::run_cli(measure, {cache_env});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["measured"], 0);
  EXPECT_EQ(j["already_cached"], 2);
  const std::string fingerprint = j["fingerprint"];

  HostLatencyCache cache(dir + "/host.sqlite");
  const HostLatencyKey key{Dataset::Cifar10, 1, 1, fingerprint};
  const auto two = cache.load_all(key);
  for (int i : {3, 12}) {
    ASSERT_TRUE(two[static_cast<std::size_t>(i)]) << i;
    const auto& m = *two[static_cast<std::size_t>(i)];
    EXPECT_GT(m.q1_ms, 0);
    EXPECT_LE(m.q1_ms, m.median_ms);
    EXPECT_LE(m.median_ms, m.q3_ms);
    EXPECT_EQ(m.runs, 3);
  }
  // Partially measured: usable over those cells, and says what is missing.
  r = test::run_cli({"front", "--data", test::data_dir(), "--device", "host", "--include-degenerate", "--json"}, {cache_env});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("2 of 15625 cells measured on this machine for cifar10"), std::string::npos) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["n_candidates"], 2);

  // Full cache, latency = FLOPs / 2: the true front is the flops device's, cell for cell.
  std::vector<HostLatencyRecord> records;
  std::vector<std::string> archs;
  for (int i = 0; i < data->size(); ++i) {
    records.push_back({i, data->flops(i, Dataset::Cifar10) * 0.5, 0, 0, 1, 3});
    archs.push_back(data->arch(i).str());
  }
  cache.store_many(records, archs, key);
  r = test::run_cli({"front", "--data", test::data_dir(), "--device", "host", "--json"}, {cache_env});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("cells measured"), std::string::npos) << r.err;
  const auto host = nlohmann::json::parse(r.out);
  const auto flops = nlohmann::json::parse(test::run_cli({"front", "--data", test::data_dir(), "--device", "flops", "--json"}).out);
  EXPECT_TRUE(host["complete"].get<bool>());
  EXPECT_EQ(host["cost_unit"], "ms");
  ASSERT_EQ(host["front"].size(), flops["front"].size());
  for (std::size_t i = 0; i < host["front"].size(); ++i) {
    EXPECT_EQ(host["front"][i]["index"], flops["front"][i]["index"]);
    EXPECT_DOUBLE_EQ(host["front"][i]["cost"].get<double>(), flops["front"][i]["cost"].get<double>() * 0.5);
  }
  // A search on it is scored (HV, IGD) like on a table.
  r = test::run_cli({"search", "--data", test::data_dir(), "--device", "host", "--budget", "40", "--json", "--out", dir + "/run"},
                    {cache_env});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto s = nlohmann::json::parse(r.out);
  EXPECT_GT(s["hv_ratio"].get<double>(), 0.0);
  EXPECT_LE(s["hv_ratio"].get<double>(), 1.0);
}
#endif

TEST(HostDevice, BadSelectionsAreRefused) {
  const std::string dir = test::temp_dir("hostbad");
  const std::string cache_env = "PELNAS_HOST_LATENCY_CACHE=" + dir + "/host.sqlite";
  auto r = test::run_cli({"data", "measure-host", "--data", test::data_dir()}, {cache_env});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("give exactly one of --all, --sample N, --archs FILE"), std::string::npos) << r.err;
  r = test::run_cli({"data", "measure-host", "--data", test::data_dir(), "--all", "--sample", "3"}, {cache_env});
  EXPECT_EQ(r.exit_code, 2);
  test::write_file(dir + "/archs.txt", "5\n|nor_conv_3x3~0|+|bogus~0|none~1|\n");
  r = test::run_cli({"data", "measure-host", "--data", test::data_dir(), "--archs", dir + "/archs.txt"}, {cache_env});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir + "/archs.txt:2: expected an NB201 arch string or index"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/host.sqlite"));  // refused before anything was measured or created
}

}  // namespace
}  // namespace pelnas
