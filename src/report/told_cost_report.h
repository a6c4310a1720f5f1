#pragma once
// The report of a study whose cost was told (device "told"; render_run_report hands such runs
// here): no table has the cost, so there is no space to draw, no true front and no HV curve: the
// summary (HV against its reference point), the evaluated architectures and the front in (told
// cost, accuracy seen), the front's table, the protocol.
#include <string>

#include "report/run_data.h"

namespace pelnas::report {

std::string render_told_cost_report(const RunData& run, int refresh_seconds);

}  // namespace pelnas::report
