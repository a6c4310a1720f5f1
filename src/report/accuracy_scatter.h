#pragma once
// The "seen vs true accuracy" section of a run report: for a search that did not see the true test
// accuracy (predicted or validation accuracy), every evaluated architecture as a point (seen
// accuracy, true test accuracy) with the line y = x, the final front highlighted, the rank
// agreement (Spearman) over all of them and over the front, and a table of the found architectures
// with both accuracies. For an oracle run (table:test) the two are equal and the section says so.
//
// Markers for tests: found points are <circle> elements with data-index / data-seen / data-true;
// table rows carry class seen-true-row and data-index.
#include "report/html_writer.h"
#include "report/run_data.h"

namespace pelnas::report {

// Appends the section body (heading included) to the page.
void accuracy_scatter_section(HtmlPage& page, const RunData& run);

}  // namespace pelnas::report
