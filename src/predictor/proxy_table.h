#pragma once
// A table of computed proxies (CSV: index, arch_str, the 13 proxies; empty = missing) with a
// sidecar "<table>.meta.json" holding the proxy key it was computed under. pelnas ships one per
// dataset (models/proxies_<dataset>.csv) so the predictor trains in seconds, not hours.
// Also: the seeded arch sample the predictor trains and is evaluated on, and arch-list files.
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/benchmark_data.h"
#include "predictor/proxy_cache.h"

namespace pelnas {

struct ProxyTable {
  std::string path;
  ProxyKey key;
  std::uint64_t sample_seed = 0;
  std::vector<Arch> archs;  // file order
  std::unordered_map<Arch, ProxyValues> values;

  const ProxyValues* find(const Arch& a) const {
    auto it = values.find(a);
    return it == values.end() ? nullptr : &it->second;
  }
  // Reads table + sidecar; InputError (file:line) on malformed content, Error if the sidecar is absent.
  static ProxyTable read(const std::string& path);
  // rows: (NB201 index, arch, values).
  static void write(const std::string& path, const ProxyKey& key, std::uint64_t sample_seed,
                    const std::vector<std::tuple<int, Arch, ProxyValues>>& rows, const std::string& command);
};

// A seeded permutation of all NB201 indices (0..n-1). The training sample of size N is its first N
// entries and held-out archs come after, so train and test never overlap for the same seed.
std::vector<int> arch_sample_order(int num_archs, std::uint64_t seed);

// One arch string (or NB201 index) per line; '#' comments and blank lines skipped. InputError
// names file and line for anything that is not an NB201 arch.
std::vector<Arch> read_arch_file(const std::string& path, const BenchmarkData* data = nullptr);

// The directory with shipped models/tables: $PELNAS_MODELS, else ./models, else <source>/models.
std::string models_dir();
std::string default_proxy_table_path(Dataset d);   // <models>/proxies_<dataset>.csv
std::string default_predictor_path(Dataset d);     // <models>/predictor_<dataset>.json
// $PELNAS_PROXY_CACHE, else $XDG_CACHE_HOME/pelnas/proxies.sqlite, else ~/.cache/pelnas/proxies.sqlite.
std::string default_proxy_cache_path();

}  // namespace pelnas
