// pagmo2's exact hypervolume, in the pagmo plugin (common/pagmo_plugin.h): `inside` holds the points
// strictly inside the reference box, already checked by metrics/hypervolume.cpp.
#include <pagmo/utils/hypervolume.hpp>
#include <vector>

extern "C" double pelnas_pagmo_hypervolume(const std::vector<std::vector<double>>& inside,
                                           const std::vector<double>& reference) {
  return pagmo::hypervolume(inside, true).compute(reference);
}
