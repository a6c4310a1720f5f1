#include "metrics/non_dominated_sort.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "common/error.h"

namespace pelnas {

bool dominates(const ObjectiveVector& a, const ObjectiveVector& b) {
  bool strict = false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strict = true;
  }
  return strict;
}

namespace {

std::size_t check_points(const std::vector<ObjectiveVector>& points) {
  if (points.empty()) return 0;
  const std::size_t dim = points[0].size();
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].size() != dim)
      throw Error("non-dominated sort: point " + std::to_string(i) + " has " + std::to_string(points[i].size()) +
                  " objectives, expected " + std::to_string(dim));
    for (double v : points[i])
      if (std::isnan(v)) throw Error("non-dominated sort: point " + std::to_string(i) + " has a NaN objective");
  }
  return dim;
}

// Two objectives: sweep in (f1, f2) order. Every earlier point has f1 <= p.f1, and within a front
// the last point added has the smallest f2, so "front k dominates p" only needs that last point;
// the predicate is monotone in k, hence a binary search over the fronts.
void sort_2d(const std::vector<ObjectiveVector>& pts, NonDominatedSorting& out) {
  std::vector<std::size_t> order(pts.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (pts[a][0] != pts[b][0]) return pts[a][0] < pts[b][0];
    if (pts[a][1] != pts[b][1]) return pts[a][1] < pts[b][1];
    return a < b;
  });
  std::vector<std::size_t> last;  // last point added to each front
  auto front_dominates = [&](std::size_t k, std::size_t p) {
    const auto& q = pts[last[k]];
    return q[1] < pts[p][1] || (q[1] == pts[p][1] && q[0] < pts[p][0]);
  };
  for (std::size_t p : order) {
    std::size_t lo = 0, hi = last.size();  // first front that does not dominate p
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (front_dominates(mid, p))
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo == last.size()) {
      last.push_back(p);
      out.fronts.emplace_back();
    }
    last[lo] = p;
    out.fronts[lo].push_back(p);
    out.ranks[p] = static_cast<int>(lo);
  }
}

// Any number of objectives: Deb's fast non-dominated sort, O(M n^2).
void sort_nd(const std::vector<ObjectiveVector>& pts, NonDominatedSorting& out) {
  const std::size_t n = pts.size();
  std::vector<std::vector<std::size_t>> dominated(n);
  std::vector<int> count(n, 0);
  std::vector<std::size_t> current;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (dominates(pts[i], pts[j])) {
        dominated[i].push_back(j);
        ++count[j];
      } else if (dominates(pts[j], pts[i])) {
        dominated[j].push_back(i);
        ++count[i];
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    if (count[i] == 0) current.push_back(i);
  int rank = 0;
  while (!current.empty()) {
    std::vector<std::size_t> next;
    for (std::size_t i : current) {
      out.ranks[i] = rank;
      for (std::size_t j : dominated[i])
        if (--count[j] == 0) next.push_back(j);
    }
    out.fronts.push_back(current);
    current = std::move(next);
    ++rank;
  }
}

}  // namespace

NonDominatedSorting non_dominated_sort(const std::vector<ObjectiveVector>& points) {
  const std::size_t dim = check_points(points);
  NonDominatedSorting out;
  out.ranks.assign(points.size(), 0);
  if (points.empty()) return out;
  if (dim == 2)
    sort_2d(points, out);
  else
    sort_nd(points, out);
  for (auto& f : out.fronts) std::sort(f.begin(), f.end());
  return out;
}

std::vector<std::size_t> non_dominated_positions(const std::vector<ObjectiveVector>& points) {
  const std::size_t dim = check_points(points);
  if (dim > 2) {
    // Lexicographic sweep: only an earlier point can dominate a later one, and then (transitivity)
    // an earlier non-dominated one, so each point is compared with the front so far: O(n log n + n F).
    std::vector<std::size_t> order(points.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return points[a] != points[b] ? points[a] < points[b] : a < b; });
    std::vector<std::size_t> front;
    for (std::size_t p : order)
      if (std::none_of(front.begin(), front.end(), [&](std::size_t q) { return dominates(points[q], points[p]); }))
        front.push_back(p);
    std::sort(front.begin(), front.end());
    return front;
  }
  auto s = non_dominated_sort(points);
  return s.fronts.empty() ? std::vector<std::size_t>{} : s.fronts[0];
}

}  // namespace pelnas
