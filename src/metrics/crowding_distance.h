#pragma once
// NSGA-II crowding distance: how isolated each point of one front is (larger = more isolated).
#include <vector>

#include "metrics/non_dominated_sort.h"

namespace pelnas {

// For each point: the sum over objectives of the normalised gap between its two neighbours in that
// objective; the extreme points of every objective get +infinity. Objectives with no spread add
// nothing. Fronts of one or two points are all +infinity.
std::vector<double> crowding_distance(const std::vector<ObjectiveVector>& front);

}  // namespace pelnas
