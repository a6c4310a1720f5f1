#include "distributed/coordinator.h"

#include <deque>
#include <fmt/format.h>

#include "common/error.h"

namespace pelnas::distributed {

FarmStats coordinate(const FarmJob& job, LocalPool& local, RemoteLinks* remote, const std::string& host, int size) {
  const std::size_t n = job.payloads.size();
  FarmStats stats;
  stats.per_rank.assign(static_cast<std::size_t>(size), 0);
  std::vector<int> busy(static_cast<std::size_t>(size), 0);
  std::vector<int> slots(static_cast<std::size_t>(size), 0);
  std::vector<std::string> hosts(static_cast<std::size_t>(size));
  slots[0] = local.threads();
  hosts[0] = host;
  if (remote)
    for (const auto& p : remote->peers()) {
      slots[static_cast<std::size_t>(p.rank)] = p.slots;
      hosts[static_cast<std::size_t>(p.rank)] = p.host;
    }
  std::deque<std::size_t> pending;
  for (std::size_t i = 0; i < n; ++i) pending.push_back(i);

  struct Failure {
    int rank;
    std::size_t id;
    std::string cause;
  };
  std::optional<Failure> failure;
  auto handle = [&](int rank, std::size_t id, bool ok, const std::string& text) {
    --busy[static_cast<std::size_t>(rank)];
    if (!ok) {
      // The lowest item among failures seen before the stop, so the report does not depend on
      // which of two failing items happened to come back first.
      if (!failure || id < failure->id) failure = Failure{rank, id, text};
      return;
    }
    job.on_result(id, text);
    ++stats.per_rank[static_cast<std::size_t>(rank)];
    ++stats.items;
  };

  for (;;) {
    if (!failure) {
      // Remote ranks first: rank 0 also runs the coordinator loop, so its own slots are the last resort.
      for (int r = 1; r < size; ++r)
        while (!pending.empty() && busy[static_cast<std::size_t>(r)] < slots[static_cast<std::size_t>(r)]) {
          remote->send_item(r, pending.front(), job.payloads[pending.front()]);
          pending.pop_front();
          ++busy[static_cast<std::size_t>(r)];
        }
      while (!pending.empty() && busy[0] < slots[0]) {
        local.submit(pending.front(), job.payloads[pending.front()]);
        pending.pop_front();
        ++busy[0];
      }
    }
    int remote_busy = 0;
    for (int r = 1; r < size; ++r) remote_busy += busy[static_cast<std::size_t>(r)];
    if (busy[0] + remote_busy == 0 && (pending.empty() || failure)) break;
    if (busy[0] > 0) {
      for (auto& d : local.take(std::chrono::milliseconds(remote_busy > 0 ? 0 : 200))) handle(0, d.id, d.ok, d.text);
    }
    if (remote_busy > 0) {
      // Drain what has arrived; the first poll waits a little so an idle rank 0 does not spin.
      for (auto m = remote->poll(std::chrono::milliseconds(2)); m; m = remote->poll(std::chrono::milliseconds(0)))
        handle(m->rank, m->id, m->ok, m->text);
    }
  }
  if (failure) {
    const std::string item = job.describe ? job.describe(failure->id) : fmt::format("item {}", failure->id);
    throw Error(fmt::format("{}: rank {} on host {} failed on {}: {} ({} of {} items finished and stored before the "
                            "job stopped; a rerun computes only the rest)",
                            job.name, failure->rank, hosts[static_cast<std::size_t>(failure->rank)], item,
                            failure->cause, stats.items, n));
  }
  return stats;
}

}  // namespace pelnas::distributed
