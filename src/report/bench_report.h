#pragma once
// The HTML report of a `pelnas bench` output directory (results.csv, curves.csv, summary.json):
// per (dataset, device, metric) setting, HV ratio against evaluated architectures with one curve
// per algorithm (mean over seeds) and its min-max band over seeds, and a table of final HV ratio /
// IGD (mean, std, min, max over seeds).
//
// Test markers: curve points carry data-algo / data-evaluations / data-mean / data-min / data-max;
// table rows carry data-setting / data-algo.
//
// With fronts.csv (each run's answer, re-scored with true accuracy) the report also draws, per
// setting, each algorithm's median attainment surface (the front reached by at least half of its
// seeds; report/attainment.h) against the true front (when the benchmark tables are given).
// Median-front points carry data-algo / data-cost / data-acc.
#include <string>

#include "data/benchmark_data.h"

namespace pelnas::report {

bool is_bench_dir(const std::string& dir);
// Throws pelnas::Error naming the file. `data` may be null (no true front in the front charts).
std::string render_bench_report(const std::string& dir, const BenchmarkData* data = nullptr);

}  // namespace pelnas::report
