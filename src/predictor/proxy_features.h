#pragma once
// Where proxy features come from, cheapest first: a proxy table (shipped CSV), the SQLite cache,
// and only then the proxy back end (paid, counted, stored in the cache).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "predictor/proxy_cache.h"
#include "predictor/proxy_table.h"

namespace pelnas {

class ProxyFeatureSource {
 public:
  // Builds a proxy computer for the options derived from the key (tests pass a fake).
  using ComputerFactory = std::function<std::unique_ptr<ProxyComputer>(const ProxyOptions&)>;

  // key: the proxy settings features must have been computed under. table: optional (used only
  // if its key equals `key`). cache_path: empty = an in-memory cache for this process only.
  // data_dir/threads: how to compute missing proxies.
  // proxies: the ones needed (empty = all 13); only these are computed for archs not in the table.
  ProxyFeatureSource(ProxyKey key, std::shared_ptr<const ProxyTable> table, const std::string& cache_path,
                     std::string data_dir, int threads = 2, ComputerFactory factory = {},
                     std::vector<std::string> proxies = {});

  // The proxy values of each arch; progress(i, n) is called per computed arch.
  std::vector<ProxyValues> get(const std::vector<Arch>& archs, const std::function<void(int, int)>& progress = {});

  // Archs whose proxies are not in the table or cache go to `remote` (with the settings they are
  // computed under) instead of the local back end, e.g. to the ranks of an MPI job. Values are the
  // same either way when every computing rank uses the same number of torch threads.
  using RemoteCompute = std::function<void(const ProxyOptions&, const std::vector<Arch>&,
                                           const std::function<void(std::size_t, ProxyValues)>&)>;
  void set_remote(RemoteCompute remote);

  const ProxyKey& key() const { return key_; }
  std::int64_t paid() const { return cached_->computed(); }
  std::int64_t table_hits() const { return table_hits_; }
  std::int64_t cache_hits() const { return cached_->hits(); }
  const ProxyTable* table() const { return table_.get(); }

  // The key of the installed back end for these options (builds a computer to ask its version).
  static ProxyKey backend_key(const ProxyOptions& options);

 private:
  ProxyKey key_;
  std::shared_ptr<const ProxyTable> table_;
  std::shared_ptr<ProxyCache> cache_;
  std::unique_ptr<CachedProxyComputer> cached_;
  ProxyOptions options_;  // what the local back end computes with
  std::int64_t table_hits_ = 0;
};

}  // namespace pelnas
