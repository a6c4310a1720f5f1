#pragma once
// The HTML page of several runs (`pelnas report A B C -o cmp.html`): a table of HV ratio / IGD /
// IGD+ / evaluations / wall time / operator per run; per (dataset, device, metric) setting the
// runs' fronts overlaid (one colour per run, rings, true front in black on top, zoomed to the
// fronts); HV ratio against evaluations for every run, and against LLM calls for runs that called
// a model. Unfinished runs are shown as far as they got and marked.
//
// Test markers: table rows carry data-run; front rings carry data-run / data-index / data-acc /
// data-cost; curve points carry data-run / data-evaluations / data-hv (and data-calls).
#include <memory>
#include <string>
#include <vector>

#include "data/benchmark_data.h"
#include "report/run_data.h"

namespace pelnas::report {

// Display names of run directories: the last path component, or the whole path where two runs
// share it.
std::vector<std::string> run_names(const std::vector<RunData>& runs);

std::string render_compare_report(const std::vector<RunData>& runs, std::shared_ptr<const BenchmarkData> data);

}  // namespace pelnas::report
