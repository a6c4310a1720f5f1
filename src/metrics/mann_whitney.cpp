#include "metrics/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.h"

namespace pelnas {

namespace {

// Frequencies of U for sample sizes (n1, n2) with no ties: f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u)
// (the largest value is from the first sample or not). Returned as probabilities over u = 0..n1 n2.
std::vector<double> u_distribution(int n1, int n2) {
  // layer[n][u] for the current m; start with m = 0: U = 0 with count 1 for every n.
  std::vector<std::vector<double>> prev(n2 + 1, std::vector<double>(1, 1.0));
  for (int m = 1; m <= n1; ++m) {
    std::vector<std::vector<double>> cur(n2 + 1);
    cur[0] = std::vector<double>(1, 1.0);  // n = 0: U = 0
    for (int n = 1; n <= n2; ++n) {
      std::vector<double> f(static_cast<std::size_t>(m) * n + 1, 0.0);
      const auto& a = prev[n];  // f(m-1, n, .) shifted by n
      for (std::size_t u = 0; u < a.size(); ++u) f[u + n] += a[u];
      const auto& b = cur[n - 1];  // f(m, n-1, .)
      for (std::size_t u = 0; u < b.size(); ++u) f[u] += b[u];
      cur[n] = std::move(f);
    }
    prev = std::move(cur);
  }
  std::vector<double> f = prev[n2];
  const double total = std::accumulate(f.begin(), f.end(), 0.0);
  for (double& v : f) v /= total;
  return f;
}

double normal_sf(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

}  // namespace

double mann_whitney_exact_sf(int u, int n1, int n2) {
  if (n1 < 0 || n2 < 0) throw Error("mann_whitney_exact_sf: negative sample size");
  const auto f = u_distribution(n1, n2);
  if (u <= 0) return 1.0;
  double p = 0;
  for (std::size_t k = static_cast<std::size_t>(u); k < f.size(); ++k) p += f[k];
  return std::min(p, 1.0);
}

MannWhitneyResult mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.empty() || y.empty()) throw Error("Mann-Whitney U: both samples need at least one value");
  for (const auto* s : {&x, &y})
    for (double v : *s)
      if (!std::isfinite(v)) throw Error("Mann-Whitney U: a sample holds a non-finite value");
  const int n1 = static_cast<int>(x.size()), n2 = static_cast<int>(y.size()), n = n1 + n2;
  // Mid-ranks of the pooled sample.
  std::vector<std::pair<double, int>> pooled;
  for (double v : x) pooled.push_back({v, 0});
  for (double v : y) pooled.push_back({v, 1});
  std::sort(pooled.begin(), pooled.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double r1 = 0, tie_term = 0;
  for (int i = 0; i < n;) {
    int j = i;
    while (j < n && pooled[j].first == pooled[i].first) ++j;
    const double rank = (i + 1 + j) / 2.0;  // ranks i+1 .. j
    const double t = j - i;
    tie_term += t * t * t - t;
    for (int k = i; k < j; ++k)
      if (pooled[k].second == 0) r1 += rank;
    i = j;
  }
  MannWhitneyResult r;
  r.u1 = r1 - n1 * (n1 + 1) / 2.0;
  r.u2 = static_cast<double>(n1) * n2 - r.u1;
  r.a12 = r.u1 / (static_cast<double>(n1) * n2);
  const double u = std::max(r.u1, r.u2);
  r.exact = !(n1 > 8 && n2 > 8) && tie_term == 0;
  r.min_p = std::min(1.0, 2.0 * mann_whitney_exact_sf(n1 * n2, n1, n2));
  if (r.exact) {
    r.p_value = std::min(1.0, 2.0 * mann_whitney_exact_sf(static_cast<int>(std::lround(u)), n1, n2));
  } else {
    const double mu = n1 * n2 / 2.0;
    const double s = std::sqrt(n1 * n2 / 12.0 * ((n + 1) - tie_term / (static_cast<double>(n) * (n - 1))));
    // All values equal: no evidence either way.
    r.p_value = s > 0 ? std::min(1.0, 2.0 * normal_sf((u - mu - 0.5) / s)) : 1.0;
  }
  return r;
}

}  // namespace pelnas
