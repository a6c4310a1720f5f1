#pragma once
// Empirical attainment surfaces of bi-objective fronts (maximise accuracy, minimise cost) over
// repeated runs (Fonseca & Fleming; López-Ibáñez et al.'s EAF). A point (c, a) is attained by a run
// when the run has a point with cost <= c and accuracy >= a; the k-th attainment surface bounds the
// region attained by at least k of the n runs. k = 1 is the best case, k = n the worst, and
// k = ceil(n / 2) the median front. In two objectives each surface is a staircase.
#include <vector>

namespace pelnas::report {

struct CostAccuracy {
  double cost = 0, accuracy = 0;
};

// The corners of the k-th surface (1 <= k <= runs.size()), by cost ascending: at each cost where
// any run has a point, the k-th highest of the runs' best accuracy at no higher cost; costs where
// fewer than k runs have a point yet are left out, and so are corners that do not raise accuracy.
// Throws pelnas::Error when k is out of range.
std::vector<CostAccuracy> attainment_surface(const std::vector<std::vector<CostAccuracy>>& runs, int k);

// Corners to a drawable staircase: after each corner, a horizontal step to the next corner's cost.
std::vector<CostAccuracy> staircase(const std::vector<CostAccuracy>& corners);

}  // namespace pelnas::report
