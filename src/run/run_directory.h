#pragma once
// A run directory on disk (layout in docs/RUN_DIRECTORY.md). Every whole-file write goes to a
// temporary file in the same directory that is flushed and renamed over the target, so a killed
// process never leaves a torn file; the event log is append-only (one JSON object per line).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pelnas {

// Writes `text` to `path` atomically (temp file + fsync + rename). Throws pelnas::Error on failure.
void write_file_atomic(const std::string& path, const std::string& text);
// Writes all of `text` to the open `fd` (retrying short writes and EINTR), syncs it (fdatasync when
// `data_only`, else fsync) and closes it; on failure closes it and throws naming `path`.
void write_all_and_close(int fd, const std::string& text, const std::string& path, bool data_only);

// Exclusive use of a run directory by one process: an flock(2) on RUN_DIR/run.lock, held for the
// object's lifetime and released by the kernel when the process dies (kill -9 included), so a stale
// lock file never blocks a resume. The file holds the owner's pid, for the message.
class RunDirectoryLock {
 public:
  // Throws pelnas::Error naming the directory (and the pid holding it) when another process has it.
  explicit RunDirectoryLock(const std::string& dir);
  ~RunDirectoryLock();
  RunDirectoryLock(const RunDirectoryLock&) = delete;
  RunDirectoryLock& operator=(const RunDirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

class RunDirectory {
 public:
  // A new run: the directory must not exist or be empty. Creates it (and knowledge/).
  static RunDirectory create(const std::string& path);
  // An existing run: must hold config.json.
  static RunDirectory open(const std::string& path);

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  bool exists(const std::string& name) const;
  std::string read(const std::string& name) const;           // throws naming the file
  nlohmann::json read_json(const std::string& name) const;    // throws naming the file
  void write(const std::string& name, const std::string& text) const { write_file_atomic(file(name), text); }
  void write_json(const std::string& name, const nlohmann::json& j) const { write(name, j.dump(2) + "\n"); }

  // Event log: append one line and flush; count_events() = complete lines; truncate_events(n) keeps
  // the first n (used on resume to drop events written after the last checkpoint).
  void append_event(const nlohmann::json& event) const;
  // Appends text to a file of the directory with one write (no fsync: for files rebuilt on resume).
  void append(const std::string& name, const std::string& text) const;
  std::vector<nlohmann::json> events() const;
  void truncate_events(std::size_t keep) const;

  static constexpr const char* kConfig = "config.json";
  static constexpr const char* kEvents = "events.jsonl";
  static constexpr const char* kCheckpoint = "checkpoint.json";
  static constexpr const char* kArchive = "archive.csv";
  static constexpr const char* kFront = "front.csv";
  static constexpr const char* kMetrics = "metrics.csv";
  static constexpr const char* kStats = "stats.json";
  static constexpr const char* kSummary = "summary.json";
  static constexpr const char* kLock = "run.lock";

 private:
  explicit RunDirectory(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace pelnas
