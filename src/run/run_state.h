#pragma once
// The state of a search run between two generations: the search's checkpoint plus the run's own
// records (metric rows, how many event-log lines belong to it, wall time). Stored as a snapshot
// (checkpoint.json) and a journal of per-generation changes (run/run_state_store.h).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "search/pelnas_checkpoint.h"

namespace pelnas {

struct RunState {
  PelnasCheckpoint search;
  std::vector<nlohmann::json> metrics;  // one row per completed generation (metrics.csv columns)
  std::int64_t events = 0;              // lines of events.jsonl written up to this state
  double wall_seconds = 0;

  nlohmann::json to_json() const;
  // Types and ranges of every field; errors name the field under `path`.
  static RunState from_json(const nlohmann::json& j, const std::string& path = "state");
  // Run-level cross-checks: one metric row per completed generation, each row's evaluations = the
  // archive's count up to that generation. Throws CheckpointError. (The search's own
  // cross-references are PelnasCheckpoint::validate's.)
  void check_metrics(const std::string& path = "state") const;
};

// One metrics.csv row (generation, evaluations, hv_ratio, igd, igd_plus, hv, front_size, llm_calls), strictly.
nlohmann::json checked_metric_row(const nlohmann::json& row, const std::string& path);

}  // namespace pelnas
