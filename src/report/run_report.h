#pragma once
// The HTML report of one run, finished or not (`pelnas report RUN_DIR`): the found front against the whole
// space and the true front, the HV-ratio curve, a per-niche table, the knowledge bases and how they
// changed (report/knowledge_history.h), operator/LLM statistics, wall time and the evaluation
// protocol in words (report/run_summary_sections.h). One self-contained XHTML-compatible file with
// inline SVG. A study with a told cost gets report/told_cost_report.h's page instead.
//
// Machine-checkable markers (the tests read them back): found-front points are <circle> elements
// with data-index / data-acc (true test accuracy) / data-cost / data-niche; HV curve points carry
// data-evaluations / data-hv; per-niche rows carry data-niche; summary cells have ids.
#include <string>

#include "data/benchmark_data.h"
#include "report/run_data.h"

namespace pelnas::report {

// refresh_seconds > 0 adds a meta refresh (pages written by `report --watch` while the run goes on).
std::string render_run_report(const RunData& run, std::shared_ptr<const BenchmarkData> data, int refresh_seconds = 0);

}  // namespace pelnas::report
