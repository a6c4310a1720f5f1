#pragma once
// A fixed set of worker threads reused for parallel-for batches (a PEL-NAS generation's niches):
// starting fresh threads every generation cost more than the work of a small generation. At most
// `threads` calls of fn run at once (the workers plus the calling thread).
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pelnas {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads >= 1; 1 = everything runs on the caller
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  // Calls fn(i) for every i in [0, n), each exactly once, and returns when all calls are done.
  // fn must not throw (catch inside and hand the exception back, as the search does).
  void parallel_for(std::size_t n, const std::function<void(std::size_t)>& fn);

 private:
  void worker();
  void drain(const std::function<void(std::size_t)>* fn, std::size_t n);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  const std::function<void(std::size_t)>* fn_ = nullptr;
  std::size_t n_ = 0;
  std::atomic<std::size_t> next_{0};
  std::uint64_t epoch_ = 0;
  int active_ = 0;  // workers inside drain()
  bool stop_ = false;
};

}  // namespace pelnas
