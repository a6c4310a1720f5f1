#include "run/run_state_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <spdlog/spdlog.h>

#include "common/checksum.h"
#include "run/run_directory.h"
#include "common/error.h"
#include "common/json_lines.h"
#include "common/json_fields.h"
#include "common/rng.h"
#include "search/pelnas_search.h"

namespace pelnas {

namespace jf = json_fields;

namespace {

constexpr const char* kFormat = "pelnas-run-state";
constexpr int kVersion = 2;

std::string sealed_snapshot(const RunState& state) {
  const std::string body = state.to_json().dump();
  // Keys in nlohmann's (sorted) order, so the file is what dump() of the parsed document gives.
  return R"({"format":")" + std::string(kFormat) + R"(","sha256":")" + sha256_hex(body) + R"(","state":)" + body +
         R"(,"version":)" + std::to_string(kVersion) + "}\n";
}

std::string sealed_record(const nlohmann::json& record) {
  const std::string body = record.dump();
  return R"({"record":)" + body + R"(,"sha256":")" + sha256_hex(body) + "\"}\n";
}

void append_synced(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot append to " + path + ": " + std::strerror(errno));
  write_all_and_close(fd, text, path, true);
}

// Applies one journal record (the generation after `st`'s) to `st`. Throws pelnas::Error naming the field.
void apply_record(RunState& st, const nlohmann::json& r) {
  const std::string p = "record";
  jf::object(r, p);
  const int g = static_cast<int>(jf::integer(jf::member(r, p, "generation"), "record.generation", 0, std::numeric_limits<int>::max()));
  if (g != st.search.generation + 1)
    throw Error("record.generation: expected " + std::to_string(st.search.generation + 1) +
                " (the generation after the state so far), got " + std::to_string(g));
  auto& entries_size = st.search.archive;
  const auto from = jf::integer(jf::member(r, p, "archive_from"), "record.archive_from", 1, kNumArchs + 1);
  if (from != static_cast<std::int64_t>(entries_size.size()) + 1)
    throw Error("record.archive_from: expected " + std::to_string(entries_size.size() + 1) + " (the next archive order), got " +
                std::to_string(from));
  const Archive added = Archive::from_json(jf::member(r, p, "archive"), "record.archive");
  for (const auto& e : added.entries()) st.search.archive.add(e);
  const auto& ns = jf::array(jf::member(r, p, "niches"), "record.niches");
  if (ns.size() != st.search.niches.size())
    throw Error("record.niches: expected " + std::to_string(st.search.niches.size()) + " niche records, got " + std::to_string(ns.size()));
  for (std::size_t k = 0; k < ns.size(); ++k) {
    const std::string at = jf::join("record.niches", k);
    const auto& n = jf::object(ns[k], at);
    auto& rec = st.search.niches[k];
    const auto mfrom = jf::integer(jf::member(n, at, "members_from"), jf::join(at, "members_from"), 0, kNumArchs);
    if (mfrom != static_cast<std::int64_t>(rec.members.size()))
      throw Error(jf::join(at, "members_from") + ": expected " + std::to_string(rec.members.size()) +
                  " (the niche's members so far), got " + std::to_string(mfrom));
    // The fields of a full niche record, with `members` the new ones only.
    nlohmann::json full = n;
    full.erase("members_from");
    if (!full.contains("knowledge")) full["knowledge"] = rec.knowledge.to_json();
    NicheRecord delta = niche_record_from_json(full, at);
    rec.members.insert(rec.members.end(), delta.members.begin(), delta.members.end());
    rec.last_children = std::move(delta.last_children);
    rec.last_rationales = std::move(delta.last_rationales);
    rec.knowledge = std::move(delta.knowledge);
    rec.rng_state = std::move(delta.rng_state);
  }
  st.search.counters = counters_from_json(jf::member(r, p, "counters"), "record.counters");
  st.search.operator_stats = checked_operator_stats(jf::member(r, p, "operator_stats"), "record.operator_stats");
  st.search.operator_state = jf::object(jf::member(r, p, "operator_state"), "record.operator_state");
  st.metrics.push_back(checked_metric_row(jf::member(r, p, "metrics"), "record.metrics"));
  st.events = jf::integer(jf::member(r, p, "events"), "record.events", 0, std::numeric_limits<std::int64_t>::max());
  st.wall_seconds = jf::number(jf::member(r, p, "wall_seconds"), "record.wall_seconds", 0, std::numeric_limits<double>::max());
  for (const auto& [k, v] : r.items())
    if (k != "generation" && k != "archive_from" && k != "archive" && k != "niches" && k != "counters" && k != "operator_stats" &&
        k != "operator_state" && k != "metrics" && k != "events" && k != "wall_seconds")
      throw Error("record." + k + ": unknown field");
  st.search.generation = g;
}

}  // namespace

bool RunStateStore::empty() const { return !dir_.exists(RunDirectory::kCheckpoint); }

RunState RunStateStore::load(bool repair) {
  const std::string snap_path = dir_.file(RunDirectory::kCheckpoint);
  const std::string snap_text = dir_.read(RunDirectory::kCheckpoint);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(snap_text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(snap_path, 0, std::string("malformed JSON (a torn or edited file): ") + e.what());
  }
  RunState st;
  try {
    jf::object(doc, "(document)");
    if (!doc.contains("format") || doc["format"] != kFormat)
      throw Error(std::string("format: expected \"") + kFormat + "\" (a run-state snapshot with a checksum; older pelnas versions " +
                  "wrote none and their runs cannot be resumed by this one), got " + (doc.contains("format") ? doc["format"].dump() : "nothing"));
    jf::integer(jf::member(doc, "", "version"), "version", kVersion, kVersion);
    const std::string recorded = jf::string(jf::member(doc, "", "sha256"), "sha256");
    const std::string computed = sha256_hex(jf::member(doc, "", "state").dump());
    if (recorded != computed)
      throw Error("checksum mismatch: the state's SHA-256 is " + computed + " but the file records " + recorded +
                  " (the file was edited or damaged; a state that fails its checksum is never resumed)");
    st = RunState::from_json(doc["state"], "state");
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    throw InputError(snap_path, 0, e.what());
  }
  const int snapshot_generation = st.search.generation;

  const std::string journal_path = dir_.file(kJournal);
  std::string text = dir_.exists(kJournal) ? dir_.read(kJournal) : std::string();
  int applied = 0;
  const std::size_t good_end =
      for_each_json_line(text, journal_path, "record (an edited or damaged journal)", [&](nlohmann::json& j, long, std::size_t) {
        jf::object(j, "(record line)");
        const std::string recorded = jf::string(jf::member(j, "", "sha256"), "sha256");
        const auto& record = jf::member(j, "", "record");
        const std::string computed = sha256_hex(record.dump());
        if (recorded != computed)
          throw Error("checksum mismatch: the record's SHA-256 is " + computed + " but the line records " + recorded +
                      " (the journal was edited or damaged; a state that fails its checksum is never resumed)");
        const int g = static_cast<int>(jf::integer(jf::member(jf::object(record, "record"), "record", "generation"),
                                                   "record.generation", 0, std::numeric_limits<int>::max()));
        if (g > snapshot_generation) {  // older records predate the snapshot (a kill during compaction)
          apply_record(st, record);
          ++applied;
        }
      });
  source_ = snap_path + (applied ? " + " + journal_path + " (up to generation " + std::to_string(st.search.generation) + ")" : "");
  if (repair && good_end < text.size()) {
    spdlog::warn("{}: dropping an incomplete last record ({} bytes, cut by a kill while it was written)", journal_path,
                 text.size() - good_end);
    std::error_code ec;
    std::filesystem::resize_file(journal_path, good_end, ec);
    if (ec) throw Error("cannot truncate " + journal_path + ": " + ec.message());
  }
  remember(st);
  snapshot_bytes_ = snap_text.size();
  journal_bytes_ = good_end;
  return st;
}

void RunStateStore::remember(const RunState& state) {
  known_ = true;
  archive_size_ = state.search.archive.size();
  member_counts_.clear();
  knowledge_.clear();
  for (const auto& n : state.search.niches) {
    member_counts_.push_back(n.members.size());
    knowledge_.push_back(n.knowledge);
  }
}

void RunStateStore::compact(const RunState& state) {
  const std::string text = sealed_snapshot(state);
  write_file_atomic(dir_.file(RunDirectory::kCheckpoint), text);
  // A kill between the two writes leaves records the new snapshot already holds: load() skips them.
  write_file_atomic(dir_.file(kJournal), "");
  remember(state);
  snapshot_bytes_ = text.size();
  journal_bytes_ = 0;
  last_save_bytes_ = text.size();
}

void RunStateStore::save(const PelnasSearch& search, const Archive& archive, const std::vector<nlohmann::json>& metrics,
                         std::int64_t events, double wall_seconds) {
  const auto& niches = search.niches();
  if (!known_ || journal_bytes_ >= std::max(kJournalPerSnapshot * snapshot_bytes_, kMinJournalBytes) || niches.size() != member_counts_.size()) {
    RunState st;
    st.search = search.checkpoint();
    st.search.archive = archive;
    st.metrics = metrics;
    st.events = events;
    st.wall_seconds = wall_seconds;
    compact(st);
    return;
  }
  const auto rngs = search.rng_states();
  nlohmann::json ns = nlohmann::json::array();
  for (std::size_t k = 0; k < niches.size(); ++k) {
    const auto& n = niches[k];
    nlohmann::json x = {{"members_from", member_counts_[k]},
                        {"members", std::vector<int>(n.members.begin() + static_cast<std::ptrdiff_t>(member_counts_[k]), n.members.end())},
                        {"last_children", n.last_children},
                        {"last_rationales", n.last_rationales},
                        {"rng", rngs[k]}};
    // Compared by value (equal values have equal JSON): only a changed knowledge base is serialised.
    if (!(n.knowledge == knowledge_[k])) {
      x["knowledge"] = n.knowledge.to_json();
      knowledge_[k] = n.knowledge;
    }
    member_counts_[k] = n.members.size();
    ns.push_back(std::move(x));
  }
  const nlohmann::json record = {{"generation", search.generation_done()},
                                 {"archive_from", archive_size_ + 1},
                                 {"archive", archive.to_json(archive_size_)},
                                 {"niches", std::move(ns)},
                                 {"counters", search.counters()},
                                 {"operator_stats", search.operator_stats().to_json()},
                                 {"operator_state", search.op()->save_state()},
                                 {"metrics", metrics.empty() ? nlohmann::json(nullptr) : metrics.back()},
                                 {"events", events},
                                 {"wall_seconds", wall_seconds}};
  const std::string line = sealed_record(record);
  append_synced(dir_.file(kJournal), line);
  archive_size_ = archive.size();
  journal_bytes_ += line.size();
  last_save_bytes_ = line.size();
}

}  // namespace pelnas
