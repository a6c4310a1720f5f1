#include "host/host_latency_cache.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "space/arch.h"

namespace pelnas {

namespace fs = std::filesystem;

std::string MachineFingerprint::key() const {
  return "cpu=" + cpu_model + ";cores=" + std::to_string(cores) + ";torch=" + torch_version;
}

MachineFingerprint MachineFingerprint::current(const std::string& torch_version) {
  MachineFingerprint f;
  f.cpu_model = "unknown";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        f.cpu_model = line.substr(line.find_first_not_of(" \t", colon + 1));
        break;
      }
    }
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  f.cores = online > 0 ? static_cast<int>(online) : static_cast<int>(std::thread::hardware_concurrency());
  f.torch_version = torch_version;
  return f;
}

std::string default_host_latency_cache_path() {
  if (const char* env = std::getenv("PELNAS_HOST_LATENCY_CACHE"); env && *env) return env;
  std::string base;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) base = x;
  else if (const char* h = std::getenv("HOME"); h && *h) base = std::string(h) + "/.cache";
  else base = ".cache";
  std::error_code ec;
  fs::create_directories(base + "/pelnas", ec);
  return base + "/pelnas/host_latency.sqlite";
}

namespace {

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

void bind_key(sqlite3_stmt* s, const HostLatencyKey& k, int first) {
  sqlite3_bind_text(s, first, std::string(to_string(k.dataset)).c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, first + 1, k.threads);
  sqlite3_bind_int(s, first + 2, k.batch);
  sqlite3_bind_text(s, first + 3, k.fingerprint.c_str(), -1, SQLITE_TRANSIENT);
}

}  // namespace

HostLatencyCache::HostLatencyCache(std::string path) : path_(std::move(path)) {
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("host latency cache " + path_ + ": cannot open: " + msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  try {
    exec("PRAGMA journal_mode=WAL", "setting WAL mode");
    exec("CREATE TABLE IF NOT EXISTS host_latency (arch_index INTEGER NOT NULL, arch TEXT NOT NULL, dataset TEXT NOT NULL, "
         "threads INTEGER NOT NULL, batch INTEGER NOT NULL, fingerprint TEXT NOT NULL, median_ms REAL NOT NULL, "
         "q1_ms REAL NOT NULL, q3_ms REAL NOT NULL, warmup INTEGER NOT NULL, runs INTEGER NOT NULL, "
         "measured_at INTEGER NOT NULL, PRIMARY KEY (arch_index, dataset, threads, batch, fingerprint))",
         "creating the table");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

HostLatencyCache::~HostLatencyCache() {
  if (db_) sqlite3_close(db_);
}

void HostLatencyCache::fail(int rc, const std::string& doing) const {
  std::string msg = "host latency cache " + path_ + ": ";
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) msg += "not a valid SQLite database (corrupt or not a cache file) while " + doing;
  else msg += std::string(sqlite3_errmsg(db_)) + " while " + doing;
  throw Error(msg);
}

void HostLatencyCache::exec(const char* sql, const std::string& doing) const {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, doing);
}

void HostLatencyCache::prepare(sqlite3_stmt** statement, const char* sql, const std::string& doing) const {
  const int rc = sqlite3_prepare_v2(db_, sql, -1, statement, nullptr);
  if (rc != SQLITE_OK) fail(rc, doing);
}

void HostLatencyCache::store(const HostLatencyRecord& r, const std::string& arch, const HostLatencyKey& key) {
  Stmt st;
  prepare(&st.s,
          "INSERT OR REPLACE INTO host_latency (arch_index, arch, dataset, threads, batch, fingerprint, median_ms, q1_ms, "
          "q3_ms, warmup, runs, measured_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,strftime('%s','now'))",
          "storing a measurement");
  sqlite3_bind_int(st.s, 1, r.index);
  sqlite3_bind_text(st.s, 2, arch.c_str(), -1, SQLITE_TRANSIENT);
  bind_key(st.s, key, 3);
  sqlite3_bind_double(st.s, 7, r.median_ms);
  sqlite3_bind_double(st.s, 8, r.q1_ms);
  sqlite3_bind_double(st.s, 9, r.q3_ms);
  sqlite3_bind_int(st.s, 10, r.warmup);
  sqlite3_bind_int(st.s, 11, r.runs);
  if (const int rc = sqlite3_step(st.s); rc != SQLITE_DONE) fail(rc, "storing a measurement");
}

void HostLatencyCache::store_many(const std::vector<HostLatencyRecord>& records, const std::vector<std::string>& archs,
                                  const HostLatencyKey& key) {
  if (records.size() != archs.size()) throw Error("HostLatencyCache::store_many: records and archs differ in length");
  exec("BEGIN IMMEDIATE", "starting a transaction");
  try {
    for (std::size_t i = 0; i < records.size(); ++i) store(records[i], archs[i], key);
    exec("COMMIT", "committing measurements");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::vector<std::optional<HostLatencyRecord>> HostLatencyCache::load_all(const HostLatencyKey& key) const {
  std::vector<std::optional<HostLatencyRecord>> out(kNumArchs);
  Stmt st;
  prepare(&st.s,
          "SELECT arch_index, median_ms, q1_ms, q3_ms, warmup, runs FROM host_latency WHERE dataset=? AND threads=? AND "
          "batch=? AND fingerprint=?",
          "reading measurements");
  bind_key(st.s, key, 1);
  int rc = 0;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    HostLatencyRecord r;
    r.index = sqlite3_column_int(st.s, 0);
    r.median_ms = sqlite3_column_double(st.s, 1);
    r.q1_ms = sqlite3_column_double(st.s, 2);
    r.q3_ms = sqlite3_column_double(st.s, 3);
    r.warmup = sqlite3_column_int(st.s, 4);
    r.runs = sqlite3_column_int(st.s, 5);
    if (r.index < 0 || r.index >= kNumArchs || !(r.median_ms > 0))
      throw Error("host latency cache " + path_ + ": row with arch_index " + std::to_string(r.index) + " and median_ms " +
                  std::to_string(r.median_ms) + ": expected an NB201 index in [0, 15624] and a latency > 0");
    out[static_cast<std::size_t>(r.index)] = r;
  }
  if (rc != SQLITE_DONE) fail(rc, "reading measurements");
  return out;
}

std::vector<std::string> HostLatencyCache::fingerprints(Dataset dataset) const {
  Stmt st;
  prepare(&st.s, "SELECT DISTINCT fingerprint FROM host_latency WHERE dataset=? ORDER BY fingerprint", "listing fingerprints");
  sqlite3_bind_text(st.s, 1, std::string(to_string(dataset)).c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> out;
  int rc = 0;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0)));
  if (rc != SQLITE_DONE) fail(rc, "listing fingerprints");
  return out;
}

}  // namespace pelnas
