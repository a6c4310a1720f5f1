// WeightedChoice::pick must return exactly what the linear scan returns (the scan is the
// definition: every recorded run's draws came from it), including where x0 sits on or next to a
// running sum, and for weights of very different magnitudes.
#include "search/weighted_choice.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace pelnas {
namespace {

WeightedChoice make(const std::vector<double>& w) {
  WeightedChoice c;
  for (double x : w) c.add(x);
  return c;
}

TEST(WeightedChoice, PickEqualsTheScanOnRandomListsAndDraws) {
  Rng gen(11);
  std::size_t fast = 0, draws = 0;
  for (int list = 0; list < 2000; ++list) {
    const auto n = static_cast<std::size_t>(gen.uniform_int(1, 60));
    std::vector<double> w;
    for (std::size_t i = 0; i < n; ++i) {
      const auto kind = gen.uniform_int(0, 5);
      // Frontier-like weights (0.25 + k), rule factors (3^k), zeros, and wide magnitudes.
      w.push_back(kind == 0   ? 0.25 + static_cast<double>(gen.uniform_int(0, 24))
                  : kind == 1 ? std::pow(3.0, static_cast<double>(gen.uniform_int(-6, 6)))
                  : kind == 2 ? 0.0
                  : kind == 3 ? std::ldexp(gen.uniform01(), static_cast<int>(gen.uniform_int(-60, 60)))
                              : gen.uniform01());
    }
    if (list % 7 == 0) w.assign(n, 1.0);  // equal weights: x0 often lands on a running sum exactly
    const WeightedChoice c = make(w);
    Rng a(static_cast<std::uint64_t>(list)), b(static_cast<std::uint64_t>(list));
    for (int d = 0; d < 200; ++d) {
      const std::size_t picked = c.pick(a);
      const std::size_t scanned = c.scan(b.uniform01() * c.total);
      ASSERT_EQ(picked, scanned) << "list " << list << " draw " << d;
      fast += index_by_running_sums(c.running.data(), c.running.size(), c.total * 0.5) < c.running.size();
      ++draws;
    }
  }
  EXPECT_GT(fast, draws / 2);  // the binary search decides most draws
}

TEST(WeightedChoice, PickEqualsTheScanOnAndNextToEveryRunningSum) {
  for (const auto& w : std::vector<std::vector<double>>{{1, 1, 1, 1},
                                                         {0.25, 0.25, 3.25, 0, 0, 1e-17, 2},
                                                         {1e-300, 1, 1e300},
                                                         {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7},
                                                         {0, 0, 5}}) {
    const WeightedChoice c = make(w);
    for (double s : c.running)
      for (double x0 : {s, std::nextafter(s, 0.0), std::nextafter(s, 2 * s + 1), s * (1 - 1e-15), s * (1 + 1e-15)})
        if (x0 >= 0 && x0 < c.total) { EXPECT_EQ(c.pick_at(x0), c.scan(x0)) << "x0 " << x0; }
    EXPECT_EQ(c.pick_at(0.0), c.scan(0.0));
  }
}

TEST(WeightedChoice, BranchFreeUpperBoundEqualsTheStandardOne) {
  // Ascending lists with repeats (zero weights repeat a running sum), of every length up to 70,
  // probed at, between, below and above their values.
  Rng gen(5);
  for (std::size_t n = 1; n <= 70; ++n)
    for (int list = 0; list < 20; ++list) {
      std::vector<double> sorted;
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) {
        sum += gen.uniform_int(0, 3) == 0 ? 0.0 : static_cast<double>(gen.uniform_int(1, 4));
        sorted.push_back(sum);
      }
      std::vector<double> probes = {-1.0, sum + 1};
      for (double v : sorted) probes.insert(probes.end(), {v, v - 0.5, v + 0.5, std::nextafter(v, -1e9)});
      for (double x : probes)
        ASSERT_EQ(branch_free_upper_bound(sorted.data(), n, x), std::upper_bound(sorted.begin(), sorted.end(), x) - sorted.begin() + sorted.data())
            << "n " << n << " x " << x;
    }
}

TEST(WeightedChoice, AllZeroWeightsPickTheLastAsTheScanDoes) {
  const WeightedChoice c = make({0, 0, 0});
  Rng r(3);
  EXPECT_EQ(c.pick(r), 2u);
  EXPECT_EQ(c.scan(0.0), 2u);
}

}  // namespace
}  // namespace pelnas
