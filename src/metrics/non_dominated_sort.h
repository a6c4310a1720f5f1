#pragma once
// Pareto ranking of objective vectors under minimisation: non-dominated sorting (fronts and ranks)
// for any number of objectives, with an O(n log n) path for two objectives.
#include <cstddef>
#include <vector>

namespace pelnas {

using ObjectiveVector = std::vector<double>;

// a dominates b: a <= b in every objective and a < b in at least one (minimisation).
bool dominates(const ObjectiveVector& a, const ObjectiveVector& b);

struct NonDominatedSorting {
  std::vector<std::vector<std::size_t>> fronts;  // fronts[0] = positions of the non-dominated points
  std::vector<int> ranks;                        // ranks[i] = index of the front holding point i
};

// Identical points never dominate each other, so they share a rank. Positions inside a front are
// in ascending order. Throws pelnas::Error when the points do not all have the same dimension, or
// any value is NaN.
NonDominatedSorting non_dominated_sort(const std::vector<ObjectiveVector>& points);

// Positions of the first front only (ascending).
std::vector<std::size_t> non_dominated_positions(const std::vector<ObjectiveVector>& points);

}  // namespace pelnas
