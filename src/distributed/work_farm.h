#pragma once
// Hands independent work items (proxies of one arch, one benchmark-grid run) to whoever is free:
// in one process to a few local threads, under `mpirun` also to the other ranks. The command code
// is the same for both: it describes a FarmJob and calls WorkFarm::run on every rank. Only rank 0
// sees results (on its main thread, in arrival order) and writes anything; the others only compute.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pelnas::distributed {

struct FarmJob {
  std::string name;  // for messages: "proxies", "bench"
  // Every rank: a digest of the inputs its work depends on (data files, images, code version).
  // A rank whose digest differs from rank 0's is refused before any work; one that throws here is
  // reported with its message. Empty function = nothing to compare.
  std::function<std::string()> fingerprint;
  // Rank 0: one payload per item (what a worker needs to do it, e.g. an arch string).
  std::vector<std::string> payloads;
  // Rank 0: names item i in messages ("arch |nor_conv_3x3~0|+...").
  std::function<std::string(std::size_t)> describe;
  // Every rank: does one item (payload -> result bytes). Called from `slots` threads at once when
  // slots > 1. Throws to report a failure of that item.
  std::function<std::string(const std::string& payload)> work;
  // Rank 0, main thread, arrival order: item i finished with this result (store it now, so a job
  // that dies later keeps it).
  std::function<void(std::size_t, const std::string& result)> on_result;
  int slots = 1;  // items one rank works on at once (threads)
  // What each rank says about its threads, e.g. "1 torch thread (OMP_NUM_THREADS)".
  std::string threads_note;

  // Rank 0: bytes every other rank receives before it computes its fingerprint, for what only rank 0
  // knows (e.g. the proxy settings of the model its search loaded). Other ranks: on_setup gets them
  // (an exception there is reported to rank 0 like a fingerprint failure).
  std::string setup;
  std::function<void(const std::string&)> on_setup;
  // Rank 0: another job follows on the same ranks (a search's next generation); the other ranks'
  // run() then returns with FarmStats::more set, and they call run() again.
  bool more_follow = false;
  // Rank 0: list the ranks, their threads and shares at info level (else debug: the later jobs of a chain).
  bool announce = true;
};

struct FarmStats {
  std::size_t items = 0;
  std::vector<std::size_t> per_rank;  // items done by each rank (rank 0 only)
  bool more = false;                  // other ranks: rank 0 said another job follows
};

class WorkFarm {
 public:
  virtual ~WorkFarm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool coordinator() const { return rank() == 0; }
  // Collective: every rank calls it with the same job description. On rank 0 it returns when every
  // item is done, or throws pelnas::Error on the first failed item naming rank, host, item and cause,
  // after every item already running has finished and been passed to on_result. On other ranks it
  // returns when rank 0 says stop.
  virtual FarmStats run(const FarmJob& job) = 0;
};

// The farm for this process: the MPI one under `mpirun` (with an MPI build), else in-process.
std::unique_ptr<WorkFarm> make_work_farm();
std::unique_ptr<WorkFarm> make_local_farm();

}  // namespace pelnas::distributed
