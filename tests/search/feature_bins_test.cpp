// FBNet's complexity niches: equal-frequency FLOPs bins (docs/FBNET.md). Checked on an independent
// sample: every niche holds about 1/6 of the space, niche membership agrees with the bin bounds,
// and the bins separate pixel3 latency from HW-NAS-Bench's LUT (the reason FLOPs was chosen).
#include "search/feature_bins.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/rng.h"
#include "hardware/fbnet_lut.h"
#include "space/fbnet_space.h"
#include "test_support.h"

namespace pelnas {
namespace {

TEST(FeatureBins, FbnetFlopsBinsHoldEqualSharesOfAnIndependentSample) {
  FbnetSpace space(FbnetDataset::Cifar100);
  FeatureBinPartition p(space, FeatureBinOptions{});
  ASSERT_EQ(p.size(), 6);
  Rng rng(99);  // not the partition's seed
  std::vector<int> count(6, 0);
  const int n = 6000;
  for (int i = 0; i < n; ++i) {
    const Encoding e = space.sample(rng);
    const int k = p.niche_of(e);
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 6);
    const double flops = space.feature_value(e, "flops");
    EXPECT_GE(flops, p.bins()[static_cast<std::size_t>(k)].lo);
    EXPECT_LT(flops, p.bins()[static_cast<std::size_t>(k)].hi);
    ++count[static_cast<std::size_t>(k)];
  }
  for (int c : count) {
    EXPECT_GT(c, n / 6 - 200) << "a niche far below 1/6 of the space";
    EXPECT_LT(c, n / 6 + 200) << "a niche far above 1/6 of the space";
  }
  // Bins tile the feature's whole range without gaps.
  EXPECT_EQ(p.bins().front().lo, space.features()[7].min);
  for (int k = 1; k < 6; ++k) EXPECT_EQ(p.bins()[static_cast<std::size_t>(k)].lo, p.bins()[static_cast<std::size_t>(k - 1)].hi);
  EXPECT_GT(p.bins().back().hi, space.features()[7].max);
}

TEST(FeatureBins, FlopsBinsSeparatePixel3LatencyRanges) {
  const auto lut = FbnetLut::load(test::data_dir() + "/fbnet_hw_lut.csv");
  FbnetSpace space(FbnetDataset::Cifar100);
  FeatureBinPartition p(space, FeatureBinOptions{});
  Rng rng(7);
  std::vector<std::vector<double>> lat(6);
  std::vector<double> all;
  for (int i = 0; i < 3000; ++i) {
    const Encoding e = space.sample(rng);
    const double l = lut.cost(FbnetSpace::decode(e), FbnetDataset::Cifar100, "pixel3_latency");
    lat[static_cast<std::size_t>(p.niche_of(e))].push_back(l);
    all.push_back(l);
  }
  // Share of the latency variance explained by the niches (eta^2); docs/FBNET.md measured 0.83.
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  const double m = mean(all);
  double total = 0, between = 0;
  for (double x : all) total += (x - m) * (x - m);
  std::vector<double> medians;
  for (auto& v : lat) {
    ASSERT_FALSE(v.empty());
    between += static_cast<double>(v.size()) * (mean(v) - m) * (mean(v) - m);
    std::sort(v.begin(), v.end());
    medians.push_back(v[v.size() / 2]);
  }
  EXPECT_GT(between / total, 0.75);
  for (std::size_t k = 1; k < medians.size(); ++k) EXPECT_GT(medians[k], medians[k - 1]) << "niche " << k;
}

TEST(FeatureBins, DeterministicPerSeedAndConfigurable) {
  FbnetSpace space(FbnetDataset::Cifar100);
  FeatureBinOptions o;
  o.sample = 2000;
  FeatureBinPartition a(space, o), b(space, o);
  EXPECT_EQ(a.to_json(), b.to_json());
  o.seed = 1;
  EXPECT_NE(FeatureBinPartition(space, o).to_json()["bins"], a.to_json()["bins"]);
  const auto parsed = FeatureBinOptions::from_json(nlohmann::json{{"feature", "expansion_sum"}, {"bins", 4}, {"sample", 400}});
  FeatureBinPartition c(space, parsed);
  EXPECT_EQ(c.size(), 4);
  EXPECT_NE(c.bins()[1].constraint.find("expansion_sum in ["), std::string::npos) << c.bins()[1].constraint;
}

TEST(FeatureBins, BadOptionsNameTheProblem) {
  FbnetSpace space(FbnetDataset::Cifar100);
  FeatureBinOptions o;
  o.feature = "latency";
  EXPECT_NE(test::error_of([&] { FeatureBinPartition(space, o); }).find("no feature 'latency' (valid: skip, k5"),
            std::string::npos);
  o.feature = "k5";
  o.bins = 40;
  o.sample = 4000;
  EXPECT_NE(test::error_of([&] { FeatureBinPartition(space, o); }).find("too few for 40"), std::string::npos);
  EXPECT_NE(test::error_of([] { FeatureBinOptions::from_json(nlohmann::json{{"bin", 3}}); }).find("unknown key 'bin'"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { FeatureBinOptions::from_json(nlohmann::json{{"bins", 0}}); }).find("bins must be in [1, 64]"),
            std::string::npos);
}

}  // namespace
}  // namespace pelnas
