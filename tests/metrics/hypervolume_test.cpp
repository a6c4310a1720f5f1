#include "metrics/hypervolume.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <algorithm>
#include <pagmo/utils/hypervolume.hpp>

#include "common/error.h"
#include "common/rng.h"

namespace pelnas {
namespace {

// Independent exact reference: compress coordinates into a grid and add up every cell whose lower
// corner some point weakly dominates. O(n^3), fine for small sets.
double brute_force_hv(const std::vector<Point2>& pts, const Point2& ref) {
  std::vector<double> xs{ref[0]}, ys{ref[1]};
  for (auto& p : pts) {
    if (p[0] < ref[0]) xs.push_back(p[0]);
    if (p[1] < ref[1]) ys.push_back(p[1]);
  }
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  std::sort(ys.begin(), ys.end());
  ys.erase(std::unique(ys.begin(), ys.end()), ys.end());
  double area = 0;
  for (std::size_t i = 0; i + 1 < xs.size(); ++i)
    for (std::size_t j = 0; j + 1 < ys.size(); ++j) {
      bool covered = false;
      for (auto& p : pts) covered = covered || (p[0] <= xs[i] && p[1] <= ys[j]);
      if (covered) area += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j]);
    }
  return area;
}

double pagmo_hv(const std::vector<Point2>& pts, const Point2& ref) {
  std::vector<pagmo::vector_double> inside;
  for (auto& p : pts)
    if (p[0] < ref[0] && p[1] < ref[1]) inside.push_back({p[0], p[1]});
  if (inside.empty()) return 0;
  return pagmo::hypervolume(inside, true).compute({ref[0], ref[1]});
}

TEST(Hypervolume2d, HandComputed) {
  // Staircase (1,3) (2,2) (3,1) against (4,4): 3*1 + 2*1 + 1*1 ... = 3 + 4 + 3 - overlaps = 6.
  EXPECT_DOUBLE_EQ(hypervolume_2d({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 6.0);
  EXPECT_DOUBLE_EQ(hypervolume_2d({{0, 0}}, {1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(hypervolume_2d({{1, 0}, {0, 1}}, {1, 1}), 0.0);  // on the reference box border
  EXPECT_DOUBLE_EQ(hypervolume_2d({}, {1, 1}), 0.0);
  EXPECT_THROW(hypervolume_2d({{std::nan(""), 0}}, {1, 1}), Error);
}

TEST(Hypervolume2d, MatchesBruteForceAndPagmoOnRandomSets) {
  Rng rng(42);
  for (int trial = 0; trial < 400; ++trial) {
    const int n = static_cast<int>(rng.uniform_int(1, 40));
    std::vector<Point2> pts(n);
    const bool coarse = trial % 2 == 0;  // coarse grids: duplicates, shared coordinates
    for (auto& p : pts)
      for (auto& v : p) v = coarse ? static_cast<double>(rng.uniform_int(0, 8)) : rng.uniform01() * 10;
    if (trial % 3 == 0) pts.push_back(pts.front());  // an explicit duplicate
    const Point2 ref{coarse ? 7.0 : 8.0, coarse ? 6.0 : 9.0};  // some points lie outside it
    const double hv = hypervolume_2d(pts, ref);
    ASSERT_NEAR(hv, brute_force_hv(pts, ref), 1e-9 * std::max(1.0, hv)) << "trial " << trial;
    ASSERT_NEAR(hv, pagmo_hv(pts, ref), 1e-9 * std::max(1.0, hv)) << "trial " << trial;
  }
}

TEST(HypervolumeNd, AgreesWith2dAndHandComputed3d) {
  Rng rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<Point2> pts2;
    std::vector<ObjectiveVector> ptsn;
    for (int i = 0; i < 25; ++i) {
      Point2 p{rng.uniform01() * 2, rng.uniform01() * 2};
      pts2.push_back(p);
      ptsn.push_back({p[0], p[1]});
    }
    ASSERT_NEAR(hypervolume(ptsn, {1.5, 1.5}), hypervolume_2d(pts2, {1.5, 1.5}), 1e-12);
  }
  // Two boxes in 3-D: [0,2]^3 minus nothing from (0,0,0) and (1,1,-1): union = 8 + 1*1*1 (z in [-1,0]).
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 0}, {1, 1, -1}, {3, 0, 0}}, {2, 2, 2}), 8.0 + 1.0);
  EXPECT_DOUBLE_EQ(hypervolume({{5, 5, 5}}, {2, 2, 2}), 0.0);
  EXPECT_THROW(hypervolume({{1, 1}}, {2, 2, 2}), Error);
}

}  // namespace
}  // namespace pelnas
