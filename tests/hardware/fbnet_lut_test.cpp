#include "hardware/fbnet_lut.h"

#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "common/rng.h"
#include "space/fbnet_space.h"
#include "pelnas_build_paths.h"
#include "test_support.h"

namespace pelnas {
namespace {

const std::string& lut_path() {
  static const std::string p = test::data_dir() + "/fbnet_hw_lut.csv";
  return p;
}

const FbnetLut& shipped() {
  static const FbnetLut lut = FbnetLut::load(lut_path());
  return lut;
}

FbnetArch random_arch(Rng& rng) {
  FbnetArch a;
  for (auto& op : a.ops) op = static_cast<std::uint8_t>(rng.uniform_int(0, kFbnetNumBlocks - 1));
  return a;
}

TEST(FbnetLut, ReproducesTheHwNasBenchExample) {
  // shared/data/README.md section 7: [0]*22 on cifar100 gives edgegpu_latency 15.804523468 ms.
  EXPECT_NEAR(shipped().cost(FbnetArch{}, FbnetDataset::Cifar100, "edgegpu_latency"), 15.804523468, 5e-10);
  EXPECT_EQ(shipped().metrics(), fbnet_metric_keys());
  for (const auto& m : fbnet_metric_keys()) EXPECT_EQ(shipped().size(m), 225u) << m;
}

TEST(FbnetLut, CostIsTheSumOfTheLayersRows) {
  // Independent of fbnet_layers(): the stem, header, pool and FC rows picked by their layer type
  // and shape from the CSV, and for all-k3_e1 the block rows by (H, Cin, Cout, stride).
  const CsvTable t = CsvTable::read(lut_path());
  const auto key = t.column("op_key"), fpga = t.column("fpga_latency");
  double sum = 0;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const std::string k(t.cell(r, key));
    if (k == "ConvNorm_H32_W32_Cin3_Cout16_kernel3_stride1_group1" || k == "ConvNorm_H4_W4_Cin352_Cout1504_kernel1_stride1_group1" ||
        k == "AvgP_H4_W4_Cin1504_Cout1504_kernel4_stride1" || k == "FC_Cin1504_Cout100")
      sum += t.number(r, fpga);
  }
  const int repeats[][5] = {// H, Cin, Cout, stride, how many layers use this key
                            {32, 16, 16, 1, 1}, {32, 16, 24, 1, 1}, {32, 24, 24, 1, 3}, {32, 24, 32, 2, 1},
                            {16, 32, 32, 1, 3}, {16, 32, 64, 2, 1}, {8, 64, 64, 1, 3},  {8, 64, 112, 1, 1},
                            {8, 112, 112, 1, 3}, {8, 112, 184, 2, 1}, {4, 184, 184, 1, 3}, {4, 184, 352, 1, 1}};
  int layers = 0;
  for (const auto& r : repeats) {
    const std::string k = "ConvBlock_H" + std::to_string(r[0]) + "_W" + std::to_string(r[0]) + "_Cin" +
                          std::to_string(r[1]) + "_Cout" + std::to_string(r[2]) + "_exp1_kernel3_stride" +
                          std::to_string(r[3]) + "_group1";
    bool found = false;
    for (std::size_t row = 0; row < t.rows(); ++row)
      if (t.cell(row, key) == k) {
        sum += r[4] * t.number(row, fpga);
        found = true;
      }
    EXPECT_TRUE(found) << k;
    layers += r[4];
  }
  EXPECT_EQ(layers, 22);
  EXPECT_NEAR(shipped().cost(FbnetArch{}, FbnetDataset::Cifar100, "fpga_latency"), sum, 1e-9 * sum);
}

TEST(FbnetLut, CoversExactlyTheKeysTheSpaceUses) {
  // Every (position, block) of both macro structures has its key; the only unused row is the
  // cifar10 classifier HW-NAS-Bench also stored.
  std::set<std::string> used;
  for (FbnetDataset d : {FbnetDataset::Cifar100, FbnetDataset::ImageNet})
    for (int b = 0; b < kFbnetNumBlocks; ++b) {
      FbnetArch a;
      a.ops.fill(static_cast<std::uint8_t>(b));
      for (const auto& l : fbnet_layers(a, d)) used.insert(l.lut_key());
      EXPECT_GT(shipped().cost(a, d, "pixel3_latency"), 0);
    }
  const CsvTable t = CsvTable::read(lut_path());
  std::set<std::string> in_file;
  for (std::size_t r = 0; r < t.rows(); ++r) in_file.insert(std::string(t.cell(r, t.column("op_key"))));
  std::set<std::string> unused;
  for (const auto& k : in_file)
    if (!used.count(k)) unused.insert(k);
  for (const auto& k : used) EXPECT_TRUE(in_file.count(k)) << k;
  EXPECT_EQ(unused, std::set<std::string>{"FC_Cin1504_Cout10"});
}

TEST(FbnetLut, MissingKeyIsNamed) {
  std::string text = test::read_file(lut_path());
  const std::string stem = "ConvNorm_H32_W32_Cin3_Cout16_kernel3_stride1_group1";
  const auto at = text.find("\n" + stem + ",");
  ASSERT_NE(at, std::string::npos);
  text.erase(at, text.find('\n', at + 1) - at);
  const FbnetLut lut = FbnetLut::from_csv_text(text, "cut.csv");
  const std::string msg = test::error_of([&] { lut.cost(FbnetArch{}, FbnetDataset::Cifar100, "raspi4_latency"); });
  EXPECT_NE(msg.find("cut.csv has no raspi4_latency entry for layer key '" + stem + "'"), std::string::npos) << msg;
  // ImageNet does not use that key.
  EXPECT_GT(lut.cost(FbnetArch{}, FbnetDataset::ImageNet, "raspi4_latency"), 0);
}

TEST(FbnetLut, MetricsAndDevicesAreChecked) {
  EXPECT_EQ(fbnet_metric_key("pixel3", HwMetric::Latency), "pixel3_latency");
  EXPECT_NE(test::error_of([] { fbnet_metric_key("raspi4", HwMetric::Energy); }).find("(it has: latency)"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { fbnet_metric_key("edgetpu", HwMetric::Latency); }).find("no device 'edgetpu'"),
            std::string::npos);
  const std::string msg = test::error_of([] { shipped().cost(FbnetArch{}, FbnetDataset::Cifar100, "edgetpu_latency"); });
  EXPECT_NE(msg.find("no metric 'edgetpu_latency' (it has: edgegpu_latency, edgegpu_energy"), std::string::npos) << msg;
}

TEST(FbnetLut, BadFilesAreNamed) {
  std::string text = test::read_file(lut_path());
  const auto line2 = text.find('\n') + 1;
  std::string negative = text;
  const auto comma = negative.rfind(',', negative.find('\n', line2));
  negative.replace(comma + 1, negative.find('\n', line2) - comma - 1, "-1");
  EXPECT_NE(test::error_of([&] { FbnetLut::from_csv_text(negative, "neg.csv"); }).find("neg.csv:2: fpga_energy entry 'AvgP_H4_W4"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { FbnetLut::from_csv_text("op_key,foo\nx,1\n", "nometric.csv"); }).find("no FBNet metric column"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { FbnetLut::from_json(nlohmann::json::parse(R"({"pixel3_latency": {"k": "fast"}})"), "s.json"); })
                .find("s.json: pixel3_latency entry 'k' is not a number"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { FbnetLut::load("/nonexistent/lut.csv"); }).find("/nonexistent/lut.csv"), std::string::npos);
}

TEST(FbnetLut, UpstreamJsonGivesTheSameCosts) {
  // fbnet_cached_metrics.json layout: {metric: {op_key: value}}, written here from the CSV.
  const CsvTable t = CsvTable::read(lut_path());
  nlohmann::json j = nlohmann::json::object();
  for (const auto& m : fbnet_metric_keys())
    for (std::size_t r = 0; r < t.rows(); ++r) j[m][std::string(t.cell(r, 0))] = t.number(r, t.column(m));
  const std::string path = test::temp_dir("fbnet_lut") + "/fbnet_cached_metrics.json";
  test::write_file(path, j.dump());
  const FbnetLut from_json = FbnetLut::load(path);
  // The official pickle's tree has the same dict under root["fbnet"].
  const FbnetLut nested = FbnetLut::from_json(nlohmann::json{{"fbnet", j}}, "nested");
  Rng rng(1);
  for (int i = 0; i < 50; ++i) {
    const FbnetArch a = random_arch(rng);
    for (FbnetDataset d : {FbnetDataset::Cifar100, FbnetDataset::ImageNet}) {
      EXPECT_EQ(from_json.costs(a, d), shipped().costs(a, d));
      EXPECT_EQ(nested.costs(a, d), shipped().costs(a, d));
    }
  }
}

TEST(FbnetLut, ReadsTheFbnetPartOfTheOfficialPickleLayout) {
  // The HW-NAS-Bench pickle fixtures carry 3 real op keys per FBNet metric (tests/fixtures/hwnasbench).
  for (const char* name : {"plain_p2", "plain_p4", "numpy_ndarray_p4"}) {
    const FbnetLut lut = FbnetLut::load(std::string(PELNAS_TEST_DIR) + "/fixtures/hwnasbench/" + name + ".pickle");
    EXPECT_EQ(lut.metrics(), fbnet_metric_keys()) << name;
    for (const auto& m : fbnet_metric_keys()) {
      ASSERT_EQ(lut.size(m), 3u) << name;
      for (const char* key : {"AvgP_H4_W4_Cin1504_Cout1504_kernel4_stride1", "AvgP_H7_W7_Cin1984_Cout1984_kernel7_stride1",
                              "ConvBlock_H112_W112_Cin16_Cout16_exp1_kernel3_stride1_group1"})
        EXPECT_EQ(lut.entry(m, key), shipped().entry(m, key)) << name << " " << m << " " << key;
    }
  }
}

}  // namespace
}  // namespace pelnas
