#include "metrics/mann_whitney.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "common/error.h"
#include "test_support.h"

namespace pelnas {
namespace {

struct Case {
  std::vector<double> x, y;
  double u1, p;
  bool exact;
};

// Reference values from SciPy 1.10.1 (Debian python3-scipy), scipy.stats.mannwhitneyu(x, y) with its
// defaults (two-sided, method="auto", use_continuity=True); the first is the example of its manual.
TEST(MannWhitney, MatchesScipy) {
  const std::vector<Case> cases = {
      {{19, 22, 16, 29, 24}, {20, 11, 17, 12}, 17.0, 0.1111111111111111, true},
      {{0.97, 0.98, 0.96}, {0.90, 0.94, 0.93}, 9.0, 0.1, true},
      {{0.97, 0.98, 0.96, 0.95, 0.99}, {0.90, 0.94, 0.93, 0.955, 0.91, 0.92}, 29.0, 0.008658008658008658, true},
      {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {1.5, 2.5, 3.5, 11, 12, 13, 14, 15, 16, 17, 18}, 24.0, 0.03173399375689655, false},
      {{1, 2, 2, 3, 3, 3}, {2, 3, 4, 4, 5}, 5.5, 0.08871369199677616, false},  // ties: normal approximation
      {{0.5, 0.5, 0.5}, {0.5, 0.5}, 3.0, 1.0, false},
      {{3.1, 2.2, 5.5, 4.4, 6.6, 7.7, 1.1, 8.8, 9.9, 10.1},
       {2.05, 3.3, 4.1, 5.2, 6.1, 0.5, 7.1, 8.1, 9.1, 11.5, 12.5, 13.5},
       53.0,
       0.668216305163999,
       false},
  };
  for (const auto& c : cases) {
    const auto r = mann_whitney_u(c.x, c.y);
    EXPECT_DOUBLE_EQ(r.u1, c.u1);
    EXPECT_DOUBLE_EQ(r.u1 + r.u2, static_cast<double>(c.x.size() * c.y.size()));
    EXPECT_NEAR(r.p_value, c.p, 1e-12 * std::max(1.0, c.p)) << c.u1;
    EXPECT_EQ(r.exact, c.exact) << c.u1;
    // Swapping the samples swaps U and keeps p.
    const auto s = mann_whitney_u(c.y, c.x);
    EXPECT_DOUBLE_EQ(s.u1, r.u2);
    EXPECT_NEAR(s.p_value, r.p_value, 1e-15);
    EXPECT_NEAR(r.a12 + s.a12, 1.0, 1e-15);
  }
  // SciPy's asymptotic p for the manual's example (method="asymptotic"), through the tie-free normal path.
  const double mu = 10, s = std::sqrt(5 * 4 / 12.0 * 10);
  EXPECT_NEAR(std::erfc((17 - mu - 0.5) / s / std::sqrt(2.0)), 0.11134688653314041, 1e-14);
}

// The exact tail against brute force: every way to choose which n1 of the n1 + n2 distinct values
// belong to the first sample is equally likely under the null hypothesis.
TEST(MannWhitney, ExactTailEqualsEnumeration) {
  for (int n1 = 1; n1 <= 6; ++n1)
    for (int n2 = 1; n2 <= 7; ++n2) {
      const int n = n1 + n2;
      std::vector<long long> count(n1 * n2 + 1, 0);
      long long total = 0;
      for (unsigned mask = 0; mask < (1u << n); ++mask) {
        if (__builtin_popcount(mask) != n1) continue;
        // U of the first sample = pairs (first, second) with first > second; values are 0..n-1.
        int u = 0;
        for (int i = 0; i < n; ++i)
          if (mask >> i & 1)
            for (int j = 0; j < i; ++j) u += !(mask >> j & 1);
        ++count[u];
        ++total;
      }
      long long tail = 0;
      for (int u = n1 * n2; u >= 0; --u) {
        tail += count[u];
        EXPECT_NEAR(mann_whitney_exact_sf(u, n1, n2), static_cast<double>(tail) / total, 1e-13) << n1 << " " << n2 << " " << u;
      }
    }
}

TEST(MannWhitney, SmallestPossiblePValueAndBadInput) {
  // Three seeds against three: complete separation gives p = 2 / C(6, 3) = 0.1, never below.
  const auto r = mann_whitney_u({1, 2, 3}, {4, 5, 6});
  EXPECT_DOUBLE_EQ(r.p_value, 0.1);
  EXPECT_DOUBLE_EQ(r.min_p, 0.1);
  EXPECT_DOUBLE_EQ(r.a12, 0.0);
  EXPECT_NE(test::error_of([] { mann_whitney_u({}, {1}); }).find("at least one value"), std::string::npos);
  EXPECT_NE(test::error_of([] { mann_whitney_u({1, NAN}, {1}); }).find("non-finite"), std::string::npos);
}

}  // namespace
}  // namespace pelnas
