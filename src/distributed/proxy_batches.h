#pragma once
// Proxies of a search's batches on a WorkFarm: under `mpirun -n N pelnas search --accuracy
// predictor`, the search runs on rank 0 alone, and each generation's archs whose proxies are not in
// the table or cache are one farm job, handed out one arch at a time to whichever rank is free
// (rank 0 works on one too). The other ranks only serve these jobs until rank 0 closes the chain.
// Rank 0 sends the proxy settings with every job (the model it loaded decides them), so the other
// ranks need only the images (compared by digest before any work, as for `pelnas proxies`).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "distributed/work_farm.h"
#include "predictor/proxy_computer.h"

namespace pelnas::distributed {

class ProxyBatchFarm {
 public:
  // threads: torch threads of this rank's computations (each rank resolves its own); threads_note
  // says where the number came from. data_dir: this rank's data directory (for the default images;
  // "" = rank 0's).
  ProxyBatchFarm(WorkFarm& farm, int threads, std::string threads_note, std::string data_dir);
  ~ProxyBatchFarm();

  // Rank 0: computes the proxies of `archs` for `options` on every rank (one farm job, more follow);
  // done(i, values) on this thread as each arrives. Throws pelnas::Error naming rank, host, arch and
  // cause when one fails (the chain is then closed).
  void compute(const ProxyOptions& options, const std::vector<Arch>& archs,
               const std::function<void(std::size_t, ProxyValues)>& done);
  // Rank 0: tells the other ranks that no job follows (an empty last job) and logs what each rank
  // computed. Idempotent; call it on every path out of the search, errors included.
  void close();
  // Other ranks: serve jobs until rank 0 closes the chain.
  void serve();

  std::int64_t computed() const { return computed_; }

 private:
  WorkFarm& farm_;
  int threads_;
  std::string threads_note_, data_dir_;
  bool open_ = true;
  int jobs_ = 0;
  std::int64_t computed_ = 0;
  std::vector<std::size_t> per_rank_;
  // the fingerprint of the last options (the images digest is computed once per setting)
  std::string fingerprint_options_, fingerprint_;

  FarmJob make_job(const ProxyOptions& options);
};

// The proxy settings rank 0 sends (everything but threads and data_dir, which are each rank's own).
std::string proxy_options_to_json(const ProxyOptions& o);
ProxyOptions proxy_options_from_json(const std::string& text);  // throws Error on a malformed document

}  // namespace pelnas::distributed
