#pragma once
// Rank 0's scheduling loop, shared by the in-process farm and the MPI one: items go, in order, to
// whichever slot is free (local threads or another rank), so one slow item never holds up the
// rest; results are passed to the job as they arrive.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "distributed/local_pool.h"
#include "distributed/work_farm.h"

namespace pelnas::distributed {

// The other ranks as rank 0 sees them (the MPI back end); absent in one process.
class RemoteLinks {
 public:
  struct Peer {
    int rank = 0;
    std::string host;
    int slots = 1;
  };
  struct Message {
    int rank = 0;
    std::size_t id = 0;
    bool ok = true;
    std::string text;  // result or error message
  };
  virtual ~RemoteLinks() = default;
  virtual const std::vector<Peer>& peers() const = 0;
  virtual void send_item(int rank, std::size_t id, const std::string& payload) = 0;
  // A finished item from any peer, waiting up to `timeout` for one.
  virtual std::optional<Message> poll(std::chrono::milliseconds timeout) = 0;
};

// job.work, plus a test-only fault switch: with PELNAS_TEST_FAIL_AFTER=K in its environment a
// rank fails every item after its first K with "injected failure" (how the tests make a worker fail).
LocalPool::Work work_with_test_faults(const LocalPool::Work& work);

// Runs job.payloads on `local` (rank 0's own threads) and the remote peers. Throws pelnas::Error on
// the first failed item once every running item is back (finished ones passed to on_result).
FarmStats coordinate(const FarmJob& job, LocalPool& local, RemoteLinks* remote, const std::string& host, int size);

}  // namespace pelnas::distributed
