// pelnas under mpirun, as a user (or Slurm) starts it: results identical to one process for 1, 2
// and 3 ranks, a killed rank's job resumed by a rerun, a failing worker reported by rank 0, and the
// refusals (commands that do not distribute, ranks whose inputs differ, ranks without data).
// Needs an MPI build (PELNAS_TEST_MPIEXEC) and the LibTorch back end for the proxy tests.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "pelnas_build_paths.h"
#include "predictor/proxy_cache.h"
#include "test_support.h"

namespace pelnas {

namespace {

namespace fs = std::filesystem;

#ifdef PELNAS_TEST_MPIEXEC
constexpr bool kHaveMpi = true;
const char* const kMpiexec = PELNAS_TEST_MPIEXEC;
#else
constexpr bool kHaveMpi = false;
const char* const kMpiexec = "";
#endif

// The launcher arguments the README shows for one machine.
std::vector<std::string> mpirun(int np) {
  return {kMpiexec, "--oversubscribe", "--allow-run-as-root", "--bind-to", "none", "-np", std::to_string(np)};
}

// `pelnas args` on np ranks.
std::vector<std::string> mpirun_cli(int np, const std::vector<std::string>& args) {
  auto argv = mpirun(np);
  argv.push_back(PELNAS_CLI_PATH);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

test::CliResult run_mpi(int np, const std::vector<std::string>& args, const std::vector<std::string>& env) {
  return test::run_program(mpirun_cli(np, args), env);
}

// One job of two programs: `np` ranks of `pelnas args`, then one more rank (rank np) running the
// same command with `rank_env` ("NAME=value": a fault switch, another data directory) added.
std::vector<std::string> mpirun_with_odd_rank(int np, const std::vector<std::string>& args, const std::string& rank_env) {
  auto argv = mpirun_cli(np, args);
  argv.insert(argv.end(), {":", "-np", "1", "/usr/bin/env", rank_env, PELNAS_CLI_PATH});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

bool have_torch_cli() {
  // The proxy tests need the LibTorch back end in the executable.
  static const bool yes = test::run_cli({"proxies", "--help"}).out.find("--check-params") != std::string::npos &&
                          test::run_cli({"proxies", "--check-params", "--dataset", "nonsense"}).err.find(
                              "built without") == std::string::npos;
  return yes;
}

#define REQUIRE_MPI()                              \
  do {                                             \
    if (!kHaveMpi) {                               \
      GTEST_SKIP() << "pelnas was built without MPI"; \
    }                                              \
  } while (0)
// The proxy tests also need the LibTorch back end.
#define REQUIRE_MPI_AND_TORCH()                 \
  do {                                          \
    REQUIRE_MPI();                              \
    if (!have_torch_cli()) {                    \
      GTEST_SKIP() << "no LibTorch back end";   \
    }                                           \
  } while (0)

struct TableRun {
  std::string dir, cache, table;
  std::vector<std::string> env;
};

TableRun table_paths(const std::string& tag) {
  TableRun t;
  t.dir = test::temp_dir(tag);
  t.cache = t.dir + "/cache.sqlite";
  t.table = t.dir + "/table.csv";
  t.env = {"PELNAS_MODELS=" + t.dir, "PELNAS_DATA=" + test::data_dir(), "OMP_NUM_THREADS=1"};
  return t;
}

// A small proxy table: 5 archs of the seeded sample, small minibatch, one torch thread per rank.
constexpr int kArchs = 5;
std::vector<std::string> table_args(const TableRun& t, int sample = kArchs) {
  return {"predictor", "table", "--dataset", "cifar10", "--sample", std::to_string(sample), "--batch-size", "8",
          "--cache", t.cache, "--out", t.table, "--json"};
}

// The one-process reference, computed once for all tests.
const TableRun& reference_table() {
  static const TableRun ref = [] {
    TableRun t = table_paths("mpiref");
    const auto r = test::run_cli(table_args(t), t.env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return t;
  }();
  return ref;
}

void expect_same_table(const TableRun& got, const TableRun& ref) {
  EXPECT_EQ(test::read_file(got.table), test::read_file(ref.table));
  // The sidecar records the command line, whose --cache/--out paths differ; the rest must not.
  auto meta = [](const TableRun& t) {
    auto j = nlohmann::json::parse(test::read_file(t.table + ".meta.json"));
    j.erase("command");
    return j;
  };
  EXPECT_EQ(meta(got), meta(ref));
  EXPECT_FALSE(test::read_file(ref.table).empty());
}

// results.csv without its wall_ms column (times differ run to run).
std::string results_without_times(const std::string& path) {
  std::string out, line;
  std::ifstream in(path);
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

// The pid of MPI rank `rank` among the children of `launcher`, or 0.
pid_t rank_pid(pid_t launcher, int rank) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid != launcher) continue;
    const std::string env = test::read_file((e.path() / "environ").string());
    if (env.find("OMPI_COMM_WORLD_RANK=" + std::to_string(rank) + '\0') != std::string::npos) return std::stoi(name);
  }
  return 0;
}

}  // namespace

TEST(MpiCli, BenchGridIsIdenticalOnOneTwoAndThreeRanks) {
  REQUIRE_MPI();
  const std::vector<std::string> env = {"PELNAS_DATA=" + test::data_dir()};
  auto args = [](const std::string& out) {
    return std::vector<std::string>{"bench", "--algos", "random,rea", "--devices", "fpga,eyeriss", "--seeds", "2",
                                    "--budget", "40", "--threads", "1", "--out", out};
  };
  const std::string dir = test::temp_dir("mpibench");
  const auto one = test::run_cli(args(dir + "/plain"), env);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  for (int np : {1, 2, 3}) {
    const std::string out = dir + "/np" + std::to_string(np);
    const auto r = run_mpi(np, args(out), env);
    ASSERT_EQ(r.exit_code, 0) << "np " << np << ": " << r.err;
    EXPECT_EQ(test::read_file(out + "/curves.csv"), test::read_file(dir + "/plain/curves.csv")) << "np " << np;
    EXPECT_EQ(results_without_times(out + "/results.csv"), results_without_times(dir + "/plain/results.csv"))
        << "np " << np;
    EXPECT_EQ(test::read_file(out + "/summary.md"), test::read_file(dir + "/plain/summary.md")) << "np " << np;
    EXPECT_EQ(test::read_file(out + "/archives.csv"), test::read_file(dir + "/plain/archives.csv")) << "np " << np;
    EXPECT_EQ(test::read_file(out + "/fronts.csv"), test::read_file(dir + "/plain/fronts.csv")) << "np " << np;
    EXPECT_FALSE(test::read_file(out + "/archives.csv").empty());
    // 8 runs: each rank's share is listed; stdout carries one table (rank 0's), not one per rank.
    if (np > 1) {
      EXPECT_NE(r.err.find("bench: 8 item(s) done; per rank:"), std::string::npos) << r.err;
    }
    std::size_t tables = 0;
    for (std::size_t p = r.out.find("Benchmark grid:"); p != std::string::npos; p = r.out.find("Benchmark grid:", p + 1))
      ++tables;
    EXPECT_EQ(tables, 1u) << r.out;
  }
}

TEST(MpiCli, ProxyTableIsIdenticalOnOneTwoAndThreeRanks) {
  REQUIRE_MPI_AND_TORCH();
  const TableRun& ref = reference_table();
  for (int np : {1, 2, 3}) {
    TableRun t = table_paths("mpitable" + std::to_string(np));
    const auto r = run_mpi(np, table_args(t), t.env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["computed"], kArchs);
    EXPECT_EQ(j["cache_hits"], 0);
    expect_same_table(t, ref);
    if (np > 1) {
      EXPECT_NE(r.err.find("1 thread (OMP_NUM_THREADS)"), std::string::npos) << r.err;
    }
    // A rerun finds everything in the cache rank 0 wrote and computes nothing.
    const auto again = run_mpi(np, table_args(t), t.env);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(nlohmann::json::parse(again.out)["computed"], 0);
    expect_same_table(t, ref);
  }
}

// `search --accuracy predictor` under mpirun: the search stays on rank 0, each batch's missing
// proxies (the seeds, then each generation's children) are computed across the ranks. The
// predictor comes from a 5-arch proxy table at batch 8 (PELNAS_MODELS), every run starts from an
// empty proxy cache, and every rank uses one torch thread (proxies differ between 1 and 2).
TEST(MpiCli, PredictorSearchIsIdenticalOnOneTwoAndThreeRanks) {
  REQUIRE_MPI_AND_TORCH();
  const std::string root = test::temp_dir("mpisearch");
  const std::string models = root + "/models";
  fs::create_directories(models);
  const std::vector<std::string> base_env = {"PELNAS_MODELS=" + models, "PELNAS_DATA=" + test::data_dir(),
                                             "OMP_NUM_THREADS=1"};
  auto with_cache = [&](const std::string& tag) {
    auto env = base_env;
    env.push_back("PELNAS_PROXY_CACHE=" + root + "/cache-" + tag + ".sqlite");
    return env;
  };
  const auto table = test::run_cli({"predictor", "table", "--dataset", "cifar10", "--sample", "5", "--batch-size", "8",
                                    "--cache", root + "/table-cache.sqlite", "--out", models + "/proxies_cifar10.csv"},
                                   base_env);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  auto args = [](const std::string& out) {
    return std::vector<std::string>{"search", "--accuracy", "predictor", "--no-partition", "--seeds-per-niche", "4",
                                    "--children-per-call", "4", "--budget", "12", "--seed", "5", "--out", out, "--json"};
  };
  const auto plain = test::run_cli(args(root + "/plain"), with_cache("plain"));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const auto pj = nlohmann::json::parse(plain.out);
  const std::string archive = test::read_file(root + "/plain/archive.csv");
  ASSERT_FALSE(archive.empty());
  const std::int64_t computed = ProxyCache(root + "/cache-plain.sqlite").row_count();
  EXPECT_GT(computed, 0) << "the search computed no proxies: nothing to distribute";
  for (int np : {1, 2, 3}) {
    const std::string tag = "np" + std::to_string(np), out = root + "/" + tag;
    const auto r = run_mpi(np, args(out), with_cache(tag));
    ASSERT_EQ(r.exit_code, 0) << "np " << np << ": " << r.err;
    const auto j = nlohmann::json::parse(r.out);  // one document: rank 0's
    EXPECT_EQ(test::read_file(out + "/archive.csv"), archive) << "np " << np;
    for (const char* k : {"evaluations", "hv", "hv_ratio", "igd", "igd_plus", "front"}) EXPECT_EQ(j.at(k), pj.at(k)) << k;
    EXPECT_EQ(ProxyCache(root + "/cache-" + tag + ".sqlite").row_count(), computed) << "np " << np;
    if (np > 1) {
      EXPECT_NE(r.err.find("search proxies: rank " + std::to_string(np - 1) + " on "), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("1 thread (OMP_NUM_THREADS)"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(" batch(es) on " + std::to_string(np) + " ranks; per rank: "), std::string::npos) << r.err;
    }
  }
}

TEST(MpiCli, KilledRankEndsTheJobAndARerunResumes) {
  REQUIRE_MPI_AND_TORCH();
  const TableRun& ref = reference_table();
  TableRun t = table_paths("mpikill");
  const pid_t launcher = test::spawn_program(mpirun_cli(3, table_args(t)), t.env, t.dir + "/log", t.dir + "/log");
  // Kill rank 2 once the first results are stored (13 proxy rows per arch).
  std::int64_t rows = 0;
  pid_t victim = 0;
  for (int i = 0; i < 1200 && rows < 13; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (fs::exists(t.cache)) {
      try {
        rows = ProxyCache(t.cache).row_count();
      } catch (const std::exception&) {
      }
    }
  }
  ASSERT_GE(rows, 13) << test::read_file(t.dir + "/log");
  victim = rank_pid(launcher, 2);
  ASSERT_GT(victim, 0);
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  int status = 0;
  ::waitpid(launcher, &status, 0);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::read_file(t.dir + "/log");
  std::int64_t kept = ProxyCache(t.cache).row_count();
  EXPECT_GE(kept, 13);
  EXPECT_LT(kept, kArchs * 13) << "the job was meant to be interrupted";
  // The rerun (on 2 ranks) computes only what is missing; the table equals the uninterrupted one.
  const auto r = run_mpi(2, table_args(t), t.env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["computed"].get<int>() + j["cache_hits"].get<int>(), kArchs);
  EXPECT_GE(j["cache_hits"].get<int>(), 1);
  expect_same_table(t, ref);
}

TEST(MpiCli, FailingWorkerStopsTheJobNamingRankHostArchAndCauseAndKeepsFinishedWork) {
  REQUIRE_MPI_AND_TORCH();
  const TableRun& ref = reference_table();
  TableRun t = table_paths("mpifail");
  // Ranks 0 and 1 as usual; rank 2 fails the first item it is given (the test-only fault switch).
  // The coordinator hands every worker an item before rank 0 takes any, so rank 2 always gets one
  // and always fails, whatever the machine load (failing the *second* item was flaky: rank 0 could
  // take all the later items). The items ranks 0 and 1 hold when the failure arrives are drained
  // and stored, so at least two are finished.
  const auto r = test::run_program(mpirun_with_odd_rank(2, table_args(t), "PELNAS_TEST_FAIL_AFTER=0"), t.env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::regex named("proxies: rank 2 on host \\S+ failed on arch \\|[^ ]+\\|: injected failure "
                         "\\(PELNAS_TEST_FAIL_AFTER=0\\) \\((\\d+) of 5 items finished and stored");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.err, m, named)) << r.err;
  const int stored = std::stoi(m[1]);
  EXPECT_GE(stored, 2);  // ranks 0 and 1 finished the items they held
  EXPECT_EQ(ProxyCache(t.cache).row_count(), 13 * stored);
  EXPECT_FALSE(fs::exists(t.table));
  // The rerun computes the rest; the result equals the one-process table.
  const auto again = run_mpi(3, table_args(t), t.env);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["cache_hits"], stored);
  expect_same_table(t, ref);
}

TEST(MpiCli, MoreRanksThanArchsIsFineAndSaysSo) {
  REQUIRE_MPI_AND_TORCH();
  TableRun one = table_paths("mpifew1"), t = table_paths("mpifew");
  const auto plain = test::run_cli(table_args(one, 1), one.env);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const auto r = run_mpi(3, table_args(t, 1), t.env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 item(s) for 3 slots on 3 ranks: some ranks stay idle"), std::string::npos) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["computed"], 1);
  expect_same_table(t, one);
}

TEST(MpiCli, RefusesRankWhoseImagesDifferFromRankZeros) {
  REQUIRE_MPI_AND_TORCH();
  // A second data directory: the same tables (links), an images file with one changed byte.
  const std::string other = test::temp_dir("mpidata");
  for (const auto& e : fs::directory_iterator(test::data_dir()))
    if (e.path().filename() != "images") fs::create_symlink(e.path(), other + "/" + e.path().filename().string());
  fs::create_directory(other + "/images");
  std::string images = test::read_file(test::data_dir() + "/images/cifar10_train_sample.bin");
  images[1000] = static_cast<char>(images[1000] ^ 1);
  test::write_file(other + "/images/cifar10_train_sample.bin", images);
  TableRun t = table_paths("mpidiff");
  const auto r = test::run_program(mpirun_with_odd_rank(1, table_args(t), "PELNAS_DATA=" + other), t.env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("refusing to start: rank 1 on host"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("has different inputs than rank 0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("images cifar10_train_sample.bin=sha256:"), std::string::npos) << r.err;
  EXPECT_EQ(ProxyCache(t.cache).row_count(), 0);  // nothing computed
}

TEST(MpiCli, RankWithoutDataEndsTheJobNamingIt) {
  REQUIRE_MPI();
  const std::string empty = test::temp_dir("mpinodata");
  const std::string out = test::temp_dir("mpinodata-out");
  const std::vector<std::string> bench = {"bench", "--algos", "random", "--devices", "fpga", "--seeds", "2", "--budget", "20",
                                         "--out", out};
  const auto r = test::run_program(mpirun_with_odd_rank(1, bench, "PELNAS_DATA=" + empty), {"PELNAS_DATA=" + test::data_dir()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("pelnas: error (rank 1 on "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(empty), std::string::npos) << r.err;
}

TEST(MpiCli, RefusesCommandsThatDoNotDistribute) {
  REQUIRE_MPI();
  const std::vector<std::string> env = {"PELNAS_DATA=" + test::data_dir()};
  const auto r = run_mpi(2, {"front", "--dataset", "cifar10", "--device", "fpga"}, env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("`pelnas front` does not distribute its work"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Commands that run on several ranks: bench, predictor table, proxies, search"), std::string::npos)
      << r.err;
  // A search distributes the proxies of --accuracy predictor only; the table signals are refused
  // by rank 0, the other ranks end cleanly, and nothing is created.
  const std::string run = test::temp_dir("mpirefuse") + "/run";
  const auto table_search = run_mpi(2, {"search", "--accuracy", "valid", "--budget", "40", "--out", run}, env);
  EXPECT_EQ(table_search.exit_code, 2) << table_search.err;
  EXPECT_NE(table_search.err.find("only `--accuracy predictor` searches run"), std::string::npos) << table_search.err;
  EXPECT_FALSE(fs::exists(run));
  EXPECT_EQ(r.out, "");
  // Said once (by rank 0), not once per rank.
  EXPECT_EQ(r.err.find("does not distribute"), r.err.rfind("does not distribute")) << r.err;
  const auto zc = run_mpi(2, {"proxies", "--compare-zc", "--limit", "5"}, env);
  EXPECT_EQ(zc.exit_code, 2) << zc.err;
  EXPECT_NE(zc.err.find("pelnas proxies --compare-zc runs in one process only"), std::string::npos) << zc.err;
  // One rank is one process: any command runs.
  const auto one = run_mpi(1, {"front", "--dataset", "cifar10", "--device", "fpga"}, env);
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, test::run_cli({"front", "--dataset", "cifar10", "--device", "fpga"}, env).out);
}

}  // namespace pelnas
