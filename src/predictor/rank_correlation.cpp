#include "predictor/rank_correlation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>

#include "common/error.h"

namespace pelnas {

namespace {

void check_inputs(const std::vector<double>& x, const std::vector<double>& y, const char* what) {
  if (x.size() != y.size())
    throw Error(std::string(what) + ": the two score vectors differ in length (" + std::to_string(x.size()) +
                " vs " + std::to_string(y.size()) + ")");
  if (x.size() < 2) throw Error(std::string(what) + ": needs at least 2 pairs, got " + std::to_string(x.size()));
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]) || !std::isfinite(y[i]))
      throw Error(std::string(what) + ": non-finite score at position " + std::to_string(i));
}

// Pairs of equal values within sorted runs: sum over runs of t (t - 1) / 2.
std::int64_t tied_pairs(const std::vector<double>& sorted) {
  std::int64_t total = 0, run = 1;
  for (std::size_t i = 1; i <= sorted.size(); ++i) {
    if (i < sorted.size() && sorted[i] == sorted[i - 1]) {
      ++run;
    } else {
      total += run * (run - 1) / 2;
      run = 1;
    }
  }
  return total;
}

// Merge sort that counts the swaps needed (= discordant pairs among elements not tied in the key).
std::int64_t merge_count(std::vector<double>& v, std::vector<double>& tmp, std::size_t lo, std::size_t hi) {
  if (hi - lo < 2) return 0;
  const std::size_t mid = lo + (hi - lo) / 2;
  std::int64_t swaps = merge_count(v, tmp, lo, mid) + merge_count(v, tmp, mid, hi);
  std::size_t i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    if (v[j] < v[i]) {
      swaps += static_cast<std::int64_t>(mid - i);
      tmp[k++] = v[j++];
    } else {
      tmp[k++] = v[i++];
    }
  }
  while (i < mid) tmp[k++] = v[i++];
  while (j < hi) tmp[k++] = v[j++];
  std::copy(tmp.begin() + static_cast<std::ptrdiff_t>(lo), tmp.begin() + static_cast<std::ptrdiff_t>(hi),
            v.begin() + static_cast<std::ptrdiff_t>(lo));
  return swaps;
}

}  // namespace

std::vector<double> average_ranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> ranks(x.size());
  std::size_t i = 0;
  while (i < order.size()) {
    std::size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = mean_rank;
    i = j + 1;
  }
  return ranks;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  check_inputs(x, y, "pearson");
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  // A constant vector has no ranking to agree with: report no correlation rather than 0/0.
  if (sxx == 0 || syy == 0) return 0.0;
  return sxy / std::sqrt(sxx * syy);
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  check_inputs(x, y, "spearman");
  return pearson(average_ranks(x), average_ranks(y));
}

double kendall_tau(const std::vector<double>& x, const std::vector<double>& y) {
  check_inputs(x, y, "kendall_tau");
  const std::size_t n = x.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return x[a] < x[b] || (x[a] == x[b] && y[a] < y[b]);
  });
  std::vector<double> xs(n), ys(n);
  for (std::size_t i = 0; i < n; ++i) {
    xs[i] = x[order[i]];
    ys[i] = y[order[i]];
  }
  const std::int64_t n0 = static_cast<std::int64_t>(n) * static_cast<std::int64_t>(n - 1) / 2;
  const std::int64_t n1 = tied_pairs(xs);
  // Pairs tied in both x and y: runs of equal (x, y) in the sorted order.
  std::int64_t n3 = 0, run = 1;
  for (std::size_t i = 1; i <= n; ++i) {
    if (i < n && xs[i] == xs[i - 1] && ys[i] == ys[i - 1]) {
      ++run;
    } else {
      n3 += run * (run - 1) / 2;
      run = 1;
    }
  }
  std::vector<double> tmp(n);
  const std::int64_t swaps = merge_count(ys, tmp, 0, n);  // ys is now sorted
  const std::int64_t n2 = tied_pairs(ys);
  const double denom = std::sqrt(static_cast<double>(n0 - n1)) * std::sqrt(static_cast<double>(n0 - n2));
  if (denom == 0) return 0.0;
  const double numer = static_cast<double>(n0 - n1 - n2 + n3 - 2 * swaps);
  return numer / denom;
}

std::vector<std::size_t> top_fraction_positions(const std::vector<double>& truth, double fraction) {
  if (!(fraction > 0 && fraction <= 1))
    throw Error("top-fraction Spearman: the fraction must be in (0, 1] (got " + std::to_string(fraction) + ")");
  const auto k = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(truth.size()) - 1e-9));
  std::vector<std::size_t> order(truth.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return truth[a] > truth[b]; });
  order.resize(std::min(k, order.size()));
  return order;
}

double top_fraction_spearman(const std::vector<double>& score, const std::vector<double>& truth, double fraction) {
  check_inputs(score, truth, "top-fraction Spearman");
  std::vector<double> s, t;
  for (std::size_t i : top_fraction_positions(truth, fraction)) {
    s.push_back(score[i]);
    t.push_back(truth[i]);
  }
  if (s.size() < 2)
    throw Error("top-fraction Spearman: the top " + std::to_string(fraction) + " of " + std::to_string(truth.size()) +
                " archs is fewer than 2");
  return spearman(s, t);
}

}  // namespace pelnas
