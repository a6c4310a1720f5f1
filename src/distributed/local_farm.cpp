// The in-process farm: rank 0 of 1, items on job.slots local threads. Also the fallback of
// make_work_farm() when no MPI runtime is installed.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>

#include "common/error.h"
#include "distributed/coordinator.h"
#include "distributed/launch.h"

namespace pelnas::distributed {

LocalPool::Work work_with_test_faults(const LocalPool::Work& work) {
  const char* env = std::getenv("PELNAS_TEST_FAIL_AFTER");
  if (!env || !*env) return work;
  const int after = std::atoi(env);
  auto done = std::make_shared<std::atomic<int>>(0);
  return [work, after, done, text = std::string(env)](const std::string& payload) {
    if (done->fetch_add(1) >= after) throw Error("injected failure (PELNAS_TEST_FAIL_AFTER=" + text + ")");
    return work(payload);
  };
}

namespace {

class LocalFarm : public WorkFarm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  FarmStats run(const FarmJob& job) override {
    if (job.slots < 1) throw Error(job.name + ": slots must be >= 1");
    if (job.payloads.empty()) return FarmStats{0, {0}};
    LocalPool pool(std::min<int>(job.slots, static_cast<int>(job.payloads.size())), work_with_test_faults(job.work));
    return coordinate(job, pool, nullptr, host_name(), 1);
  }
};

}  // namespace

std::unique_ptr<WorkFarm> make_local_farm() { return std::make_unique<LocalFarm>(); }

std::unique_ptr<WorkFarm> make_work_farm() {
  if (auto* r = runtime()) return r->make_farm();
  return make_local_farm();
}

}  // namespace pelnas::distributed
