#include "metrics/igd.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"

namespace pelnas {

namespace {

template <class Distance>
double mean_min_distance(const char* what, const std::vector<ObjectiveVector>& found,
                         const std::vector<ObjectiveVector>& reference, Distance distance) {
  if (found.empty()) throw Error(std::string(what) + ": the approximation set is empty");
  if (reference.empty()) throw Error(std::string(what) + ": the reference set is empty");
  const std::size_t dim = reference[0].size();
  auto check = [&](const std::vector<ObjectiveVector>& set, const char* name) {
    for (std::size_t i = 0; i < set.size(); ++i) {
      if (set[i].size() != dim)
        throw Error(std::string(what) + ": " + name + " point " + std::to_string(i) + " has " +
                    std::to_string(set[i].size()) + " objectives, expected " + std::to_string(dim));
      for (double v : set[i])
        if (std::isnan(v)) throw Error(std::string(what) + ": " + name + " point " + std::to_string(i) + " is NaN");
    }
  };
  check(found, "approximation");
  check(reference, "reference");
  double sum = 0;
  for (const auto& z : reference) {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& a : found) best = std::min(best, distance(a, z));
    sum += best;
  }
  return sum / static_cast<double>(reference.size());
}

}  // namespace

double igd(const std::vector<ObjectiveVector>& found, const std::vector<ObjectiveVector>& reference) {
  return mean_min_distance("IGD", found, reference, [](const ObjectiveVector& a, const ObjectiveVector& z) {
    double s = 0;
    for (std::size_t k = 0; k < z.size(); ++k) s += (a[k] - z[k]) * (a[k] - z[k]);
    return std::sqrt(s);
  });
}

double igd_plus(const std::vector<ObjectiveVector>& found, const std::vector<ObjectiveVector>& reference) {
  return mean_min_distance("IGD+", found, reference, [](const ObjectiveVector& a, const ObjectiveVector& z) {
    double s = 0;
    for (std::size_t k = 0; k < z.size(); ++k) {
      const double worse = std::max(a[k] - z[k], 0.0);
      s += worse * worse;
    }
    return std::sqrt(s);
  });
}

}  // namespace pelnas
