#pragma once
// `pelnas runs [DIR]`: the run directories under DIR at a glance (like `optuna studies`): name,
// dataset, device, operator, accuracy signal, seed, evaluations, HV ratio and state. Cheap: reads
// config.json, summary.json or the last metrics.csv row, never an archive or a checkpoint.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pelnas::report {

struct RunListing {
  std::string name;  // path relative to the listed directory ("." for the directory itself)
  std::string path;
  std::string dataset, device, operator_name, accuracy, state;
  std::optional<std::uint64_t> seed;
  std::optional<int> evaluations, generation;
  std::optional<double> hv_ratio;
  std::string error;  // a run directory whose files could not be read: why (the listing goes on)
  nlohmann::json to_json() const;
};

// Every run directory (one holding config.json) at or below `dir`, up to `max_depth` levels down,
// sorted by name. Throws pelnas::Error when `dir` is not a directory.
std::vector<RunListing> list_runs(const std::string& dir, int max_depth = 3);

std::string runs_text_table(const std::vector<RunListing>& runs);

}  // namespace pelnas::report
