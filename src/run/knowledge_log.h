#pragma once
// knowledge/history.jsonl: a run's knowledge bases over its generations, append-only (layout in
// docs/RUN_DIRECTORY.md). One line per generation in which some niche's knowledge base changed,
// holding only the niches whose knowledge base changed since the line before (the first line holds
// every niche):
//
//   {"generation": g, "niches": [{"niche": k, "name": ..., "constraint": ..., "knowledge": {...}}]}
//
// A niche's knowledge base at generation g is the one of the last line at or before g that holds
// it. So a generation costs what changed in it, not one new file of every niche (runs before
// 2026-12-01 wrote knowledge/gen_<ggg>.json, every niche at every generation; readers accept both).
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "search/knowledge_base.h"

namespace pelnas {

class RunDirectory;
struct NicheDescription;
struct NicheRecord;

// One complete line of the history file.
struct KnowledgeLogLine {
  int generation = 0;
  nlohmann::json niches;  // array of {niche, name, constraint, knowledge}, checked
  std::size_t end = 0;    // byte offset just past the line's newline
  long line = 0;          // 1-based line number, for messages
};

// Parses a history file's text. A last line without its newline (cut by a kill mid-write) is left
// out; any complete line that is not a record (bad JSON, a missing or mistyped field, a knowledge
// base KnowledgeBase::from_json refuses, a generation not after the previous line's) throws
// pelnas::InputError naming `path` and the line.
std::vector<KnowledgeLogLine> parse_knowledge_log(const std::string& text, const std::string& path);

// Every niche's knowledge base at one generation: {niche, name, constraint, knowledge} objects in
// niche order. A niche's object is shared by the generations in which it did not change.
using KnowledgeSnapshot = std::vector<std::shared_ptr<const nlohmann::json>>;

// A run directory's knowledge bases by generation, for reports: from knowledge/history.jsonl
// (every generation from its first line to max(its last line, `last_generation`), unchanged
// niches carried forward), after the knowledge/gen_<ggg>.json files of an older run (each as
// written; a run resumed by this version has both). Throws pelnas::Error / InputError naming the file.
std::map<int, KnowledgeSnapshot> read_knowledge_history(const std::string& run_dir, int last_generation = -1);

// The writer, used by `pelnas search` after each generation.
class KnowledgeLog {
 public:
  static constexpr const char* kFile = "knowledge/history.jsonl";

  explicit KnowledgeLog(const RunDirectory& dir) : dir_(dir) {}

  // Continues the file after generation `generation` (-1: a run that starts from nothing) of a run
  // with `niches` niches: drops the lines of later generations (written after the last checkpoint)
  // and a torn last line, and the knowledge/gen_<ggg>.json files of later generations of an older
  // run. A damaged line, or one naming a niche the run does not have, throws pelnas::InputError.
  void keep_until(int generation, std::size_t niches);
  // Appends the line of `generation`: the niches whose knowledge base differs from the file's so
  // far (all, for the first line); writes nothing when none changed. Synced (fdatasync) before it
  // returns, like the journal, so a checkpoint never gets ahead of the history. Returns how many
  // niches it wrote.
  std::size_t append(int generation, const std::vector<NicheDescription>& descriptions,
                           const std::vector<NicheRecord>& niches);

 private:
  const RunDirectory& dir_;
  std::vector<std::optional<KnowledgeBase>> last_;  // per niche, as the file holds it (nullopt: not yet)
};

}  // namespace pelnas
