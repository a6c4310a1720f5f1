// `pelnas data ...` as a user runs it: JSON documents with the table values, missing values as null,
// and bad input giving exit code 2 with a message.
#include <gtest/gtest.h>
#include "pelnas_build_paths.h"

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace pelnas {
namespace {

using json = nlohmann::json;

json run_json(const std::vector<std::string>& args) {
  auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

TEST(DataCli, ArchShowsEveryValueWithMissingAsNull) {
  auto d = test::data();
  const json j = run_json({"data", "arch", "6111", "--data", test::data_dir(), "--json"});
  EXPECT_EQ(j["index"], 6111);
  EXPECT_EQ(j["arch_str"], d->arch(6111).str());
  EXPECT_EQ(j["accuracy_percent"]["cifar10"]["test"].get<double>(), *d->accuracy(6111, Dataset::Cifar10));
  EXPECT_EQ(j["accuracy_percent"]["cifar10"]["valid"].get<double>(), *d->accuracy(6111, Dataset::Cifar10, AccuracyMetric::Valid));
  EXPECT_EQ(j["accuracy_percent"]["ImageNet16-120"]["test12"].get<double>(),
            *d->accuracy(6111, Dataset::ImageNet16_120, AccuracyMetric::Test12));
  EXPECT_EQ(j["complexity"]["ImageNet16-120"]["flops_mflops"].get<double>(), d->flops(6111, Dataset::ImageNet16_120));
  EXPECT_EQ(j["iso_id_nats"], d->iso_id_nats(6111));
  EXPECT_EQ(j["zero_output"], false);
  int nulls = 0, values = 0;
  for (const auto& h : j["hardware"]) {
    if (h.contains("backend")) continue;  // HELP rows
    const Dataset ds = dataset_from_string(h["dataset"].get<std::string>());
    const auto v = d->hw(6111, ds, device_from_string(h["device"].get<std::string>()),
                         hw_metric_from_string(h["metric"].get<std::string>()));
    if (v) {
      EXPECT_EQ(h["value"].get<double>(), *v);
      ++values;
    } else {
      EXPECT_TRUE(h["value"].is_null()) << h.dump();
      EXPECT_NE(h["status"], "present");
      ++nulls;
    }
  }
  EXPECT_EQ(values + nulls, 30);
  // 6111 is one of the 3070 rows without edgegpu / edgetpu / eyeriss energy on cifar10.
  bool saw_edgegpu_null = false;
  for (const auto& h : j["hardware"])
    if (h["dataset"] == "cifar10" && h["device"] == "edgegpu" && h["metric"] == "latency")
      saw_edgegpu_null = h["value"].is_null() && h["status"] == "missing";
  EXPECT_TRUE(saw_edgegpu_null);
  // The same architecture by arch string.
  const json k = run_json({"data", "arch", d->arch(6111).str(), "--data", test::data_dir(), "--json"});
  EXPECT_EQ(k["index"], 6111);
}

TEST(DataCli, CoverageAndDevices) {
  const json c = run_json({"data", "coverage", "--data", test::data_dir(), "--json"});
  bool tpu = false;
  for (const auto& r : c["hwnasbench"])
    if (r["dataset"] == "cifar10" && r["device"] == "edgetpu") {
      EXPECT_EQ(r["coverage"], "partial");
      EXPECT_EQ(r["count"], 8787);
      tpu = true;
    }
  EXPECT_TRUE(tpu);
  EXPECT_EQ(c["help"].size(), 23u);
  for (const auto& r : c["help"])
    EXPECT_NE(r["provenance"].get<std::string>().find("measurement setup not stated upstream"), std::string::npos);

  const json d = run_json({"data", "devices", "--data", test::data_dir(), "--json"});
  bool flops = false, fpga = false;
  for (const auto& r : d["devices"]) {
    if (r["device"] == "flops") {
      flops = true;
      EXPECT_EQ(r["unit"], "MFLOPs");
      EXPECT_EQ(r["coverage"]["ImageNet16-120"], 15625);
    }
    if (r["device"] == "fpga" && r["metric"] == "latency") {
      fpga = true;
      EXPECT_EQ(r["backend"], "hwnasbench");
      EXPECT_EQ(r["coverage"]["cifar10"], 15625);
    }
  }
  EXPECT_TRUE(flops && fpga);
  // Human-readable form is a table, not JSON.
  auto r = test::run_cli({"data", "devices", "--data", test::data_dir()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("gold_6226"), std::string::npos);
}

TEST(DataCli, BadInputExitsWithCode2) {
  struct Case {
    std::vector<std::string> args;
    std::string needle;
  };
  const std::string dir = test::data_dir();
  const Case cases[] = {
      {{"data", "arch", "15625", "--data", dir}, "out of range"},
      {{"data", "arch", "|nor_conv_3x3~0|+|nope~0|", "--data", dir}, ""},
      {{"data", "arch", "abc", "--data", dir}, "NB201 index"},
      {{"data", "coverage", "--data", "/nonexistent/dir"}, "/nonexistent/dir"},
      {{"data", "import-hwnasbench", "/nonexistent/file.pickle", "--data", dir}, "cannot open"},
      {{"data", "import-hwnasbench", std::string(PELNAS_TEST_DIR) + "/fixtures/hwnasbench/bad_truncated.pickle", "--data", dir},
       "truncated"},
      {{"data", "bogus"}, ""},
  };
  for (const auto& c : cases) {
    auto r = test::run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[1] << " " << c.args[2] << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
    if (!c.needle.empty()) { EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err; }
  }
  // PELNAS_DATA pointing nowhere is named in the error.
  auto r = test::run_cli({"data", "coverage"}, {"PELNAS_DATA=/nonexistent/env-dir"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("PELNAS_DATA"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pelnas
