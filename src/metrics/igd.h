#pragma once
// Inverted generational distance (minimisation): how far the reference front (usually the true
// Pareto front) is from an approximation set, averaged over the reference points.
#include <vector>

#include "metrics/non_dominated_sort.h"

namespace pelnas {

// IGD = mean over reference points z of min over found points a of ||a - z||_2.
double igd(const std::vector<ObjectiveVector>& found, const std::vector<ObjectiveVector>& reference);

// IGD+ (Ishibuchi et al., EMO 2015): as IGD with the dominance-compliant distance
// d+(z, a) = sqrt(sum_k max(a_k - z_k, 0)^2), i.e. only the amount by which a is worse than z counts.
double igd_plus(const std::vector<ObjectiveVector>& found, const std::vector<ObjectiveVector>& reference);

// Both throw pelnas::Error when either set is empty, dimensions differ, or a value is NaN.

}  // namespace pelnas
