#pragma once
// The wall clock as text, in the two forms run directories use.
#include <string>

namespace pelnas {

// UTC, ISO 8601 to the second ("2026-12-01T11:34:37Z"): the "time" of every events.jsonl line.
std::string utc_iso_now();
// Local time, "20261201-113437": the stamp in a default run directory's name.
std::string local_stamp_now();

}  // namespace pelnas
