// `pelnas search --evaluator CMD`: a Python evaluator (tests/fixtures/evaluator/fake_evaluator.py)
// scores the candidates over the JSON-lines protocol of docs/EVALUATOR.md. Success (the archive
// holds exactly the program's values, batches are a generation's children), each way a program can
// misbehave (exit 2 with the cause named, answers kept), and --resume after a failure giving the
// uninterrupted run's result without asking the program twice.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/csv.h"
#include "common/error.h"
#include "evaluate/accuracy_sources.h"
#include "evaluate/external_evaluator.h"
#include "test_support.h"

namespace pelnas {
namespace {

namespace fs = std::filesystem;

std::string evaluator_command() { return test::evaluator_fixture_command("fake_evaluator.py"); }

// The fake evaluator's formula (see the script).
double expected_accuracy(const std::string& arch, int index) {
  auto count = [&](const std::string& op) {
    int n = 0;
    for (auto p = arch.find(op); p != std::string::npos; p = arch.find(op, p + 1)) ++n;
    return n;
  };
  return 50 + 5 * count("nor_conv_3x3") + 2 * count("nor_conv_1x1") + (index % 7) / 10.0;
}

std::vector<std::string> search_args(const std::string& out, std::vector<std::string> extra = {}, const std::string& budget = "60") {
  std::vector<std::string> a = {"search", "--data", test::data_dir(), "--budget", budget, "--seed", "3",
                                "--evaluator", evaluator_command(), "--out", out};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

TEST(ExternalEvaluator, SearchSeesExactlyTheProgramsAnswersInBatches) {
  const std::string out = test::temp_dir("ext-ok") + "/run";
  const std::string asked = test::temp_dir("ext-ok-asked") + "/asked.txt";
  const auto r = test::run_cli(search_args(out), {"FAKE_EVALUATOR_ASKED=" + asked});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto archive = CsvTable::read(out + "/archive.csv");
  ASSERT_EQ(archive.rows(), 60u);
  for (std::size_t i = 0; i < archive.rows(); ++i)
    EXPECT_DOUBLE_EQ(archive.number(i, archive.column("seen_accuracy")),
                     expected_accuracy(std::string(archive.cell(i, archive.column("arch_str"))),
                                       static_cast<int>(archive.integer(i, archive.column("index")))));
  // Asked once each, and no more than were evaluated.
  const auto asked_archs = test::lines_of(test::read_file(asked));
  EXPECT_EQ(std::set<std::string>(asked_archs.begin(), asked_archs.end()).size(), asked_archs.size());
  EXPECT_EQ(asked_archs.size(), 60u);
  // stderr went to the run's log; the seeding (6 niches x 4 seeds) was one batch.
  const std::string log = test::read_file(out + "/evaluator.log");
  EXPECT_NE(log.find("fake evaluator started"), std::string::npos) << log;
  EXPECT_NE(log.find("batch 1 size 24\n"), std::string::npos) << log;
  EXPECT_EQ(test::lines_of(test::read_file(out + "/" + kEvaluatorResultsFile)).size(), 60u);
  const std::string config = test::read_file(out + "/config.json");
  EXPECT_NE(config.find("\"accuracy_signal\": \"external\""), std::string::npos);
  EXPECT_NE(config.find("fake_evaluator.py"), std::string::npos);
}

TEST(ExternalEvaluator, EachMisbehaviourIsNamedWithExit2AndAnswersKept) {
  struct Case {
    std::string fail, expected;
  };
  const std::vector<Case> cases = {
      {"crash:30", "closed its output (exited?) before answering batch 2"},
      {"crash:30", "the program exited with status 3"},
      {"garbage:30", "is not JSON"},
      {"garbage:30", "'epoch 1/10 loss 2.3'"},
      {"nan:30", "NaN/Infinity are not numbers in JSON"},
      {"unknown-id:30", "unknown id 987654321"},
      {"missing-id:30", "missing \"id\""},
      {"extra-field:30", "unknown field \"latency\""},
      {"range:30", "must be a percentage in [0, 100], got 140"},
      {"hang:30", "no complete answer within 5 s (--evaluator-timeout)"},
      {"error-all:30", "reported an error for the last 100 candidates in a row"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fail);
    const std::string out = test::temp_dir("ext-fail") + "/run";
    // Only the hanging program waits for the timeout; the others get plenty (python3 may start slowly on a loaded machine).
    const std::string timeout = c.fail.rfind("hang", 0) == 0 ? "5" : "120";
    const auto r = test::run_cli(search_args(out, {"--evaluator-timeout", timeout}), {"FAKE_EVALUATOR_FAIL=" + c.fail});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("pelnas search --resume"), std::string::npos) << r.err;
    // The 30 answers before the failure are kept, none lost (and the 100+ errors of error-all).
    const auto kept = test::lines_of(test::read_file(out + "/" + kEvaluatorResultsFile)).size();
    if (c.fail.rfind("error-all", 0) == 0) EXPECT_GE(kept, 130u);
    else EXPECT_EQ(kept, 30u) << r.err;
  }
}

TEST(ExternalEvaluator, ResumeAfterAFailureGivesTheUninterruptedRunAskingNothingTwice) {
  const std::string base = test::temp_dir("ext-resume");
  const auto whole = test::run_cli(search_args(base + "/whole"));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  const std::string asked = base + "/asked.txt";
  const auto failed = test::run_cli(search_args(base + "/broken"), {"FAKE_EVALUATOR_FAIL=crash:41", "FAKE_EVALUATOR_ASKED=" + asked});
  ASSERT_EQ(failed.exit_code, 2) << failed.err;
  const auto resumed = test::run_cli({"search", "--resume", base + "/broken", "--evaluator-timeout", "30"},
                                     {"FAKE_EVALUATOR_ASKED=" + asked});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(test::read_file(base + "/broken/config.json").find("\"timeout_seconds\": 30.0"), std::string::npos);
  EXPECT_EQ(test::read_file(base + "/broken/archive.csv"), test::read_file(base + "/whole/archive.csv"));
  EXPECT_EQ(test::read_file(base + "/broken/front.csv"), test::read_file(base + "/whole/front.csv"));
  // What the first process asked but never got an answer for is asked again; nothing answered is.
  const auto asked_archs = test::lines_of(test::read_file(asked));
  const auto journal = test::lines_of(test::read_file(base + "/broken/" + kEvaluatorResultsFile));
  EXPECT_EQ(journal.size(), 60u);
  std::map<std::string, int> times;
  for (const auto& a : asked_archs) ++times[a];
  int repeated = 0;
  for (const auto& [a, n] : times) repeated += n > 1;
  EXPECT_EQ(asked_archs.size(), 60u + repeated);
  EXPECT_LT(repeated, 60 - 41 + 1);  // at most the unanswered rest of the failed batch
}

TEST(ExternalEvaluator, PerCandidateErrorsDropThatCandidateOnly) {
  const std::string out = test::temp_dir("ext-err") + "/run";
  const auto r = test::run_cli(search_args(out, {}, "40"), {"FAKE_EVALUATOR_FAIL=error:30"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("failed: training diverged"), std::string::npos) << r.err;
  // The budget is spent on answered candidates only; a failed one is never in the archive.
  const auto archive = CsvTable::read(out + "/archive.csv");
  EXPECT_EQ(archive.rows(), 40u);
  std::set<std::string> archived;
  for (std::size_t i = 0; i < archive.rows(); ++i) archived.insert(std::string(archive.cell(i, archive.column("arch_str"))));
  int errors = 0;
  for (const auto& line : test::lines_of(test::read_file(out + "/" + kEvaluatorResultsFile))) {
    const auto j = nlohmann::json::parse(line);
    if (!j.contains("error")) continue;
    ++errors;
    EXPECT_EQ(j["error"], "training diverged");
    EXPECT_EQ(j["index"].get<int>() % 2, 1);
    EXPECT_FALSE(archived.count(j["arch"].get<std::string>())) << line;
  }
  EXPECT_GT(errors, 0);
}

TEST(ExternalEvaluator, BadOptionsAreRefusedBeforeAnythingRuns) {
  const std::string dir = test::temp_dir("ext-bad");
  auto r = test::run_cli({"search", "--data", test::data_dir(), "--accuracy", "external", "--out", dir + "/a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--accuracy external needs the program"), std::string::npos) << r.err;
  r = test::run_cli({"search", "--data", test::data_dir(), "--evaluator", "true", "--accuracy", "predictor", "--out", dir + "/b"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot be combined with --accuracy predictor"), std::string::npos) << r.err;
  r = test::run_cli({"search", "--data", test::data_dir(), "--evaluator", "exit 0", "--out", dir + "/c"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the program exited with status 0"), std::string::npos) << r.err;
  r = test::run_cli({"search", "--data", test::data_dir(), "--evaluator", "no-such-program-xyz", "--out", dir + "/d"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exited with status 127"), std::string::npos) << r.err;
  EXPECT_NE(test::read_file(dir + "/d/evaluator.log").find("not found"), std::string::npos);
}

TEST(ExternalEvaluator, OptionsRoundTripAndValidate) {
  ExternalEvaluatorOptions o;
  o.command = "python3 eval.py --gpu 0";
  o.working_dir = "/tmp";
  o.timeout_seconds = 12.5;
  const auto back = ExternalEvaluatorOptions::from_json(o.to_json());
  EXPECT_EQ(back.command, o.command);
  EXPECT_EQ(back.working_dir, o.working_dir);
  EXPECT_EQ(back.timeout_seconds, o.timeout_seconds);
  o.command = "  ";
  EXPECT_NE(test::error_of([&] { o.validate(); }).find("'command' is empty"), std::string::npos);
  o.command = "x";
  o.timeout_seconds = 0;
  EXPECT_NE(test::error_of([&] { o.validate(); }).find("timeout_seconds"), std::string::npos);
}

}  // namespace
}  // namespace pelnas
