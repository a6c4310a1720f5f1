// The reused worker pool of the PEL-NAS loop: every index runs exactly once per batch, never more
// than `threads` at once, batch after batch on the same threads (none are created per batch).
#include "common/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace pelnas {
namespace {

TEST(ThreadPool, EveryIndexOnceAtMostThreadsAtOnceOnTheSameThreads) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    std::mutex m;
    std::set<std::thread::id> ids;
    for (int batch = 0; batch < 200; ++batch) {
      const std::size_t n = static_cast<std::size_t>(batch % 9);
      std::vector<std::atomic<int>> calls(n);
      std::atomic<int> running{0}, peak{0};
      pool.parallel_for(n, [&](std::size_t i) {
        const int now = ++running;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        if (batch % 50 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
        ++calls[i];
        {
          std::lock_guard lock(m);
          ids.insert(std::this_thread::get_id());
        }
        --running;
      });
      for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(calls[i].load(), 1) << "batch " << batch << " index " << i;
      ASSERT_LE(peak.load(), threads);
    }
    // The caller plus at most threads - 1 workers, whatever the number of batches.
    EXPECT_LE(static_cast<int>(ids.size()), threads);
  }
}

}  // namespace
}  // namespace pelnas
