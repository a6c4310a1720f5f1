#pragma once
// A weighted draw among a list: the index the linear scan picks (subtract each weight, in list
// order, from x0 = u * total until the rest is below zero). The scan is the definition, fixed by the
// results it has produced; a long run makes hundreds of draws per child over large fronts (issue 14),
// so the index is found by binary search over the running sums wherever the rounding of either
// computation cannot change it, and by the scan elsewhere.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "common/rng.h"

namespace pelnas {

// The scan's index for x0 given the running sums running[0..n) of non-negative weights (running[i]
// = the sum of the first i + 1 in order, as the scan's caller summed them; total = running[n - 1]),
// or n where a binary search cannot be sure of it. Each addition and subtraction rounds by at most
// total * 2^-53 (every partial result is in [-total, total]), so the scan's rest after weight i and
// x0 - running[i] differ by at most (2i + 3) total 2^-53; the margin is more than that for any i < n.
// std::upper_bound's answer (the first element above x), without branches: late in a long run
// these searches decide hundreds of draws a generation and their comparisons are unpredictable, so
// a mispredicted branch per level costs more than the search itself. `sorted` must be ascending
// and n >= 1.
inline const double* branch_free_upper_bound(const double* sorted, std::size_t n, double x) {
  const double* base = sorted;
  // The answer stays in [base, base + n]: base[half] <= x puts it above base + half.
  while (n > 1) {
    const std::size_t half = n / 2;
    base = base[half] <= x ? base + half : base;  // a conditional move: no multiply on the chain
    n -= half;
  }
  return base + static_cast<std::size_t>(*base <= x);
}

inline std::size_t index_by_running_sums(const double* running, std::size_t n, double x0) {
  if (n == 0) return n;
  const double total = running[n - 1];
  const double margin = static_cast<double>(n + 1) * total * 0x1.0p-50;
  const double* it = branch_free_upper_bound(running, n, x0);
  if (it != running + n && *it - x0 > margin && (it == running || x0 - *(it - 1) > margin)) return static_cast<std::size_t>(it - running);
  return n;
}

struct WeightedChoice {
  std::vector<double> weights;
  std::vector<double> running;  // running[i] = total after adding weights[i]
  double total = 0;
  void add(double w) {
    weights.push_back(w);
    total += w;
    running.push_back(total);
  }
  std::size_t pick(Rng& rng) const { return pick_at(rng.uniform01() * total); }
  std::size_t pick_at(double x0) const {
    const std::size_t i = index_by_running_sums(running.data(), running.size(), x0);
    return i < running.size() ? i : scan(x0);
  }
  // The definition.
  std::size_t scan(double x) const {
    for (std::size_t i = 0; i < weights.size(); ++i) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.size() - 1;
  }
};

}  // namespace pelnas
