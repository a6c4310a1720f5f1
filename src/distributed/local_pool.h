#pragma once
// A few threads working through submitted items; finished items are collected by one caller thread
// (the farm's loop), so results reach the command on a single thread.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pelnas::distributed {

class LocalPool {
 public:
  using Work = std::function<std::string(const std::string&)>;
  struct Done {
    std::size_t id = 0;
    bool ok = true;
    std::string text;  // the result, or the error message
  };

  LocalPool(int threads, Work work);
  ~LocalPool();  // lets running items finish, drops queued ones
  LocalPool(const LocalPool&) = delete;
  LocalPool& operator=(const LocalPool&) = delete;

  int threads() const { return static_cast<int>(threads_.size()); }
  void submit(std::size_t id, std::string payload);
  std::size_t in_flight() const;  // submitted, not yet taken back
  // Finished items; waits up to `timeout` for the first one when none is ready.
  std::vector<Done> take(std::chrono::milliseconds timeout);

 private:
  Work work_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::pair<std::size_t, std::string>> queue_;
  std::vector<Done> done_;
  std::size_t in_flight_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;

  void loop();
};

}  // namespace pelnas::distributed
