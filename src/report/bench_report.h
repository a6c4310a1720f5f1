#pragma once
// The HTML report of a `pelnas bench` output directory (results.csv, curves.csv, summary.json):
// per (dataset, device, metric) setting, HV ratio against evaluated architectures with one curve
// per algorithm (mean over seeds) and its min-max band over seeds, and a table of final HV ratio /
// IGD (mean, std, min, max over seeds).
//
// Test markers: curve points carry data-algo / data-evaluations / data-mean / data-min / data-max;
// table rows carry data-setting / data-algo.
#include <string>

namespace pelnas::report {

bool is_bench_dir(const std::string& dir);
std::string render_bench_report(const std::string& dir);  // throws pelnas::Error naming the file

}  // namespace pelnas::report
