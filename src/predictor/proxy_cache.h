#pragma once
// A persistent SQLite cache of computed zero-cost proxies, so nothing is computed twice across runs
// or processes. Key: (arch string, dataset, batch size, seed, input, proxy-code version); one row
// per key with a column per proxy (NULL = the proxy came out non-finite, recorded as missing) and
// a bit mask of the proxies computed. Files of the first layout (a row per arch and proxy) are
// read: their rows are copied into the new table on open, the old table is left untouched.
// WAL mode + a busy timeout + one transaction per stored batch let several processes share a file.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "predictor/proxy_computer.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pelnas {

// Everything besides the arch that determines a proxy value.
struct ProxyKey {
  Dataset dataset = Dataset::Cifar10;
  int batch_size = 64;
  std::uint64_t seed = 0;
  std::string input;         // which images (path as given; empty = the default sample)
  std::string code_version;  // ProxyComputer::code_version()

  static ProxyKey from(const ProxyOptions& options, std::string code_version);
};

class ProxyCache {
 public:
  // Opens (creating if absent) the cache file. Throws pelnas::Error naming the file when it is not
  // a SQLite database, is locked longer than busy_timeout_ms, or cannot be created. Never deletes
  // or rewrites existing content.
  explicit ProxyCache(std::string path, int busy_timeout_ms = 10000);
  ~ProxyCache();
  ProxyCache(const ProxyCache&) = delete;
  ProxyCache& operator=(const ProxyCache&) = delete;

  const std::string& path() const { return path_; }

  // The cached proxies of an arch under this key (only those stored; a NULL value is a stored
  // "missing" and appears as nullopt).
  ProxyValues lookup(const Arch& arch, const ProxyKey& key);
  // lookup() for many archs with one statement (one read snapshot); repeated archs are allowed.
  std::vector<ProxyValues> lookup_many(const std::vector<Arch>& archs, const ProxyKey& key);
  // The same for architectures of any search space, keyed by space_cache_arch() strings.
  std::vector<ProxyValues> lookup_many(const std::vector<std::string>& arch_keys, const ProxyKey& key);
  // True if all 13 proxies are stored.
  bool complete(const Arch& arch, const ProxyKey& key);

  struct Entry {
    Arch arch;
    ProxyValues values;
  };
  // Stores all entries in one transaction (all or nothing). Existing values are replaced.
  void store(const std::vector<Entry>& entries, const ProxyKey& key);
  void store(const Arch& arch, const ProxyValues& values, const ProxyKey& key) { store({{arch, values}}, key); }
  // store() for architectures of any search space, keyed by space_cache_arch() strings.
  void store(const std::vector<std::pair<std::string, ProxyValues>>& entries, const ProxyKey& key);

  // Stored proxy values (one per arch, key and proxy).
  std::int64_t row_count();

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* lookup_stmt_ = nullptr;  // prepared once: lookups are the hot path
  sqlite3_stmt* lookup_many_stmt_ = nullptr;
  int busy_timeout_ms_;

  [[noreturn]] void fail(int rc, const std::string& doing) const;
  // `stmt` prepared on first use (lookups are the hot path), reset for a new binding.
  sqlite3_stmt* prepared(sqlite3_stmt*& stmt, const char* sql);
  void exec(const char* sql, const std::string& doing);
  std::int64_t count(const std::string& sql);
  // Copies rows of the first layout (one per arch and proxy) into proxy_rows when that table
  // changed since the last copy; the old table is left as it is.
  void migrate_long_table();
  static std::string wide_columns();
};

// The cache's arch column for an architecture of a search space: NB201 keeps its arch string (the
// rows NB201's predictor reads); every other space prefixes its name ("fbnet:k3_e1-...") so its rows
// can never collide with NB201's, whatever the strings look like. The key's code_version names the
// space too (SpaceProxyComputer::code_version, "torch-fbnet-v1").
std::string space_cache_arch(const SearchSpace& space, const Encoding& e);

// A ProxyComputer that looks proxies up in the cache and computes (and stores) only the archs
// whose 13 proxies are not all there. The inner computer is created on first need, so fully
// cached work runs without the LibTorch back end.
class CachedProxyComputer : public ProxyComputer {
 public:
  using InnerFactory = std::function<std::unique_ptr<ProxyComputer>()>;
  // code_version: the version the cached values must carry; the inner computer must report the
  // same one (else pelnas::Error, since mixing proxy definitions would corrupt features).
  // required: the proxies an arch needs in the cache to count as a hit, and the ones the inner
  // computer is asked for (empty = all 13).
  CachedProxyComputer(std::shared_ptr<ProxyCache> cache, ProxyKey key, InnerFactory inner,
                      std::vector<std::string> required = {});
  // Convenience: the real back end for these options (make_proxy_computer), version taken from it.
  static std::unique_ptr<CachedProxyComputer> with_backend(std::shared_ptr<ProxyCache> cache,
                                                           const ProxyOptions& options);

  ProxyValues compute(const Arch& arch) override;
  // Batched: looks all up, computes the missing ones, stores every `store_every` computed archs in
  // one transaction (an interrupted run keeps what it finished). progress(i, n_missing) is called
  // after each computed arch.
  std::vector<ProxyValues> compute_many(const std::vector<Arch>& archs, int store_every = 8,
                                        const std::function<void(int, int)>& progress = {});
  std::string code_version() const override { return key_.code_version; }
  std::string input_description() const override;

  // Computes the proxies of several archs at once elsewhere (e.g. on MPI ranks), calling
  // done(i, values) on the calling thread as each finishes, in any order. When set, compute_many
  // hands it all the archs it misses and stores each result in the cache as it arrives.
  using BatchBackend = std::function<void(const std::vector<Arch>&, const std::function<void(std::size_t, ProxyValues)>&)>;
  void set_batch_backend(BatchBackend backend) { batch_backend_ = std::move(backend); }

  std::int64_t computed() const { return computed_; }  // paid evaluations
  std::int64_t hits() const { return hits_; }
  const ProxyKey& key() const { return key_; }

 private:
  std::shared_ptr<ProxyCache> cache_;
  ProxyKey key_;
  InnerFactory inner_factory_;
  std::vector<std::string> required_;
  std::unique_ptr<ProxyComputer> inner_;
  BatchBackend batch_backend_;
  std::int64_t computed_ = 0, hits_ = 0;

  // A computed arch's values completed (required proxies present, cached extras kept) and counted.
  ProxyValues complete_computed(ProxyValues v, const ProxyValues& cached);

  ProxyComputer& inner();
};

}  // namespace pelnas
