#pragma once
// Scoring a run that has no true front: its cost was told by the user (an ask/tell study), so no
// table knows the cost of every architecture and neither HV ratio nor IGD exists. What remains
// honest is the hypervolume of the run's front in the objectives' own units (test error %, cost in
// its unit; both minimised) against a stated reference point: the user's, or one derived from the
// run's own archive (its worst value per objective plus 10 % of that objective's range). Such HVs
// compare runs only under the same reference point, which is therefore written next to every HV.
#include <optional>
#include <string>
#include <vector>

#include "metrics/non_dominated_sort.h"

namespace pelnas {

struct ReferencePointScore {
  double hv = 0;                // units: error % x cost unit (x extra cost units)
  ObjectiveVector reference;    // minimised objectives: (100 - accuracy %, cost, ...)
  bool reference_given = false; // false: derived from the archive
  // "given by the user" or "derived from the run's archive (...)": for summaries and reports.
  std::string reference_source() const;
};

// The archive-derived reference point: per objective, the worst value over `evaluated` plus 10 % of
// its range (10 % of the value's magnitude, or 1, when every value is the same), so every evaluated
// point lies strictly inside the reference box. Throws pelnas::Error when `evaluated` is empty, the
// dimensions differ, or a value is not finite.
ObjectiveVector reference_point_from_archive(const std::vector<ObjectiveVector>& evaluated);

// HV of `front` (minimised objective vectors) against `given` when set, else against the
// archive-derived point of `evaluated`. Points outside the reference box add nothing.
ReferencePointScore score_against_reference_point(const std::vector<ObjectiveVector>& front,
                                                  const std::vector<ObjectiveVector>& evaluated,
                                                  const std::optional<ObjectiveVector>& given);

// The protocol in words for summaries and reports, e.g. "no true front (the cost was told by the
// user): hypervolume of the found front in raw units against the reference point (...) derived
// from the run's archive; no HV ratio, IGD or IGD+".
std::string describe_reference_point_score(const ReferencePointScore& s, const std::vector<std::string>& objective_names);

}  // namespace pelnas
