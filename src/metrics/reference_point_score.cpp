#include "metrics/reference_point_score.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "metrics/hypervolume.h"

namespace pelnas {

std::string ReferencePointScore::reference_source() const {
  return reference_given ? "given by the user"
                         : "derived from the run's archive (worst value of each objective + 10% of its range)";
}

ObjectiveVector reference_point_from_archive(const std::vector<ObjectiveVector>& evaluated) {
  if (evaluated.empty()) throw Error("reference point: the archive is empty");
  const std::size_t dim = evaluated.front().size();
  ObjectiveVector lo(dim, INFINITY), hi(dim, -INFINITY);
  for (const auto& p : evaluated) {
    if (p.size() != dim) throw Error("reference point: the archive's points have different numbers of objectives");
    for (std::size_t k = 0; k < dim; ++k) {
      if (!std::isfinite(p[k])) throw Error("reference point: an archive point has a non-finite objective");
      lo[k] = std::min(lo[k], p[k]);
      hi[k] = std::max(hi[k], p[k]);
    }
  }
  ObjectiveVector ref(dim);
  for (std::size_t k = 0; k < dim; ++k) {
    const double range = hi[k] - lo[k];
    const double margin = range > 0 ? 0.1 * range : (hi[k] != 0 ? 0.1 * std::abs(hi[k]) : 1.0);
    ref[k] = hi[k] + margin;
  }
  return ref;
}

ReferencePointScore score_against_reference_point(const std::vector<ObjectiveVector>& front,
                                                  const std::vector<ObjectiveVector>& evaluated,
                                                  const std::optional<ObjectiveVector>& given) {
  ReferencePointScore s;
  s.reference_given = given.has_value();
  s.reference = given ? *given : reference_point_from_archive(evaluated);
  for (double r : s.reference)
    if (!std::isfinite(r)) throw Error("reference point: every coordinate must be a finite number");
  if (front.empty()) return s;
  if (s.reference.size() == 2) {
    std::vector<Point2> pts;
    for (const auto& p : front) {
      if (p.size() != 2) throw Error("reference point: 2 coordinates for points of " + std::to_string(p.size()) + " objectives");
      pts.push_back({p[0], p[1]});
    }
    s.hv = hypervolume_2d(std::move(pts), {s.reference[0], s.reference[1]});
  } else {
    s.hv = hypervolume(front, s.reference);
  }
  return s;
}

std::string describe_reference_point_score(const ReferencePointScore& s, const std::vector<std::string>& names) {
  std::string ref;
  for (std::size_t k = 0; k < s.reference.size(); ++k)
    ref += fmt::format("{}{} = {:.6g}", k ? ", " : "", k < names.size() ? names[k] : "objective " + std::to_string(k),
                       s.reference[k]);
  return fmt::format(
      "no true front (the cost was told by the user), so no HV ratio, IGD or IGD+: HV = hypervolume of the run's "
      "front in the objectives' own units (all minimised) against the reference point ({}), {}; HVs compare only "
      "under the same reference point",
      ref, s.reference_source());
}

}  // namespace pelnas
