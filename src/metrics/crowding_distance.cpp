#include "metrics/crowding_distance.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace pelnas {

std::vector<double> crowding_distance(const std::vector<ObjectiveVector>& front) {
  const std::size_t n = front.size();
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::vector<double> d(n, 0.0);
  if (n <= 2) return std::vector<double>(n, inf);
  std::vector<std::size_t> order(n);
  for (std::size_t k = 0; k < front[0].size(); ++k) {
    std::iota(order.begin(), order.end(), 0);
    // Ties broken by position so the result never depends on the sort implementation.
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return front[a][k] != front[b][k] ? front[a][k] < front[b][k] : a < b;
    });
    const double lo = front[order.front()][k], hi = front[order.back()][k];
    d[order.front()] = inf;
    d[order.back()] = inf;
    if (hi <= lo) continue;
    for (std::size_t i = 1; i + 1 < n; ++i)
      if (d[order[i]] != inf) d[order[i]] += (front[order[i + 1]][k] - front[order[i - 1]][k]) / (hi - lo);
  }
  return d;
}

}  // namespace pelnas
