#pragma once
// Latencies measured on this machine (the `host` device), in a SQLite file shared by processes
// ($PELNAS_HOST_LATENCY_CACHE, default ~/.cache/pelnas/host_latency.sqlite). Key: NB201 index,
// dataset, torch threads, batch, machine fingerprint (CPU model, core count, torch version); a
// value is the median latency in ms with its quartiles and how it was measured. A measurement is
// stored the moment it is taken, so an interrupted `pelnas data measure-host` loses nothing.
#include <optional>
#include <string>
#include <vector>

#include "data/enums.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pelnas {

// Who measured: a value is only comparable with values of the same fingerprint.
struct MachineFingerprint {
  std::string cpu_model;  // /proc/cpuinfo "model name" (or "unknown")
  int cores = 0;          // online logical CPUs
  std::string torch_version;
  std::string key() const;  // "cpu=...;cores=N;torch=V"
  // This machine, with the given torch version (from the LibTorch plugin).
  static MachineFingerprint current(const std::string& torch_version);
};

struct HostLatencyKey {
  Dataset dataset = Dataset::Cifar10;
  int threads = 1;
  int batch = 1;
  std::string fingerprint;  // MachineFingerprint::key()
};

struct HostLatencyRecord {
  int index = 0;
  double median_ms = 0, q1_ms = 0, q3_ms = 0;
  int warmup = 0, runs = 0;
  double iqr_ms() const { return q3_ms - q1_ms; }
};

std::string default_host_latency_cache_path();

inline constexpr const char* kHostDevice = "host";
// How the `host` device's values are measured (and looked up).
struct HostMeasurementDefaults {
  int threads = 1;  // one torch thread: repeatable on a shared machine, and the edge-device setting
  int batch = 1;
  int warmup = 5;
  int runs = 21;
};
// The key of this machine (loads the LibTorch plugin for its version; throws pelnas::Error saying
// LibTorch is needed when it cannot be loaded). Defined in host_cost.cpp.
HostLatencyKey host_latency_key(Dataset dataset, int threads, int batch);

class HostLatencyCache {
 public:
  // Opens (creating if absent); throws pelnas::Error naming the file when it is not a cache.
  explicit HostLatencyCache(std::string path);
  ~HostLatencyCache();
  HostLatencyCache(const HostLatencyCache&) = delete;
  HostLatencyCache& operator=(const HostLatencyCache&) = delete;
  const std::string& path() const { return path_; }

  // `arch`: the NB201 string of record.index (kept for readers of the file).
  void store(const HostLatencyRecord& record, const std::string& arch, const HostLatencyKey& key);
  // Many at once, in one transaction (all or nothing); archs[i] belongs to records[i].
  void store_many(const std::vector<HostLatencyRecord>& records, const std::vector<std::string>& archs, const HostLatencyKey& key);
  // Every stored record under the key, by NB201 index (nullopt where not measured).
  std::vector<std::optional<HostLatencyRecord>> load_all(const HostLatencyKey& key) const;
  // Fingerprints with values for this dataset/threads/batch (to explain a miss).
  std::vector<std::string> fingerprints(Dataset dataset) const;

 private:
  void exec(const char* sql, const std::string& doing) const;
  // Prepares `sql` into *statement; on failure throws naming what was being done.
  void prepare(sqlite3_stmt** statement, const char* sql, const std::string& doing) const;
  [[noreturn]] void fail(int rc, const std::string& doing) const;
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace pelnas
