#include "common/thread_pool.h"

#include <algorithm>

namespace pelnas {

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < std::max(1, threads); ++i) workers_.emplace_back([this] { worker(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::drain(const std::function<void(std::size_t)>* fn, std::size_t n) {
  for (std::size_t i = next_.fetch_add(1); i < n; i = next_.fetch_add(1)) (*fn)(i);
}

void ThreadPool::worker() {
  std::uint64_t seen = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || epoch_ != seen; });
    if (stop_) return;
    seen = epoch_;
    const auto* fn = fn_;
    const std::size_t n = n_;
    ++active_;
    lock.unlock();
    drain(fn, n);  // a late wake-up finds next_ >= n and calls nothing
    lock.lock();
    if (--active_ == 0) idle_.notify_all();
  }
}

void ThreadPool::parallel_for(std::size_t n, const std::function<void(std::size_t)>& fn) {
  if (workers_.empty() || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return active_ == 0; });  // no worker still inside the previous batch
    fn_ = &fn;
    n_ = n;
    next_.store(0);
    ++epoch_;
  }
  wake_.notify_all();
  drain(&fn, n);
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return active_ == 0; });  // items claimed by workers are finished
}

}  // namespace pelnas
