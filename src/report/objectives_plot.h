#pragma once
// Runs with three or more objectives: a front cannot be drawn in one accuracy-vs-cost chart, so the
// report adds every pairwise projection of the objectives (accuracy against each cost, and each pair
// of costs), with the run's found front over the exact n-objective true front projected, and a
// parallel-coordinates plot (one polyline per front point across the objectives, each axis scaled
// from the true front's ideal (bottom) to its nadir (top), so lower is better on every axis).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hardware/cost_source.h"
#include "metrics/true_front.h"
#include "report/html_writer.h"
#include "report/run_data.h"

namespace pelnas::report {

struct ObjectiveAxis {
  std::string name, unit;
};

// Points in objective space for objective_plots(): values[i][k] = objective k of point i (k = 0 is
// the maximised accuracy or score, the others minimised costs), in the axes' units.
struct ObjectivePoints {
  std::vector<std::vector<double>> values;
  std::vector<std::string> tooltips;                           // per point (may be empty)
  std::vector<std::string> line_tooltips;                      // in parallel coordinates (empty: tooltips)
  std::vector<std::map<std::string, std::string>> attrs;       // per point SVG attributes (may be empty)
};

// What objective_plots() draws: a reference set (NB201's true front, or the evaluated archive of a
// space without one) and the run's front, in every pairwise projection, then in parallel
// coordinates with objective k scaled so `best[k]` -> 0 and `worst[k]` -> 1 (minimised form: for
// objective 0 pass the negated accuracy bounds, as -value is what is scaled).
struct ObjectivePlotInput {
  std::vector<ObjectiveAxis> axes;  // at least three (accuracy, two or more costs)
  ObjectivePoints reference, found;
  std::string reference_name, found_name;  // legend texts, e.g. "true front (projected)", "found front"
  std::string reference_line_name;         // legend of the reference in parallel coordinates
  std::vector<double> best, worst;         // per objective, minimised form
  std::string parallel_title, parallel_axis_0;  // the title; axis 0's name there (e.g. "test error")
};

// The generic core: pairwise projections and the parallel-coordinates plot.
void objective_plots(HtmlPage& page, const ObjectivePlotInput& in);

// Writes the projections and the parallel-coordinates plot. `costs` are the run's cost sources in
// objective order (at least two); `truth` is their n-objective true front.
void objectives_section(HtmlPage& page, const RunData& run, const std::vector<const CostSource*>& costs,
                        const TrueFront& truth);

}  // namespace pelnas::report
