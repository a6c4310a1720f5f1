#include "report/attainment.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <limits>

#include "common/error.h"

namespace pelnas::report {

std::vector<CostAccuracy> attainment_surface(const std::vector<std::vector<CostAccuracy>>& runs, int k) {
  const int n = static_cast<int>(runs.size());
  if (k < 1 || k > n) throw Error(fmt::format("attainment surface: k = {} outside 1..{}", k, n));
  // Every run's points by cost; a sweep over all costs keeps each run's best accuracy so far.
  std::vector<std::vector<CostAccuracy>> sorted(runs);
  std::vector<double> costs;
  for (auto& r : sorted) {
    r.erase(std::remove_if(r.begin(), r.end(), [](const CostAccuracy& p) { return !std::isfinite(p.cost) || !std::isfinite(p.accuracy); }),
            r.end());
    std::sort(r.begin(), r.end(), [](const CostAccuracy& a, const CostAccuracy& b) { return a.cost < b.cost; });
    for (const auto& p : r) costs.push_back(p.cost);
  }
  std::sort(costs.begin(), costs.end());
  costs.erase(std::unique(costs.begin(), costs.end()), costs.end());
  const double none = -std::numeric_limits<double>::infinity();
  std::vector<double> best(n, none);
  std::vector<std::size_t> next(n, 0);
  std::vector<CostAccuracy> out;
  std::vector<double> level(n);
  for (double c : costs) {
    for (int r = 0; r < n; ++r)
      while (next[r] < sorted[r].size() && sorted[r][next[r]].cost <= c) best[r] = std::max(best[r], sorted[r][next[r]++].accuracy);
    level = best;
    std::nth_element(level.begin(), level.begin() + (k - 1), level.end(), std::greater<double>());
    const double a = level[k - 1];
    if (a == none) continue;
    if (!out.empty() && a <= out.back().accuracy) continue;  // no new corner
    out.push_back({c, a});
  }
  return out;
}

std::vector<CostAccuracy> staircase(const std::vector<CostAccuracy>& corners) {
  std::vector<CostAccuracy> out;
  for (std::size_t i = 0; i < corners.size(); ++i) {
    if (i > 0) out.push_back({corners[i].cost, corners[i - 1].accuracy});
    out.push_back(corners[i]);
  }
  return out;
}

}  // namespace pelnas::report
