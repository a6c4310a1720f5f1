// The training-free score FBNet searches on (docs/FBNET.md): 100 x the mean percentile of jacov and
// synflow in a fixed reference sample. Checked against a brute-force rank count, for its invariance
// (ranks only: any increasing transform of a proxy leaves it unchanged), for the documented ties and
// bounds, and for refusing what would make it silently wrong.
#include "evaluate/training_free_score.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "common/rng.h"
#include "space/fbnet_space.h"
#include "test_support.h"

namespace pelnas {
namespace {

std::vector<ProxyValues> reference(int n, Rng& rng) {
  std::vector<ProxyValues> out;
  for (int i = 0; i < n; ++i)
    out.push_back({{"jacov", -60 + 20 * rng.uniform01()}, {"synflow", std::exp(30 + 10 * rng.uniform01())}, {"nwot", 1.0}});
  return out;
}

TEST(TrainingFreeScore, EqualsABruteForceRankCount) {
  Rng rng(3);
  const auto ref = reference(64, rng);
  TrainingFreeScore s(TrainingFreeScoreOptions{}, ref);
  for (int i = 0; i < 200; ++i) {
    const double j = -65 + 30 * rng.uniform01(), f = std::exp(25 + 20 * rng.uniform01());
    double expected = 0;
    for (const auto& [name, x] : {std::pair<std::string, double>{"jacov", j}, {"synflow", f}}) {
      double below = 0;
      for (const auto& r : ref) below += *r.at(name) < x ? 1.0 : (*r.at(name) == x ? 0.5 : 0.0);
      expected += below / 64.0;
    }
    expected = 100 * expected / 2;
    const auto got = s.score({{"jacov", j}, {"synflow", f}});
    ASSERT_TRUE(got.has_value());
    EXPECT_NEAR(*got, expected, 1e-12);
    EXPECT_GE(*got, 0.0);
    EXPECT_LE(*got, 100.0);
  }
  // Above every reference value: 100; below every one: 0.
  EXPECT_DOUBLE_EQ(*s.score({{"jacov", 1e9}, {"synflow", 1e300}}), 100.0);
  EXPECT_DOUBLE_EQ(*s.score({{"jacov", -1e9}, {"synflow", 0.0}}), 0.0);
}

TEST(TrainingFreeScore, DependsOnlyOnRanks) {
  Rng rng(5);
  const auto ref = reference(40, rng);
  std::vector<ProxyValues> logged;  // log of synflow, cube of jacov: increasing transforms
  for (const auto& r : ref) logged.push_back({{"jacov", std::pow(*r.at("jacov"), 3)}, {"synflow", std::log(*r.at("synflow"))}});
  TrainingFreeScore a(TrainingFreeScoreOptions{}, ref), b(TrainingFreeScoreOptions{}, logged);
  for (const auto& r : ref)
    EXPECT_DOUBLE_EQ(*a.score(r), *b.score({{"jacov", std::pow(*r.at("jacov"), 3)}, {"synflow", std::log(*r.at("synflow"))}}));
  // A reference member's own value counts half: with distinct values, the lowest scores 0.5/40 per proxy.
  double lowest_j = 1e300, lowest_f = 1e300;
  for (const auto& r : ref) lowest_j = std::min(lowest_j, *r.at("jacov")), lowest_f = std::min(lowest_f, *r.at("synflow"));
  EXPECT_DOUBLE_EQ(*a.score({{"jacov", lowest_j}, {"synflow", lowest_f}}), 100.0 * 0.5 / 40.0);
}

TEST(TrainingFreeScore, MissingOrNonFiniteValues) {
  Rng rng(1);
  auto ref = reference(20, rng);
  ref[0]["synflow"] = std::numeric_limits<double>::infinity();
  ref[1]["jacov"] = std::nullopt;
  ref[2].erase("synflow");
  TrainingFreeScore s(TrainingFreeScoreOptions{}, ref);
  EXPECT_EQ(s.dropped(), 3);
  EXPECT_FALSE(s.score({{"jacov", 1.0}}).has_value());
  EXPECT_FALSE(s.score({{"jacov", 1.0}, {"synflow", std::nan("")}}).has_value());
  EXPECT_FALSE(s.score({{"jacov", std::nullopt}, {"synflow", 1.0}}).has_value());
  std::vector<ProxyValues> bad(10, ProxyValues{{"jacov", 1.0}, {"synflow", std::nan("")}});
  EXPECT_NE(test::error_of([&] { TrainingFreeScore(TrainingFreeScoreOptions{}, bad); }).find("only 0 of 10 reference architectures have a finite synflow"),
            std::string::npos);
}

TEST(TrainingFreeScore, ReferenceSampleIsFixedAndDistinct) {
  FbnetSpace space(FbnetDataset::Cifar100);
  TrainingFreeScoreOptions o;
  o.reference_size = 50;
  const auto a = TrainingFreeScore::reference_sample(space, o), b = TrainingFreeScore::reference_sample(space, o);
  EXPECT_EQ(a, b);
  EXPECT_EQ(std::set<Encoding>(a.begin(), a.end()).size(), 50u);
  o.reference_seed = 1;
  EXPECT_NE(TrainingFreeScore::reference_sample(space, o), a);
}

TEST(TrainingFreeScore, OptionsNameTheBadField) {
  EXPECT_NE(test::error_of([] { TrainingFreeScoreOptions::from_json(nlohmann::json{{"proxies", {"jacob"}}}); }).find("unknown proxy 'jacob' (valid: "),
            std::string::npos);
  EXPECT_NE(test::error_of([] { TrainingFreeScoreOptions::from_json(nlohmann::json{{"proxies", {"jacov", "jacov"}}}); }).find("listed twice"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { TrainingFreeScoreOptions::from_json(nlohmann::json{{"reference", 3}}); }).find("unknown key 'reference'"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { TrainingFreeScoreOptions::from_json(nlohmann::json{{"reference_size", 2}}); }).find("reference_size must be in [8, 100000]"),
            std::string::npos);
  const auto o = TrainingFreeScoreOptions::from_json(nlohmann::json{{"proxies", {"synflow"}}, {"reference_size", 16}});
  EXPECT_EQ(TrainingFreeScoreOptions::from_json(o.to_json()).to_json(), o.to_json());
}

}  // namespace
}  // namespace pelnas
