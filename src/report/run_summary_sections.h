#pragma once
// Sections of a run's report read from its JSON files alone (summary.json, stats.json), shared by
// the NB201 run report and the told-cost study report (report/run_report.cpp,
// report/told_cost_report.cpp). Each writes a whole <section>.
#include "report/html_writer.h"
#include "report/run_data.h"

namespace pelnas::report {

// "Summary": HV ratio and IGD (or, for a told cost, the HV against its reference point), budget,
// state, operator, accuracy signal, partition, seed, wall time; cells carry ids (summary-*).
void summary_section(HtmlPage& page, const RunData& run);
// "Operator and LLM statistics, wall time" (stats.json), rows carrying data-stat.
void stats_section(HtmlPage& page, const RunData& run);
// "Evaluation protocol": the protocol as the run's summary states it (a warning when it does not).
void protocol_section(HtmlPage& page, const RunData& run);

}  // namespace pelnas::report
