// The in-process work farm (the same coordinator loop the MPI farm runs on rank 0), thread-count
// resolution, input fingerprints and the exact result encodings workers send to rank 0.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include "common/error.h"
#include "distributed/distributed_proxies.h"
#include "distributed/fingerprint.h"
#include "distributed/launch.h"
#include "distributed/work_farm.h"
#include "experiment/benchmark_grid.h"
#include "test_support.h"

namespace pelnas::distributed {

namespace {

FarmJob squares(int n, int slots, std::vector<std::pair<std::size_t, std::string>>& got, std::thread::id& caller) {
  FarmJob job;
  job.name = "squares";
  job.slots = slots;
  for (int i = 0; i < n; ++i) job.payloads.push_back(std::to_string(i));
  job.work = [](const std::string& p) {
    const long v = std::stol(p);
    // Uneven costs, so items finish out of order with several slots.
    std::this_thread::sleep_for(std::chrono::milliseconds(v % 3 == 0 ? 5 : 0));
    return std::to_string(v * v);
  };
  job.on_result = [&got, &caller](std::size_t i, const std::string& r) {
    EXPECT_EQ(std::this_thread::get_id(), caller) << "results must reach the command on its own thread";
    got.emplace_back(i, r);
  };
  return job;
}

}  // namespace

TEST(WorkFarm, InProcessFarmDoesEveryItemOnceOnTheCallersThread) {
  for (int slots : {1, 3}) {
    std::vector<std::pair<std::size_t, std::string>> got;
    std::thread::id caller = std::this_thread::get_id();
    auto farm = make_local_farm();
    EXPECT_TRUE(farm->coordinator());
    const FarmStats st = farm->run(squares(20, slots, got, caller));
    EXPECT_EQ(st.items, 20u);
    ASSERT_EQ(got.size(), 20u);
    std::set<std::size_t> ids;
    for (const auto& [i, r] : got) {
      ids.insert(i);
      EXPECT_EQ(r, std::to_string(i * i));
    }
    EXPECT_EQ(ids.size(), 20u);
  }
}

TEST(WorkFarm, EmptyJobRunsNothing) {
  std::vector<std::pair<std::size_t, std::string>> got;
  std::thread::id caller = std::this_thread::get_id();
  EXPECT_EQ(make_local_farm()->run(squares(0, 2, got, caller)).items, 0u);
  EXPECT_TRUE(got.empty());
}

TEST(WorkFarm, FailedItemStopsTheJobNamingItemAndCauseAfterStoringWhatFinished) {
  std::mutex mu;
  std::set<std::size_t> started;
  FarmJob job;
  job.name = "test job";
  job.slots = 2;
  for (int i = 0; i < 50; ++i) job.payloads.push_back(std::to_string(i));
  job.describe = [](std::size_t i) { return "item number " + std::to_string(i); };
  job.work = [&](const std::string& p) -> std::string {
    {
      std::lock_guard lock(mu);
      started.insert(std::stoul(p));
    }
    if (p == "7") throw Error("disk on fire");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return p;
  };
  std::set<std::size_t> stored;
  job.on_result = [&](std::size_t i, const std::string& r) {
    EXPECT_EQ(r, std::to_string(i));
    stored.insert(i);
  };
  const std::string msg = test::error_of([&] { make_local_farm()->run(job); });
  EXPECT_NE(msg.find("test job: rank 0 on host"), std::string::npos) << msg;
  EXPECT_NE(msg.find("item number 7: disk on fire"), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::to_string(stored.size()) + " of 50 items finished and stored"), std::string::npos) << msg;
  // Every item that started, except the failed one, finished and was stored; nothing new started
  // after the failure was seen (at most the other slot's next item).
  std::set<std::size_t> expected = started;
  expected.erase(7);
  EXPECT_EQ(stored, expected);
  EXPECT_LT(started.size(), 50u);
}

TEST(WorkFarm, SlotsMustBePositive) {
  FarmJob job;
  job.name = "x";
  job.slots = 0;
  job.payloads = {"1"};
  EXPECT_NE(test::error_of([&] { make_local_farm()->run(job); }).find("slots must be >= 1"), std::string::npos);
}

TEST(Launch, OneProcessWithoutMpiRunsEveryCommand) {
  const Launch l = launch();
  EXPECT_EQ(l.rank, 0);
  EXPECT_EQ(l.size, 1);
  EXPECT_NO_THROW(check_command_allowed("front"));
  EXPECT_NO_THROW(require_single_process("x"));
}

TEST(Launch, ThreadsFromOptionThenOmpNumThreadsThenDefault) {
  std::string note;
  ::unsetenv("OMP_NUM_THREADS");
  EXPECT_EQ(resolve_threads(false, 7, 2, &note), 2);
  EXPECT_EQ(note, "2 threads (default)");
  ::setenv("OMP_NUM_THREADS", "1", 1);
  EXPECT_EQ(resolve_threads(false, 7, 2, &note), 1);
  EXPECT_EQ(note, "1 thread (OMP_NUM_THREADS)");
  EXPECT_EQ(resolve_threads(true, 3, 2, &note), 3);
  EXPECT_EQ(note, "3 threads (--threads)");
  ::setenv("OMP_NUM_THREADS", "lots", 1);
  EXPECT_NE(test::error_of([&] { resolve_threads(false, 7, 2, &note); }).find("OMP_NUM_THREADS='lots'"),
            std::string::npos);
  ::unsetenv("OMP_NUM_THREADS");
}

TEST(Fingerprint, NamesEachInputAndChangesWithOneByte) {
  const std::string dir = test::temp_dir("fp");
  test::write_file(dir + "/a.bin", std::string(100000, 'x'));
  const std::string before = fingerprint_files({{"images a.bin", dir + "/a.bin"}}, "seed=0");
  // SHA-256 of 100000 'x' bytes starts with these 16 hex digits (Python's hashlib).
  EXPECT_EQ(file_digest(dir + "/a.bin"), "d69e689881578332");
  std::string changed(100000, 'x');
  changed[54321] = 'y';
  test::write_file(dir + "/a.bin", changed);
  const std::string after = fingerprint_files({{"images a.bin", dir + "/a.bin"}}, "seed=0");
  EXPECT_NE(before, after);
  EXPECT_EQ(before.rfind("images a.bin=sha256:", 0), 0u) << before;
  EXPECT_NE(before.find("; seed=0"), std::string::npos);
  EXPECT_NE(test::error_of([&] { file_digest(dir + "/missing.bin"); }).find(dir + "/missing.bin: cannot read"),
            std::string::npos);
}

TEST(ResultEncoding, ProxyValuesRoundTripExactly) {
  ProxyValues v;
  v["a"] = 0.1 + 0.2;
  v["b"] = std::nullopt;
  v["c"] = -1.2345678901234567e-300;
  v["d"] = std::numeric_limits<double>::denorm_min();
  v["e"] = 123456789.98765432;
  const ProxyValues back = proxy_values_from_json(proxy_values_to_json(v));
  ASSERT_EQ(back.size(), v.size());
  for (const auto& [name, value] : v) {
    ASSERT_TRUE(back.count(name));
    ASSERT_EQ(back.at(name).has_value(), value.has_value()) << name;
    if (value) {
      EXPECT_EQ(std::memcmp(&*value, &*back.at(name), sizeof(double)), 0) << name;
    }
  }
  EXPECT_THROW(proxy_values_from_json("[1,2]"), Error);
  EXPECT_THROW(proxy_values_from_json(R"({"a":"x"})"), Error);
}

TEST(ResultEncoding, GridRunRoundTripsExactly) {
  GridRun r;
  r.setting = 3;
  r.algorithm = "pelnas:no_partition=true";
  r.seed = 9;
  r.evaluations = 77;
  r.result = {0.1 + 0.7, 1.0 / 3.0, 2e-17, 0.5, 12, 4};
  r.wall_ms = 12.25;
  r.curve = {{10, 0.1, 0.2, 0.3, 0.4}, {20, 1.0 / 7.0, 0.5, 0.6, 0.7}};
  auto data = test::data();
  r.archive = {{data->arch(5), 5, 91.0 / 3.0, 0.1 + 0.2, 1, 0, -1}, {data->arch(77), 77, 70.5, 12.75, 2, 3, 4}};
  r.true_accuracy = {93.1, std::nan("")};
  r.front = {1};
  const GridRun b = grid_run_from_json(nlohmann::json::parse(grid_run_to_json(r).dump()));
  EXPECT_EQ(b.setting, r.setting);
  EXPECT_EQ(b.algorithm, r.algorithm);
  EXPECT_EQ(b.seed, r.seed);
  EXPECT_EQ(b.evaluations, r.evaluations);
  EXPECT_EQ(b.result.hv, r.result.hv);
  EXPECT_EQ(b.result.hv_ratio, r.result.hv_ratio);
  EXPECT_EQ(b.result.igd, r.result.igd);
  EXPECT_EQ(b.result.igd_plus, r.result.igd_plus);
  EXPECT_EQ(b.result.found, 12);
  EXPECT_EQ(b.result.found_front, 4);
  EXPECT_EQ(b.wall_ms, r.wall_ms);
  ASSERT_EQ(b.curve.size(), 2u);
  EXPECT_EQ(b.curve[1].evaluations, 20);
  EXPECT_EQ(b.curve[1].hv, 1.0 / 7.0);
  ASSERT_EQ(b.archive.size(), 2u);
  EXPECT_EQ(b.archive[0].arch, data->arch(5));
  EXPECT_EQ(b.archive[0].accuracy, 91.0 / 3.0);
  EXPECT_EQ(b.archive[0].cost, 0.1 + 0.2);
  EXPECT_EQ(b.archive[1].index, 77);
  EXPECT_EQ(b.archive[1].order, 2);
  EXPECT_EQ(b.archive[1].generation, 3);
  EXPECT_EQ(b.archive[1].niche, 4);
  ASSERT_EQ(b.true_accuracy.size(), 2u);
  EXPECT_EQ(b.true_accuracy[0], 93.1);
  EXPECT_TRUE(std::isnan(b.true_accuracy[1]));
  EXPECT_EQ(b.front, std::vector<std::size_t>{1});
  EXPECT_THROW(grid_run_from_json(nlohmann::json::parse(R"({"setting":1})")), Error);
}

}  // namespace pelnas::distributed
