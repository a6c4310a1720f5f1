#pragma once
// What a PEL-NAS search needs to continue after a completed generation, its JSON form, and the
// checks a resumed search runs before trusting one (docs/RUN_DIRECTORY.md): types and ranges of
// every field, then cross-references (member orders into the archive, each entry's niche, cost and
// (NB201) index against the data, generations within the plan, the budget).
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "search/archive.h"
#include "search/knowledge_base.h"

namespace pelnas {

// A checkpoint that contradicts itself or the run (thrown by PelnasCheckpoint::validate), so the
// run layer can name the files the state came from.
class CheckpointError : public Error {
 public:
  using Error::Error;
};

// Per-niche bookkeeping of a run (what a checkpoint restores).
struct NicheRecord {
  std::vector<int> members;           // archive orders (1-based) of every arch evaluated in this niche
  std::vector<int> last_children;     // orders of the previous generation's children
  std::vector<std::string> last_rationales;
  KnowledgeBase knowledge;
  std::string rng_state;              // serialised Rng
};

// What the checkpoint must agree with: the run's configuration and data.
struct CheckpointExpectations {
  int niches = 0;                     // of the partition
  int generations = 0;                // planned (the last generation a run completes)
  int budget = 0;                     // unique evaluations
  std::function<int(const ArchCode&)> niche_of;                    // -1 = outside every niche
  std::function<int(const ArchCode&)> index_of;                    // NB201 index (empty for other spaces)
  std::function<std::optional<double>(const ArchCode&)> cost_of;   // device cost; nullopt = not in the domain
  std::function<std::string(const ArchCode&)> print;               // the space's string (for messages)
  // The run's other cost objectives (after the first cost) and their names for messages: every
  // archive entry must carry exactly these values. Unset = not checked.
  std::function<std::vector<std::optional<double>>(const ArchCode&)> extra_costs_of;
  std::vector<std::string> extra_cost_names;
};

// Everything needed to continue a run after generation `generation` (see docs/RUN_DIRECTORY.md).
struct PelnasCheckpoint {
  int generation = -1;                // last completed generation (0 = seeding)
  Archive archive;
  std::vector<NicheRecord> niches;
  std::map<std::string, std::int64_t> counters;  // search statistics (rejections by reason, ...)
  nlohmann::json operator_stats;      // OperatorStats::to_json() accumulated so far
  nlohmann::json operator_state;      // Operator::save_state()
  nlohmann::json to_json() const;
  // Types and ranges of every field; errors name the field under `path` ("search.niches[2].rng").
  static PelnasCheckpoint from_json(const nlohmann::json& j, const std::string& path = "search");
  // Cross-references against the run; throws CheckpointError naming the field under `path`.
  void validate(const CheckpointExpectations& expect, const std::string& path = "search") const;
};

// Reads an OperatorStats::to_json() document strictly (non-negative integer counters and tokens).
nlohmann::json checked_operator_stats(const nlohmann::json& j, const std::string& path);
// A niche record's JSON (members, last_children, last_rationales, knowledge, rng), strictly.
NicheRecord niche_record_from_json(const nlohmann::json& j, const std::string& path);
std::map<std::string, std::int64_t> counters_from_json(const nlohmann::json& j, const std::string& path);

}  // namespace pelnas
