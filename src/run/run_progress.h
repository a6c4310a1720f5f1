#pragma once
// What a run directory holds so far, finished or not, and whether a process is still working in
// it. Reports, `pelnas runs` and `report --watch` read unfinished runs through this file only, so
// the checkpoint format stays the business of search_run.cpp.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "search/archive.h"

namespace pelnas {

enum class RunStatus {
  Finished,   // summary.json exists
  Running,    // no summary yet and a process holds the run's lock (run.lock)
  Killed,     // no summary, nobody holds the lock: stopped or killed; `pelnas search --resume` continues it
  Unknown,    // no summary and no lock file (written by a pelnas without run locks): cannot tell
};
std::string_view to_string(RunStatus s);

RunStatus run_status(const std::string& run_dir);

// The architectures evaluated up to the last checkpointed generation of an unfinished run (empty
// when there is no checkpoint yet); `generation` gets the last checkpointed generation (-1: none).
// Throws pelnas::Error naming the file when the checkpoint cannot be read.
std::vector<EvaluatedArch> read_checkpoint_archive(const std::string& run_dir, int& generation);

// The run_started event of events.jsonl (its first line), or an empty object when there is none
// or it cannot be read (a listing must not fail on a damaged log).
nlohmann::json run_started_event(const std::string& run_dir);

}  // namespace pelnas
