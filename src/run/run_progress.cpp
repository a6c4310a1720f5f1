#include "run/run_progress.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/error.h"
#include "run/run_directory.h"
#include "run/run_state_store.h"
#include "search/pelnas_search.h"

namespace pelnas {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLockFile = "run.lock";  // the flock(2) a search holds on its run directory

// Whether some process holds an flock on `path`, read from /proc/locks so that looking never takes
// the lock itself (a probe lock could make a resume starting at that instant refuse the directory).
bool flock_held(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  std::ifstream locks("/proc/locks");
  if (locks) {
    std::string line;
    while (std::getline(locks, line)) {
      // "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF" (blocked waiters have "->" after the id).
      std::istringstream is(line);
      std::string id, kind, mode, rw, pid, dev;
      is >> id >> kind;
      if (kind == "->") is >> kind;
      is >> mode >> rw >> pid >> dev;
      if (kind != "FLOCK") continue;
      unsigned major = 0, minor = 0;
      unsigned long long ino = 0;
      if (std::sscanf(dev.c_str(), "%x:%x:%llu", &major, &minor, &ino) != 3) continue;
      if (ino == st.st_ino && major == ::major(st.st_dev) && minor == ::minor(st.st_dev)) return true;
    }
    return false;
  }
  // No /proc: probe with a shared lock, released at once.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

}  // namespace

std::string_view to_string(RunStatus s) {
  switch (s) {
    case RunStatus::Finished: return "finished";
    case RunStatus::Running: return "running";
    case RunStatus::Killed: return "killed";
    case RunStatus::Unknown: return "unfinished";
  }
  return "?";
}

RunStatus run_status(const std::string& run_dir) {
  const fs::path d(run_dir);
  if (fs::exists(d / RunDirectory::kSummary)) return RunStatus::Finished;
  const fs::path lock = d / kLockFile;
  if (!fs::exists(lock)) return RunStatus::Unknown;
  return flock_held(lock.string()) ? RunStatus::Running : RunStatus::Killed;
}

std::vector<EvaluatedArch> read_checkpoint_archive(const std::string& run_dir, int& generation) {
  generation = -1;
  if (!fs::exists(fs::path(run_dir) / RunDirectory::kCheckpoint)) return {};
  const RunDirectory dir = RunDirectory::open(run_dir);
  RunStateStore store(dir);
  if (store.empty()) return {};
  // Read-only: a running search may be appending its journal (an unfinished last record is skipped).
  const RunState state = store.load(/*repair=*/false);
  generation = state.search.generation;
  return state.search.archive.entries();
}

nlohmann::json run_started_event(const std::string& run_dir) {
  std::ifstream in(fs::path(run_dir) / RunDirectory::kEvents);
  std::string line;
  if (!in || !std::getline(in, line)) return nlohmann::json::object();
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("event", "") != "run_started") return nlohmann::json::object();
  return j;
}

}  // namespace pelnas
