#pragma once
// A run directory read back for reports and export (layout: docs/RUN_DIRECTORY.md): config.json,
// summary.json, stats.json, archive.csv, front.csv, metrics.csv, knowledge/history.jsonl (or the
// knowledge/gen_N.json files of older runs). An unfinished
// run (no summary.json: running, or killed before the end) is read from what exists: the archive of
// its last checkpoint, its front recomputed from that archive, and a summary built from the last
// metrics.csv row, marked `finished == false`. Every malformed file is an error naming the file
// (and line for CSVs).
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run/knowledge_log.h"
#include "run/run_progress.h"
#include "space/arch.h"

namespace pelnas {
class BenchmarkData;
}

namespace pelnas::report {

// One evaluated architecture as a run recorded it.
struct RunPoint {
  Arch arch;
  int index = -1;                  // NB201 index
  double seen_accuracy = NAN;      // what the search saw (table or predicted), percent
  double true_accuracy = NAN;      // 200-epoch test accuracy (percent); NaN when the table has none
  double cost = NAN;               // the run's cost unit
  std::vector<double> extra_costs;  // 3+ objectives: the extra costs, RunData::extra_metrics() order
  int niche = -1;
  int generation = 0;
  int order = 0;                   // 1-based evaluation number
};

struct RunMetricRow {
  int generation = 0, evaluations = 0, front_size = 0;
  double hv_ratio = NAN, igd = NAN, igd_plus = NAN, hv = NAN;
  double llm_calls = NAN;  // cumulative model calls, when the run records them (column llm_calls)
};

struct RunData {
  std::string dir;
  nlohmann::json config, summary, stats;
  std::vector<RunPoint> archive, front;
  std::vector<RunMetricRow> metrics;
  // generation -> every niche's knowledge base (read_knowledge_history: up to the last metrics row)
  std::map<int, KnowledgeSnapshot> knowledge;
  bool finished = true;
  RunStatus state = RunStatus::Finished;
  int checkpoint_generation = -1;  // unfinished runs: last checkpointed generation (-1: none yet)

  // Throws pelnas::Error naming the file (or saying the directory is not a run).
  static RunData load(const std::string& dir);

  // "finished", or a sentence saying how far an unfinished run got and how to continue it.
  std::string state_text() const;
  // Fills true_accuracy where the run files had none (unfinished runs) from the benchmark table.
  void fill_true_accuracy(const BenchmarkData& data);

  // Fields with fallbacks between summary.json and config.json.
  std::string dataset() const;
  std::string device() const;
  std::string cost_name() const;
  std::string cost_unit() const;
  // config.json "objectives" ("accuracy", metric, extra metrics...); accuracy and the metric for runs
  // before it existed. extra_metrics(): the cost objectives after the first (empty for two).
  std::vector<std::string> objectives() const;
  std::vector<std::string> extra_metrics() const;
  std::string operator_name() const;
  std::string accuracy_source() const;
  std::string data_dir() const;
  bool has_seed() const;
  std::uint64_t seed() const;
};

// Reads archive.csv / front.csv (header order,generation,niche,index,arch_str,seen_accuracy,cost,true_accuracy;
// runs before 2026-11-30 call seen_accuracy "accuracy").
// `extra_columns`: the extra cost objectives' columns (named by metric) of a 3+-objective run.
std::vector<RunPoint> read_run_points_csv(const std::string& path, const std::vector<std::string>& extra_columns = {});

// A JSON file of a run or bench directory; a pelnas::Error naming the file when it cannot be opened
// or is not valid JSON.
nlohmann::json read_json_file(const std::string& path);

// A JSON string field or "" (reports show what is there; they do not invent).
std::string json_str(const nlohmann::json& j, const char* key);

}  // namespace pelnas::report
