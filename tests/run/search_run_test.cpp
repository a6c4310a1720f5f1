// Run directories of `pelnas search`: the files and their consistency, and resume after a stop or
// a SIGKILL giving exactly the uninterrupted run (no evaluation lost or repeated).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include "common/csv.h"
#include "common/error.h"
#include "hardware/cost_source.h"
#include "hardware/searchable_space.h"
#include "metrics/evaluation_protocol.h"
#include "run/knowledge_log.h"
#include "run/run_directory.h"
#include "run/search_run.h"
#include "test_support.h"

namespace pelnas {
namespace {

namespace fs = std::filesystem;

RunConfig config(std::uint64_t seed = 3) {
  RunConfig c;
  c.seed = seed;
  c.data_dir = test::data_dir();
  return c;
}

std::vector<std::string> event_names(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : RunDirectory::open(dir).events()) out.push_back(e["event"].get<std::string>());
  return out;
}

TEST(SearchRun, WritesTheDocumentedFiles) {
  const std::string dir = test::temp_dir("run") + "/r";
  const RunSummary s = start_search_run(config(), dir);
  ASSERT_TRUE(s.finished);
  for (const char* f : {"config.json", "events.jsonl", "archive.csv", "front.csv", "metrics.csv", "stats.json", "summary.json",
                        "checkpoint.json", "knowledge/history.jsonl"})
    EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
  // config.json round-trips into the same configuration.
  const auto cfg_json = nlohmann::json::parse(test::read_file(dir + "/config.json"));
  EXPECT_EQ(RunConfig::from_json(cfg_json).to_json(), cfg_json);
  EXPECT_EQ(cfg_json["accuracy"], "valid");
  EXPECT_EQ(cfg_json["accuracy_signal"], "table:valid");
  EXPECT_EQ(cfg_json["include_degenerate"], false);
  // archive.csv: every evaluation once; the default signal is CIFAR-10's 200-epoch validation
  // accuracy (seen_accuracy), the truth column is the test accuracy, both read from the table
  // here; no degenerate (zero-output) cell is ever evaluated.
  const auto archive = CsvTable::parse(test::read_file(dir + "/archive.csv"), "archive.csv");
  ASSERT_EQ(archive.rows(), 324u);
  EXPECT_EQ(archive.header(), (std::vector<std::string>{"order", "generation", "niche", "index", "arch_str", "seen_accuracy",
                                                        "cost", "true_accuracy", "dataset", "device", "seed"}));
  for (std::size_t r = 0; r < archive.rows(); ++r) {
    const int index = static_cast<int>(archive.integer(r, 3));
    EXPECT_EQ(archive.cell(r, 8), "cifar10");  // the run's key on every row
    EXPECT_EQ(archive.cell(r, 9), "fpga");
    EXPECT_EQ(archive.cell(r, 10), "3");
    EXPECT_EQ(archive.integer(r, 0), static_cast<long long>(r + 1));
    EXPECT_DOUBLE_EQ(archive.number(r, 5), *test::data()->accuracy(index, Dataset::Cifar10, AccuracyMetric::Valid));
    EXPECT_DOUBLE_EQ(archive.number(r, 7), *test::data()->accuracy(index, Dataset::Cifar10, AccuracyMetric::Test));
    EXPECT_FALSE(test::data()->zero_output(index)) << index;
    EXPECT_EQ(archive.cell(r, 4), test::data()->arch(index).str());
  }
  // metrics.csv: one row per generation; the summary's numbers are the last row's. (The HV of the
  // answer need not grow: the answer is chosen on validation accuracy and scored on test.)
  const auto metrics = CsvTable::parse(test::read_file(dir + "/metrics.csv"), "metrics.csv");
  ASSERT_EQ(metrics.rows(), 11u);
  const auto summary = nlohmann::json::parse(test::read_file(dir + "/summary.json"));
  EXPECT_EQ(summary["accuracy_signal"], "table:valid");
  EXPECT_EQ(summary["excluded_degenerate"], 341);
  EXPECT_NE(summary["protocol"].get<std::string>().find("341 degenerate cells"), std::string::npos);
  EXPECT_NE(summary["protocol"].get<std::string>().find("table:valid"), std::string::npos);
  EXPECT_DOUBLE_EQ(summary["hv_ratio"].get<double>(), metrics.number(10, 2));
  EXPECT_DOUBLE_EQ(summary["igd"].get<double>(), metrics.number(10, 3));
  EXPECT_EQ(summary["evaluations"], 324);
  EXPECT_EQ(summary["operator"], "evolution");
  EXPECT_EQ(summary["run_dir"], fs::absolute(dir).lexically_normal().string());
  EXPECT_GT(summary["hv_ratio"].get<double>(), 0.85);
  // front.csv = the Pareto front of archive.csv under the objectives the search saw.
  Archive a;
  for (std::size_t r = 0; r < archive.rows(); ++r) {
    EvaluatedArch e;
    e.arch = Arch::parse(archive.cell(r, 4));
    e.accuracy = archive.number(r, 5);
    e.cost = archive.number(r, 6);
    e.order = static_cast<int>(archive.integer(r, 0));
    a.add(e);
  }
  const auto front = CsvTable::parse(test::read_file(dir + "/front.csv"), "front.csv");
  const auto expect = a.pareto_front();
  ASSERT_EQ(front.rows(), expect.size());
  for (std::size_t r = 0; r < front.rows(); ++r) EXPECT_EQ(front.cell(r, 4), expect[r].arch.str());
  // events: started, 11 generations, finished; stats count the operator calls.
  const auto names = event_names(dir);
  ASSERT_EQ(names.size(), 13u);
  EXPECT_EQ(names.front(), "run_started");
  EXPECT_EQ(names.back(), "run_finished");
  const auto stats = nlohmann::json::parse(test::read_file(dir + "/stats.json"));
  EXPECT_EQ(stats["operator_stats"]["counters"]["calls"], 60);
  EXPECT_EQ(stats["search"]["evaluated:seed"], 24);
  const auto kb = read_knowledge_history(dir);
  ASSERT_EQ(kb.size(), 11u);  // generations 0-10
  EXPECT_EQ(kb.at(10).size(), 6u);
  EXPECT_FALSE(fs::exists(dir + "/knowledge/gen_000.json"));
}

TEST(SearchRun, StopAndResumeEqualsTheUninterruptedRun) {
  const std::string base = test::temp_dir("resume");
  start_search_run(config(), base + "/full");
  RunHooks stop;
  stop.stop_after_generation = 4;
  const RunSummary part = start_search_run(config(), base + "/part", stop);
  EXPECT_FALSE(part.finished);
  EXPECT_EQ(part.evaluations, 24 + 4 * 30);
  // Events written after the checkpoint (as if killed between the two writes) are dropped on resume.
  RunDirectory::open(base + "/part").append_event({{"event", "generation_done"}, {"generation", 5}});
  const RunSummary done = resume_search_run(base + "/part");
  EXPECT_TRUE(done.finished);
  for (const char* f : {"archive.csv", "front.csv", "metrics.csv", "knowledge/history.jsonl"})
    EXPECT_EQ(test::read_file(base + "/part/" + f), test::read_file(base + "/full/" + f)) << f;
  const auto a = nlohmann::json::parse(test::read_file(base + "/full/summary.json"));
  const auto b = nlohmann::json::parse(test::read_file(base + "/part/summary.json"));
  EXPECT_EQ(a["hv_ratio"], b["hv_ratio"]);
  const auto sa = nlohmann::json::parse(test::read_file(base + "/full/stats.json"));
  const auto sb = nlohmann::json::parse(test::read_file(base + "/part/stats.json"));
  EXPECT_EQ(sa["operator_stats"], sb["operator_stats"]);
  EXPECT_EQ(sa["search"], sb["search"]);
  std::vector<std::string> expect = {"run_started"};
  for (int g = 0; g <= 4; ++g) expect.push_back("generation_done");
  expect.push_back("run_resumed");
  for (int g = 5; g <= 10; ++g) expect.push_back("generation_done");
  expect.push_back("run_finished");
  EXPECT_EQ(event_names(base + "/part"), expect);
  // Resuming a finished run reports it again without evaluating anything.
  const RunSummary again = resume_search_run(base + "/part");
  EXPECT_EQ(again.hv_ratio, done.hv_ratio);
  EXPECT_EQ(again.front.size(), done.front.size());
}

// Late in a long run the evolution operator skips draws from parents whose neighbourhood is used up
// and keeps what it learned across calls (never saved: derived from the seen cells). A resume
// rebuilds it from nothing; the run must still be the uninterrupted one, byte for byte.
TEST(SearchRun, StopAndResumeLateInALongRunEqualsTheUninterruptedRun) {
  const std::string base = test::temp_dir("resume_long");
  RunConfig c = config(8);
  c.device = "edgegpu";
  c.budget = 5000;
  const RunSummary full = start_search_run(c, base + "/full");
  ASSERT_TRUE(full.finished);
  RunHooks stop;
  stop.stop_after_generation = 120;
  EXPECT_FALSE(start_search_run(c, base + "/part", stop).finished);
  EXPECT_TRUE(resume_search_run(base + "/part").finished);
  for (const char* f : {"archive.csv", "front.csv", "metrics.csv", "knowledge/history.jsonl"})
    EXPECT_EQ(test::read_file(base + "/part/" + f), test::read_file(base + "/full/" + f)) << f;
  const auto sa = nlohmann::json::parse(test::read_file(base + "/full/stats.json"));
  const auto sb = nlohmann::json::parse(test::read_file(base + "/part/stats.json"));
  EXPECT_EQ(sa["operator_stats"], sb["operator_stats"]);
  EXPECT_EQ(sa["search"], sb["search"]);
  // Generation 120 is late: most proposals there already fall back to a random unseen cell.
  EXPECT_GT(sa["search"]["evaluated:random"].get<int>(), 100) << sa["search"].dump();
}

TEST(SearchRun, ExistingDirectoryIsNotOverwritten) {
  const std::string dir = test::temp_dir("exists");
  test::write_file(dir + "/something", "x");
  EXPECT_THROW(start_search_run(config(), dir), Error);
  EXPECT_THROW(resume_search_run(dir), Error);  // no config.json
}

// The real thing: SIGKILL a `pelnas search` process after its first checkpoints, resume it with
// the CLI, and compare with an uninterrupted CLI run.
TEST(SearchRunCli, SigkillThenResumeEqualsTheUninterruptedRun) {
  const std::string base = test::temp_dir("kill");
  // No --operator: with no model configured the run must pick `evolution` itself and say so.
  const bool model_in_env = std::getenv("PELNAS_LLM_MODEL") && *std::getenv("PELNAS_LLM_MODEL");
  std::vector<std::string> common = {"search", "--seed", "11", "--data", test::data_dir()};
  if (model_in_env) common.insert(common.end(), {"--operator", "evolution"});
  auto args = [&](const std::string& out, std::vector<std::string> extra) {
    auto a = common;
    a.push_back("--out");
    a.push_back(out);
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  auto full = test::run_cli(args(base + "/full", {}));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  if (!model_in_env) { EXPECT_NE(full.err.find("no LLM model configured"), std::string::npos) << full.err; }

  const auto kill_args = args(base + "/killed", {"--generation-delay-ms", "400"});
  const pid_t pid = test::spawn_program(test::cli_argv(kill_args), {}, "", "");
  // Wait for generation 2 to be logged (its state is saved right after), then kill without warning.
  const std::string log = base + "/killed/events.jsonl";
  auto generations_logged = [&] {
    if (!fs::exists(log)) return 0;
    const std::string text = test::read_file(log);
    int n = 0;
    for (auto p = text.find("\"generation_done\""); p != std::string::npos; p = text.find("\"generation_done\"", p + 1)) ++n;
    return n;
  };
  bool ready = false;
  for (int i = 0; i < 600 && !ready; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ready = generations_logged() >= 3;  // generations 0, 1, 2
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(ready) << "no checkpoint appeared";
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_FALSE(fs::exists(base + "/killed/summary.json")) << "the run finished before the kill";
  EXPECT_LT(generations_logged(), 11);

  auto resumed = test::run_cli({"search", "--resume", base + "/killed", "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto j = nlohmann::json::parse(resumed.out);
  EXPECT_TRUE(j["finished"].get<bool>());
  for (const char* f : {"archive.csv", "front.csv", "metrics.csv", "knowledge/history.jsonl"})
    EXPECT_EQ(test::read_file(base + "/killed/" + f), test::read_file(base + "/full/" + f)) << f;
  const auto summary = nlohmann::json::parse(test::read_file(base + "/killed/summary.json"));
  EXPECT_EQ(summary["evaluations"], 324);
  EXPECT_EQ(summary["operator_defaulted"].get<bool>(), !model_in_env);
  EXPECT_EQ(summary["operator"], "evolution");
}

TEST(SearchRunCli, JsonOutputAndErrors) {
  const std::string base = test::temp_dir("cli");
  auto r = test::run_cli({"search", "--out", base + "/a", "--generations", "2", "--json", "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["evaluations"], 24 + 2 * 30);
  EXPECT_GT(j["front"].size(), 0u);
  EXPECT_TRUE(j.contains("hv_ratio"));
  EXPECT_TRUE(j.contains("igd"));
  r = test::run_cli({"search", "--out", base + "/a", "--data", test::data_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  r = test::run_cli({"search", "--out", base + "/b", "--accuracy", "crystal_ball", "--data", test::data_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("crystal_ball"), std::string::npos) << r.err;
  r = test::run_cli({"search", "--out", base + "/c", "--partition", base + "/missing.csv", "--data", test::data_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.csv"), std::string::npos) << r.err;
  r = test::run_cli({"search", "--resume", base + "/nothing"});
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_cli({"search", "--out", base + "/d", "--no-partition", "--generations", "1", "--json", "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["evaluations"], 4 + 5);
}

TEST(SearchRunCli, ProtocolBadInputExitsTwoAndCreatesNothing) {
  const std::string base = test::temp_dir("protocol-bad");
  const std::string data = test::data_dir();
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> says;
  };
  const std::vector<Case> cases = {
      {{"--accuracy", "crystal_ball"}, {"'crystal_ball'", "valid", "table:valid12", "table:test", "predictor"}},
      {{"--dataset", "cifar100", "--accuracy", "table:valid"}, {"cifar100", "it has:", "table:valid12", "table:test"}},
      {{"--budget", "20"}, {"minimum budget is 24", "6 niche(s) x 4 seeds"}},
      {{"--no-partition", "--budget", "3"}, {"minimum budget is 4"}},
      {{"--generations", "5", "--budget", "600"}, {"174 evaluations", "20 generations"}},
  };
  int k = 0;
  for (const auto& c : cases) {
    const std::string out = base + "/r" + std::to_string(k++);
    std::vector<std::string> args = {"search", "--out", out, "--data", data};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << c.args[1] << r.out;
    for (const auto& s : c.says) EXPECT_NE(r.err.find(s), std::string::npos) << s << " in: " << r.err;
    EXPECT_FALSE(fs::exists(out)) << "a refused start left " << out;
  }
}

TEST(SearchRunCli, ABudgetAboveThePlanIsSpent) {
  const std::string base = test::temp_dir("budget");
  auto r = test::run_cli({"search", "--out", base + "/b", "--budget", "600", "--json", "--data", test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["evaluations"], 600);
  EXPECT_GE(j["generations_completed"].get<int>(), 20);  // ceil((600 - 24) / 30)
  const auto summary = nlohmann::json::parse(test::read_file(base + "/b/summary.json"));
  EXPECT_EQ(summary["budget"], 600);
  EXPECT_EQ(summary["planned_generations"], 20);
  // Every front row says which accuracy is which.
  for (const auto& e : j["front"]) {
    const int index = e["index"].get<int>();
    EXPECT_EQ(e["seen_accuracy"].get<double>(), *test::data()->accuracy(index, Dataset::Cifar10, AccuracyMetric::Valid));
    EXPECT_EQ(e["true_accuracy"].get<double>(), *test::data()->accuracy(index, Dataset::Cifar10, AccuracyMetric::Test));
  }
  EXPECT_EQ(j["accuracy_signal"], "table:valid");
}

TEST(SearchRunCli, HvReferencePointIsAnOptionAndKeptInTheRun) {
  const std::string base = test::temp_dir("hvref");
  auto run = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> a{"search", "--out", base + "/" + out, "--generations", "2", "--json", "--data", test::data_dir()};
    a.insert(a.end(), extra.begin(), extra.end());
    return test::run_cli(a);
  };
  auto plain = run("plain", {});
  auto wide = run("wide", {"--hv-ref", "1.1,1.2"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  const auto jp = nlohmann::json::parse(plain.out), jw = nlohmann::json::parse(wide.out);
  EXPECT_EQ(jp["front"], jw["front"]);  // the reference point scores a run, it does not steer it
  // The reported ratio is the protocol's with that reference, recomputed here from the front.
  const auto data = test::data();
  const auto cost = make_searchable_cost(data, Dataset::Cifar10, {"fpga", HwMetric::Latency});
  std::vector<ObjectiveVector> pts;
  for (const auto& e : jw["front"]) {
    const int index = e["index"].get<int>();
    EXPECT_EQ(e["true_accuracy"].get<double>(), *data->accuracy(index, Dataset::Cifar10));
    EXPECT_EQ(e["seen_accuracy"].get<double>(), *data->accuracy(index, Dataset::Cifar10, AccuracyMetric::Valid));
    pts.push_back({100.0 - e["true_accuracy"].get<double>(), e["cost"].get<double>()});
  }
  EXPECT_EQ(jw["accuracy_signal"], "table:valid");
  for (auto [ref, j] : {std::pair{std::optional<ObjectiveVector>(ObjectiveVector{1.1, 1.2}), jw}, std::pair{std::optional<ObjectiveVector>(), jp}}) {
    const auto protocol = EvaluationProtocol::for_cost_source(*data, Dataset::Cifar10, *cost, ProtocolOptions{ref});
    EXPECT_NEAR(j["hv_ratio"].get<double>(), protocol.score_objectives(pts).hv_ratio, 1e-12);
  }
  EXPECT_NE(jp["hv_ratio"], jw["hv_ratio"]);
  const auto config = nlohmann::json::parse(test::read_file(base + "/wide/config.json"));
  EXPECT_EQ(config["hv_reference"], nlohmann::json::array({1.1, 1.2}));
  EXPECT_TRUE(nlohmann::json::parse(test::read_file(base + "/plain/config.json"))["hv_reference"].is_null());
  for (const char* bad : {"0,1", "1", "a,b", "1,1,1", "1,inf"}) {
    auto r = run(std::string("bad") + std::to_string(std::hash<std::string>{}(bad) % 1000), {"--hv-ref", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--hv-ref"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace pelnas
