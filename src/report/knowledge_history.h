#pragma once
// The "Knowledge bases" section of a run's report: each niche's rules at the last generation, since
// when each has been held, which are new, and the dropped ones with the generations they were held
// (RunData::knowledge: every generation's knowledge bases).
#include <string>

#include "report/html_writer.h"
#include "report/run_data.h"

namespace pelnas::report {

void knowledge_section(HtmlPage& page, const RunData& run);

// Rule identity without the statistics suffix " (...)" that operators append to rule texts.
std::string rule_identity(const std::string& text);

}  // namespace pelnas::report
