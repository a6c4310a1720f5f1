#include "metrics/igd.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "common/rng.h"

namespace pelnas {
namespace {

TEST(Igd, HandComputed) {
  const std::vector<ObjectiveVector> ref = {{0, 1}, {1, 0}};
  EXPECT_DOUBLE_EQ(igd({{0, 1}, {1, 0}}, ref), 0.0);
  EXPECT_DOUBLE_EQ(igd({{0, 0}}, ref), 1.0);
  EXPECT_DOUBLE_EQ(igd({{0.5, 0.5}}, ref), std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(igd({{0, 1}}, ref), (0.0 + std::sqrt(2.0)) / 2);
}

TEST(IgdPlus, HandComputed) {
  const std::vector<ObjectiveVector> ref = {{0, 1}, {1, 0}};
  // A point dominating the whole reference front is at distance 0 under IGD+ (but 1 under IGD).
  EXPECT_DOUBLE_EQ(igd_plus({{0, 0}}, ref), 0.0);
  // (0.5, 0.5): worse than (0,1) by 0.5 in f1 only, than (1,0) by 0.5 in f2 only.
  EXPECT_DOUBLE_EQ(igd_plus({{0.5, 0.5}}, ref), 0.5);
  // Ishibuchi et al. (2015), Fig. 3-like case: reference (0,10),(5,5),(10,0); A = {(2,12),(7,7),(12,2)}.
  const std::vector<ObjectiveVector> z = {{0, 10}, {5, 5}, {10, 0}};
  const std::vector<ObjectiveVector> a = {{2, 12}, {7, 7}, {12, 2}};
  EXPECT_DOUBLE_EQ(igd_plus(a, z), std::sqrt(8.0));
  EXPECT_DOUBLE_EQ(igd(a, z), std::sqrt(8.0));
}

// An independent straightforward implementation with explicit loops.
double naive(const std::vector<ObjectiveVector>& a, const std::vector<ObjectiveVector>& z, bool plus) {
  double total = 0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    std::vector<double> d;
    for (std::size_t j = 0; j < a.size(); ++j) {
      double s = 0;
      for (std::size_t k = 0; k < z[i].size(); ++k) {
        double diff = a[j][k] - z[i][k];
        if (plus && diff < 0) diff = 0;
        s += diff * diff;
      }
      d.push_back(std::sqrt(s));
    }
    total += *std::min_element(d.begin(), d.end());
  }
  return total / z.size();
}

TEST(Igd, MatchesNaiveOnRandomSets) {
  Rng rng(11);
  for (int trial = 0; trial < 200; ++trial) {
    const int dim = 2 + trial % 2;
    auto make = [&](int n) {
      std::vector<ObjectiveVector> s(n, ObjectiveVector(dim));
      for (auto& p : s)
        for (auto& v : p) v = rng.uniform01();
      return s;
    };
    auto a = make(static_cast<int>(rng.uniform_int(1, 20)));
    auto z = make(static_cast<int>(rng.uniform_int(1, 20)));
    ASSERT_NEAR(igd(a, z), naive(a, z, false), 1e-12);
    ASSERT_NEAR(igd_plus(a, z), naive(a, z, true), 1e-12);
    ASSERT_LE(igd_plus(a, z), igd(a, z) + 1e-15);
  }
}

TEST(Igd, RejectsEmptyAndMismatched) {
  EXPECT_THROW(igd({}, {{0, 1}}), Error);
  EXPECT_THROW(igd_plus({{0, 1}}, {}), Error);
  EXPECT_THROW(igd({{0, 1, 2}}, {{0, 1}}), Error);
}

}  // namespace
}  // namespace pelnas
