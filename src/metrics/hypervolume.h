#pragma once
// Hypervolume (minimisation): the volume dominated by a point set and bounded by a reference point.
// Points that do not strictly dominate the reference point contribute nothing; duplicates and
// dominated points are allowed.
#include <array>
#include <vector>

#include "metrics/non_dominated_sort.h"

namespace pelnas {

using Point2 = std::array<double, 2>;

// Exact 2-objective hypervolume in O(n log n): sort by the first objective, then sweep.
// Throws pelnas::Error on NaN.
double hypervolume_2d(std::vector<Point2> points, const Point2& reference);

// Any number of objectives through pagmo::hypervolume (exact, pagmo chooses the algorithm).
// Throws pelnas::Error on a dimension mismatch or NaN.
double hypervolume(const std::vector<ObjectiveVector>& points, const ObjectiveVector& reference);

}  // namespace pelnas
