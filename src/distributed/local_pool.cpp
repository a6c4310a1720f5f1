#include "distributed/local_pool.h"

#include <exception>

namespace pelnas::distributed {

LocalPool::LocalPool(int threads, Work work) : work_(std::move(work)) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

LocalPool::~LocalPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void LocalPool::submit(std::size_t id, std::string payload) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(id, std::move(payload));
    ++in_flight_;
  }
  work_cv_.notify_one();
}

std::size_t LocalPool::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

std::vector<LocalPool::Done> LocalPool::take(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (done_.empty()) done_cv_.wait_for(lock, timeout, [this] { return !done_.empty(); });
  std::vector<Done> out;
  out.swap(done_);
  in_flight_ -= out.size();
  return out;
}

void LocalPool::loop() {
  for (;;) {
    std::pair<std::size_t, std::string> item;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    Done d;
    d.id = item.first;
    try {
      d.text = work_(item.second);
    } catch (const std::exception& e) {
      d.ok = false;
      d.text = e.what();
    } catch (...) {
      d.ok = false;
      d.text = "unknown exception";
    }
    {
      std::lock_guard lock(mu_);
      done_.push_back(std::move(d));
    }
    done_cv_.notify_one();
  }
}

}  // namespace pelnas::distributed
