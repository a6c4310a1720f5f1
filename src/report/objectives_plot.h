#pragma once
// Runs with three or more objectives: a front cannot be drawn in one accuracy-vs-cost chart, so the
// report adds every pairwise projection of the objectives (accuracy against each cost, and each pair
// of costs), with the run's found front over the exact n-objective true front projected, and a
// parallel-coordinates plot (one polyline per front point across the objectives, each axis scaled
// from the true front's ideal (bottom) to its nadir (top), so lower is better on every axis).
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

// Writes the projections and the parallel-coordinates plot. `costs` are the run's cost sources in
// objective order (at least two); `truth` is their n-objective true front.
void objectives_section(HtmlPage& page, const RunData& run, const std::vector<const CostSource*>& costs,
                        const TrueFront& truth);

}  // namespace pelnas::report
