#pragma once
// Where a run directory keeps its RunState: a snapshot (checkpoint.json) plus an append-only journal
// (journal.jsonl) of what each generation changed (new archive entries, new niche members, last
// children, knowledge bases that changed, Rng states, counters, the metric row). Saving a generation
// appends one record, so its cost follows what changed, not the size of the run; when the journal
// has grown to kJournalPerSnapshot times the snapshot, a new snapshot replaces both (amortised cost
// per generation: a snapshot's cost per byte x record bytes / kJournalPerSnapshot, flat). Both files carry SHA-256 checksums (the snapshot one for its state, the journal one
// per record), so a torn or edited file is detected as such; a torn LAST journal record (a kill
// mid-write) is dropped, as it never completed.
//
//   checkpoint.json  {"format": "pelnas-run-state", "version": 2, "sha256": HEX, "state": RunState}
//   journal.jsonl    one {"sha256": HEX, "record": {...}} per line; HEX = SHA-256 of record.dump()
#include <cstdint>
#include <string>
#include <vector>

#include "run/run_directory.h"
#include "run/run_state.h"
#include "search/knowledge_base.h"

namespace pelnas {

class PelnasSearch;

class RunStateStore {
 public:
  explicit RunStateStore(const RunDirectory& dir) : dir_(dir) {}

  bool empty() const;  // no snapshot yet (nothing saved)
  // The saved state: snapshot + journal records, checksums and the types and ranges of every field
  // checked (cross-references are PelnasCheckpoint::validate's and RunState::check_metrics'). Throws
  // pelnas::InputError naming the file (and journal line) and the field. Drops a torn last record.
  // repair = false: a reader beside a running search (reports); the torn tail is skipped, not cut.
  RunState load(bool repair = true);
  // Saves the state after the search's last completed generation: the first save and a save after
  // the journal reached kJournalPerSnapshot times the snapshot write a snapshot; every other one appends a journal record.
  void save(const PelnasSearch& search, const Archive& archive, const std::vector<nlohmann::json>& metrics,
            std::int64_t events, double wall_seconds);
  // Writes `state` as the snapshot and empties the journal.
  void compact(const RunState& state);

  // Bytes written by the last save() (for the benchmark).
  std::size_t last_save_bytes() const { return last_save_bytes_; }
  // The files the last load() read, for messages ("DIR/checkpoint.json + DIR/journal.jsonl (...)").
  const std::string& source() const { return source_; }

  static constexpr const char* kJournal = "journal.jsonl";
  static constexpr std::size_t kMinJournalBytes = 64 * 1024;  // below this, never compact
  // Journal bytes per snapshot byte before a compaction. At 1 a snapshot (~20 ns a byte: build, dump,
  // checksum, fsync) cost ~0.36 ms a generation amortised at generation 1,000 of a 6-niche run against
  // ~0.1 ms at generation 10, where kMinJournalBytes spaces them out (bench/generation_cost_bench);
  // at 4 it is a quarter of that, for a resume that replays up to 4 snapshots' worth of records.
  static constexpr std::size_t kJournalPerSnapshot = 4;

 private:
  const RunDirectory& dir_;
  // What the files hold, so the next record carries only what changed.
  bool known_ = false;
  std::size_t archive_size_ = 0;
  std::vector<std::size_t> member_counts_;
  std::vector<KnowledgeBase> knowledge_;  // each niche's knowledge base as the files hold it
  std::size_t snapshot_bytes_ = 0, journal_bytes_ = 0, last_save_bytes_ = 0;
  std::string source_;

  void remember(const RunState& state);
};

}  // namespace pelnas
