#include "metrics/hypervolume.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"
#include "common/pagmo_plugin.h"

// hypervolume_pagmo.cpp: linked in (tests, Python) or in the pagmo plugin (the pelnas executable).
extern "C" double pelnas_pagmo_hypervolume(const std::vector<std::vector<double>>& inside,
                                           const std::vector<double>& reference) __attribute__((weak));

namespace pelnas {

double hypervolume_2d(std::vector<Point2> points, const Point2& reference) {
  if (std::isnan(reference[0]) || std::isnan(reference[1])) throw Error("hypervolume: the reference point is NaN");
  // Keep only points strictly inside the reference box; the rest add no volume.
  std::erase_if(points, [&](const Point2& p) {
    if (std::isnan(p[0]) || std::isnan(p[1])) throw Error("hypervolume: a point has a NaN objective");
    return !(p[0] < reference[0] && p[1] < reference[1]);
  });
  std::sort(points.begin(), points.end());
  // Each point that improves the best second objective so far adds the slab between its f2 and that
  // best f2, from its f1 to the reference's f1.
  double volume = 0, best_f2 = reference[1];
  for (const auto& p : points)
    if (p[1] < best_f2) {
      volume += (reference[0] - p[0]) * (best_f2 - p[1]);
      best_f2 = p[1];
    }
  return volume;
}

double hypervolume(const std::vector<ObjectiveVector>& points, const ObjectiveVector& reference) {
  const std::size_t dim = reference.size();
  if (dim < 2) throw Error("hypervolume: needs at least 2 objectives, the reference point has " + std::to_string(dim));
  for (double r : reference)
    if (std::isnan(r)) throw Error("hypervolume: the reference point has a NaN coordinate");
  std::vector<std::vector<double>> inside;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    if (p.size() != dim)
      throw Error("hypervolume: point " + std::to_string(i) + " has " + std::to_string(p.size()) +
                  " objectives, the reference point " + std::to_string(dim));
    bool strictly_inside = true;
    for (std::size_t k = 0; k < dim; ++k) {
      if (std::isnan(p[k])) throw Error("hypervolume: point " + std::to_string(i) + " has a NaN objective");
      strictly_inside = strictly_inside && p[k] < reference[k];
    }
    if (strictly_inside) inside.push_back(p);
  }
  if (inside.empty()) return 0.0;
  return pagmo_entry(&pelnas_pagmo_hypervolume, "pelnas_pagmo_hypervolume")(inside, reference);
}

}  // namespace pelnas
