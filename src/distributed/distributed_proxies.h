#pragma once
// Zero-cost proxies of many archs on a WorkFarm: rank 0 looks them up in the proxy cache, hands the
// missing archs out one at a time to whichever rank is free (their cost varies ~10x), and stores
// each result in the cache as it arrives, so a job that dies keeps everything finished and a rerun
// computes only the rest. Every rank builds its own ProxyComputer; ranks compare the images they
// read and the proxy code version with rank 0's before any work.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "distributed/work_farm.h"
#include "predictor/proxy_cache.h"

namespace pelnas::distributed {

struct ProxyJob {
  ProxyOptions options;            // every rank (the same command line)
  std::vector<Arch> archs;         // rank 0
  std::string cache_path;          // rank 0; empty = no cache (everything computed)
  std::string threads_note;        // what this rank uses, for the start-up listing
  std::function<void(int, int)> progress;  // rank 0: (computed so far, to compute)
};

struct ProxyJobResult {
  ProxyKey key;                     // rank 0
  std::vector<ProxyValues> values;  // rank 0: one per arch, in order
  std::int64_t computed = 0, cache_hits = 0;
  std::string input_description;
};

// Collective over the farm's ranks; the result is meaningful on rank 0 only.
ProxyJobResult compute_proxies(WorkFarm& farm, const ProxyJob& job);

// The text a rank's proxy inputs are compared by: the images file's digest (or "noise"), batch,
// seed, dataset and the proxy code version.
std::string proxy_fingerprint(const ProxyOptions& options, const ProxyComputer& computer);

std::string proxy_values_to_json(const ProxyValues& v);    // exact doubles; null = missing
ProxyValues proxy_values_from_json(const std::string& s);  // throws Error on malformed text

}  // namespace pelnas::distributed
