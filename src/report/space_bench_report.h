#pragma once
// The HTML report of `pelnas bench --space` (experiment/space_benchmark_grid.h): per device, the
// algorithms' HV (fixed normalisation), HV ratio and IGD against the union of the grid's runs
// (labelled as such: it is not a true front), and a chart of every run's front with that union
// front. Self-contained XHTML-compatible page, no scripts.
#include <string>

#include "experiment/space_benchmark_grid.h"

namespace pelnas::report {

std::string render_space_bench_report(const SpaceGridResult& result);

}  // namespace pelnas::report
