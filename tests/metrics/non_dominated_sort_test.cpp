#include "metrics/non_dominated_sort.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/rng.h"
#include "metrics/crowding_distance.h"

namespace pelnas {
namespace {

// Independent O(n^2)-per-front reference: peel off the points no remaining point dominates.
std::vector<int> brute_force_ranks(const std::vector<ObjectiveVector>& pts) {
  auto dom = [](const ObjectiveVector& a, const ObjectiveVector& b) {
    bool all_le = true, any_lt = false;
    for (std::size_t k = 0; k < a.size(); ++k) {
      all_le = all_le && a[k] <= b[k];
      any_lt = any_lt || a[k] < b[k];
    }
    return all_le && any_lt;
  };
  std::vector<int> rank(pts.size(), -1);
  int r = 0;
  for (std::size_t assigned = 0; assigned < pts.size(); ++r) {
    std::vector<std::size_t> now;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      if (rank[i] != -1) continue;
      bool dominated = false;
      for (std::size_t j = 0; j < pts.size() && !dominated; ++j)
        dominated = rank[j] == -1 && j != i && dom(pts[j], pts[i]);
      if (!dominated) now.push_back(i);
    }
    for (auto i : now) rank[i] = r;
    assigned += now.size();
  }
  return rank;
}

std::vector<ObjectiveVector> random_points(Rng& rng, int n, int dim, int grid) {
  std::vector<ObjectiveVector> pts(n, ObjectiveVector(dim));
  // Coarse integer grid so duplicates and ties in one objective are frequent.
  for (auto& p : pts)
    for (auto& v : p) v = static_cast<double>(rng.uniform_int(0, grid));
  return pts;
}

TEST(NonDominatedSort, MatchesBruteForceOnRandomSets) {
  Rng rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const int dim = 2 + trial % 3;  // the 2-D sweep and Deb's general algorithm
    const int n = static_cast<int>(rng.uniform_int(1, 60));
    auto pts = random_points(rng, n, dim, trial % 2 ? 6 : 1000);
    const auto sorting = non_dominated_sort(pts);
    const auto expected = brute_force_ranks(pts);
    ASSERT_EQ(sorting.ranks, expected) << "trial " << trial << " dim " << dim;
    std::size_t total = 0;
    for (std::size_t f = 0; f < sorting.fronts.size(); ++f) {
      total += sorting.fronts[f].size();
      ASSERT_FALSE(sorting.fronts[f].empty());
      for (auto i : sorting.fronts[f]) ASSERT_EQ(sorting.ranks[i], static_cast<int>(f));
      ASSERT_TRUE(std::is_sorted(sorting.fronts[f].begin(), sorting.fronts[f].end()));
    }
    ASSERT_EQ(total, pts.size());
  }
}

TEST(NonDominatedSort, DuplicatesShareARank) {
  std::vector<ObjectiveVector> pts = {{1, 2}, {1, 2}, {2, 1}, {2, 2}, {1, 3}};
  const auto s = non_dominated_sort(pts);
  EXPECT_EQ(s.ranks, (std::vector<int>{0, 0, 0, 1, 1}));
  EXPECT_EQ(non_dominated_positions(pts), (std::vector<std::size_t>{0, 1, 2}));
}

TEST(NonDominatedSort, RejectsRaggedAndNaN) {
  EXPECT_THROW(non_dominated_sort({{1, 2}, {1, 2, 3}}), Error);
  EXPECT_THROW(non_dominated_sort({{1, std::nan("")}}), Error);
  EXPECT_TRUE(non_dominated_sort({}).fronts.empty());
}

TEST(CrowdingDistance, HandComputed) {
  // Sorted by f1: (0,4) (1,2) (3,1) (4,0); ranges 4 and 4.
  std::vector<ObjectiveVector> front = {{3, 1}, {0, 4}, {1, 2}, {4, 0}};
  const auto d = crowding_distance(front);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(d[1], inf);
  EXPECT_EQ(d[3], inf);
  EXPECT_DOUBLE_EQ(d[2], (3.0 - 0.0) / 4 + (4.0 - 1.0) / 4);  // neighbours (0,4) and (3,1)
  EXPECT_DOUBLE_EQ(d[0], (4.0 - 1.0) / 4 + (2.0 - 0.0) / 4);  // neighbours (1,2) and (4,0)
  EXPECT_EQ(crowding_distance({{1, 1}, {2, 0}}), (std::vector<double>{inf, inf}));
}

}  // namespace
}  // namespace pelnas
