#pragma once
// The evolution operator's screening model: an additive per-(position, choice) accuracy model and the floor quantile of its fit targets.
#include <cstddef>
#include <vector>

#include "search/archive.h"
#include "search/niche_history.h"
#include "space/arch_code.h"
#include "space/search_space.h"

namespace pelnas {

// The k-th smallest (0-based) of the union of two ascending vectors: the split of the k + 1
// smallest into i from `a` and j from `b` where both sides fit. O(|b|): b is the short one.
double nth_of_merged(const std::vector<double>& a, const std::vector<double>& b, std::size_t k);

// accuracy ~ mean + sum over positions of theta[position][choice], by ridge regression (normal
// equations over every (position, choice): NB201 30 unknowns, FBNet 198; Gaussian elimination with
// partial pivoting).
struct AdditiveAccuracyModel {
  double mean = 0;
  std::vector<int> offset;  // where each position's choices start in theta (then the total)
  std::vector<double> theta;
  bool fitted = false;
  double predict(const ArchCode& a) const {
    double y = mean;
    for (int e = 0; e < a.size(); ++e) y += theta[static_cast<std::size_t>(offset[e] + a[e])];
    return y;
  }
  // Targets below `floor` are raised to it: broken cells (10 % accuracy) would otherwise dominate
  // a least-squares fit that only has to rank the good region. The data are the niche history's
  // entries (`history`, whose running pair counts give the normal matrix's counts; null: none)
  // then `more`, summed in that order (the order fixes the floating-point results).
  static AdditiveAccuracyModel fit(const SearchSpace& space, const NicheHistory::Stats* history,
                                   const std::vector<const EvaluatedArch*>& more, double ridge, double floor);
};

}  // namespace pelnas
