// Reports, export, `pelnas runs` and `report --watch` on runs that have not finished: stopped after
// a generation (as if killed), holding the run lock (running), and running for real.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/csv.h"
#include "report/run_data.h"
#include "report/run_fixture.h"
#include "report/run_list.h"
#include "report/xml_check.h"
#include "run/run_progress.h"
#include "search/archive.h"
#include "test_support.h"

namespace pelnas::report {
namespace {

namespace xml = pelnas::test::xml;
namespace fs = std::filesystem;

using test::report_search_args;

// A run stopped after generation 2 of 4 (the test hook returns right after that checkpoint).
const std::string& stopped_run() {
  static const std::string dir = [] {
    const std::string d = test::temp_dir("stopped") + "/run";
    auto args = report_search_args(d, 5, 4);
    args.insert(args.end(), {"--stop-after-generation", "2"});
    auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return d;
  }();
  return dir;
}

TEST(UnfinishedRun, ReportShowsTheCheckpointAndSaysTheRunIsNotFinished) {
  const std::string run = stopped_run();
  ASSERT_FALSE(fs::exists(run + "/summary.json"));
  const std::string out = test::temp_dir("unfinished") + "/r.html";
  auto r = test::run_cli({"report", run, "-o", out, "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("not finished"), std::string::npos) << r.out;
  auto root = xml::parse(test::read_file(out));
  auto warn = root->find_all([](const xml::Node& n) { return n.has_class("run-state"); });
  ASSERT_EQ(warn.size(), 1u);
  EXPECT_NE(warn[0]->text.find("not finished"), std::string::npos);
  EXPECT_NE(warn[0]->text.find("generation 2"), std::string::npos) << warn[0]->text;

  // The drawn front is the Pareto front (by the accuracy the search saw) of the checkpoint's archive.
  int gen = -1;
  const auto entries = read_checkpoint_archive(run, gen);
  EXPECT_EQ(gen, 2);
  Archive a;
  for (const auto& e : entries) a.add(e);
  std::multiset<int> want;
  for (const auto& e : a.pareto_front()) want.insert(e.index);
  std::multiset<int> got;
  for (auto* c : root->find_all([](const xml::Node& n) { return n.name == "circle" && !n.attr("data-acc").empty(); })) {
    got.insert(std::stoi(c->attr("data-index")));
    // True accuracy comes from the table (the checkpoint holds only what the search saw).
    EXPECT_DOUBLE_EQ(std::stod(c->attr("data-acc")), *test::data()->accuracy(std::stoi(c->attr("data-index")), Dataset::Cifar10));
  }
  EXPECT_EQ(got, want);
  // The HV curve stops at the checkpointed generation; the summary's evaluations are the archive's.
  auto hv = root->find_all([](const xml::Node& n) { return n.name == "circle" && !n.attr("data-hv").empty(); });
  ASSERT_EQ(hv.size(), 3u);  // generations 0, 1, 2
  auto ev = root->find_all([](const xml::Node& n) { return n.attr("id") == "summary-evaluations"; });
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(std::stoul(ev[0]->children[1]->text), entries.size());
  EXPECT_EQ(std::stoul(hv.back()->attr("data-evaluations")), entries.size());
}

TEST(UnfinishedRun, ExportSaysTheRunIsNotFinished) {
  const std::string run = stopped_run();
  auto r = test::run_cli({"export", run, "--pick", "max-accuracy", "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("not finished"), std::string::npos) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NE(j["provenance"]["run_state"].get<std::string>().find("not finished"), std::string::npos);
  // The pick is the most accurate (as seen) point of the checkpoint's front.
  int gen = -1;
  Archive a;
  for (const auto& e : read_checkpoint_archive(run, gen)) a.add(e);
  double best = -1;
  for (const auto& e : a.pareto_front()) best = std::max(best, e.accuracy);
  EXPECT_DOUBLE_EQ(j["metrics"]["seen_accuracy"].get<double>(), best);
}

// Holds an flock on RUN/run.lock as a running search does.
struct HeldLock {
  int fd = -1;
  explicit HeldLock(const std::string& run) {
    fd = ::open((run + "/run.lock").c_str(), O_RDWR | O_CREAT, 0644);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  }
  ~HeldLock() { ::close(fd); }
};

TEST(UnfinishedRun, StateIsFinishedRunningOrKilled) {
  const std::string root = test::temp_dir("states");
  fs::copy(test::shared_run_dir(), root + "/done", fs::copy_options::recursive);
  fs::copy(stopped_run(), root + "/stopped", fs::copy_options::recursive);
  EXPECT_EQ(run_status(root + "/done"), RunStatus::Finished);
  fs::remove(root + "/stopped/run.lock");
  EXPECT_EQ(run_status(root + "/stopped"), RunStatus::Unknown);  // no lock file: cannot tell
  test::write_file(root + "/stopped/run.lock", "");
  EXPECT_EQ(run_status(root + "/stopped"), RunStatus::Killed);  // a lock file nobody holds
  {
    HeldLock lock(root + "/stopped");
    EXPECT_EQ(run_status(root + "/stopped"), RunStatus::Running);
    // Looking does not take the lock: the holder still has it exclusively afterwards.
    const int other = ::open((root + "/stopped/run.lock").c_str(), O_RDONLY);
    EXPECT_NE(::flock(other, LOCK_EX | LOCK_NB), 0);
    ::close(other);
  }
  EXPECT_EQ(run_status(root + "/stopped"), RunStatus::Killed);
}

TEST(RunsCommand, ListsRunsWithTheirFilesValues) {
  const std::string root = test::temp_dir("runs");
  fs::create_directories(root + "/cifar");
  fs::copy(test::shared_run_dir(), root + "/cifar/done", fs::copy_options::recursive);
  fs::copy(stopped_run(), root + "/stopped", fs::copy_options::recursive);
  fs::create_directories(root + "/not-a-run/knowledge");
  test::write_file(root + "/broken/config.json", "{not json");
  test::write_file(root + "/stopped/run.lock", "");
  HeldLock lock(root + "/stopped");

  auto r = test::run_cli({"runs", root, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 3u);  // broken, cifar/done, stopped (sorted by name)
  EXPECT_EQ(j[0]["name"], "broken");
  EXPECT_EQ(j[0]["state"], "unreadable");
  EXPECT_NE(j[0]["error"].get<std::string>().find("config.json"), std::string::npos);

  const auto summary = nlohmann::json::parse(test::read_file(root + "/cifar/done/summary.json"));
  EXPECT_EQ(j[1]["name"], "cifar/done");
  EXPECT_EQ(j[1]["state"], "finished");
  EXPECT_EQ(j[1]["dataset"], "cifar10");
  EXPECT_EQ(j[1]["device"], "fpga");
  EXPECT_EQ(j[1]["operator"], "evolution");
  EXPECT_EQ(j[1]["accuracy"], summary["accuracy_signal"]);
  EXPECT_EQ(j[1]["accuracy"], "table:valid");
  EXPECT_EQ(j[1]["seed"], 3);
  EXPECT_EQ(j[1]["evaluations"], summary["evaluations"]);
  EXPECT_DOUBLE_EQ(j[1]["hv_ratio"].get<double>(), summary["hv_ratio"].get<double>());

  const CsvTable m = CsvTable::read(root + "/stopped/metrics.csv");
  EXPECT_EQ(j[2]["state"], "running");
  EXPECT_EQ(j[2]["seed"], 5);
  EXPECT_EQ(j[2]["generation"], 2);
  EXPECT_EQ(j[2]["evaluations"].get<long long>(), m.integer(m.rows() - 1, m.column("evaluations")));
  EXPECT_DOUBLE_EQ(j[2]["hv_ratio"].get<double>(), m.number(m.rows() - 1, m.column("hv_ratio")));

  auto t = test::run_cli({"runs", root});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("cifar/done"), std::string::npos);
  EXPECT_NE(t.out.find("running"), std::string::npos);
  auto bad = test::run_cli({"runs", root + "/nope"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("nope"), std::string::npos) << bad.err;
}

TEST(ReportWatch, RewritesEveryGenerationAndEndsWithTheFinishedReport) {
  const std::string dir = test::temp_dir("watch");
  const std::string run = dir + "/run";
  // A run stopped after generation 1 of 4; the watch starts on it and has written its first page
  // before the run goes on (resumed, pausing after each generation long enough for the watch to
  // render a page: at least 0.8 s, and 3x what the first page took, so a slow build, e.g. under
  // ASan, still sees every generation).
  auto args = report_search_args(run, 6, 4);
  args.insert(args.end(), {"--stop-after-generation", "1"});
  ASSERT_EQ(test::run_cli(args).exit_code, 0);
  fs::remove(run + "/run.lock");  // whoever wrote it: no lock file means "cannot tell", so only the finish ends the watch
  const pid_t watch = test::spawn_program(test::cli_argv({"report", run, "--watch", "--watch-interval", "0.05", "--watch-timeout",
                                                         "300", "-o", dir + "/w.html", "--data", test::data_dir()}),
                                         {}, dir + "/bg.out", dir + "/bg.err");
  const auto spawned = std::chrono::steady_clock::now();
  for (int i = 0; i < 3000 && !fs::exists(dir + "/w.html"); ++i) ::usleep(20000);
  ASSERT_TRUE(fs::exists(dir + "/w.html"));
  const auto first_page_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - spawned).count();
  const long long delay_ms = std::max<long long>(800, 3 * first_page_ms);
  auto resumed = test::run_cli({"search", "--resume", run, "--generation-delay-ms", std::to_string(delay_ms)});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  int status = 0;
  ::waitpid(watch, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::read_file(dir + "/bg.err");
  const std::string out = test::read_file(dir + "/bg.out");
  // One page per generation: 1 (the first look), then 2, 3 and 4 while the run goes on, then the finished one.
  std::set<std::string> generations;
  for (std::size_t p = out.find(": generation "); p != std::string::npos; p = out.find(": generation ", p + 1))
    generations.insert(out.substr(p + 13, out.find(',', p) - p - 13));
  EXPECT_EQ(generations, (std::set<std::string>{"1", "2", "3", "4"})) << out;
  EXPECT_NE(out.find("the run has finished"), std::string::npos) << out;
  // The last page is the finished run's report, byte for byte, without the reload.
  auto r = test::run_cli({"report", run, "-o", dir + "/r.html", "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_file(dir + "/w.html"), test::read_file(dir + "/r.html"));
  EXPECT_EQ(test::read_file(dir + "/w.html").find("http-equiv"), std::string::npos);
}

TEST(ReportWatch, EndsWhenTheRunStopsRunningOrTheTimeoutPasses) {
  const std::string root = test::temp_dir("watchstop");
  fs::copy(stopped_run(), root + "/run", fs::copy_options::recursive);
  fs::remove(root + "/run/run.lock");
  // No lock file (cannot tell whether it runs): the timeout ends the watch.
  auto t = test::run_cli({"report", root + "/run", "--watch", "--watch-interval", "0.05", "--watch-timeout", "0.3", "-o",
                          root + "/a.html", "--data", test::data_dir()});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("--watch-timeout"), std::string::npos) << t.out;
  EXPECT_NE(test::read_file(root + "/a.html").find("http-equiv=\"refresh\""), std::string::npos);
  // A free lock: the run is not running, the watch ends at once.
  test::write_file(root + "/run/run.lock", "");
  auto k = test::run_cli({"report", root + "/run", "--watch", "--watch-timeout", "300", "-o", root + "/b.html", "--data",
                          test::data_dir()});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  EXPECT_NE(k.out.find("not running"), std::string::npos) << k.out;
  auto many = test::run_cli({"report", root + "/run", root + "/run", "--watch"});
  EXPECT_EQ(many.exit_code, 2);
  EXPECT_NE(many.err.find("exactly one run directory"), std::string::npos) << many.err;
}

}  // namespace
}  // namespace pelnas::report
