// A whole `pelnas search --operator llm` run against the local fake OpenAI-compatible server, with
// every failure mode of model and endpoint scripted in, then the same run replayed from its response
// cache with the server gone: the archive must be correct, identical on replay, and the counts must
// say what happened. The planted API key must appear in no file of the run and in no log line.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

#include "llm/fake_chat_server.h"
#include "space/arch.h"
#include "test_support.h"

namespace pelnas {
namespace {

using test::FakeChatServer;
using test::ScriptedReply;

const std::regex kArchRe(R"(\|[a-z_0-9]+~0\|\+\|[a-z_0-9]+~0\|[a-z_0-9]+~1\|\+\|[a-z_0-9]+~0\|[a-z_0-9]+~1\|[a-z_0-9]+~2\|)");

// Niche membership from the conv3x3 partition's niche name in the prompt ("conv3x3=K" / "conv3x3>=K").
std::function<bool(const Arch&)> niche_from_prompt(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"RE(Niche "conv3x3(=|>=)([0-9])")RE"))) return nullptr;
  const int k = std::stoi(m[2]);
  if (m[1] == "=") return [k](const Arch& a) { return a.count(Op::Conv3x3) == k; };
  return [k](const Arch& a) { return a.count(Op::Conv3x3) >= k; };
}

// A deterministic stand-in for a chat model. Proposal call 1 mixes an illegal cell, a cell outside
// the niche and a repeated parent into prose around JSON; proposal call 2 is broken JSON.
std::function<ScriptedReply(const nlohmann::json&)> scripted_model() {
  struct State {
    std::mutex mutex;
    std::set<Arch> given;
    int proposals = 0;
  };
  auto st = std::make_shared<State>();
  return [st](const nlohmann::json& req) {
    const std::string text = test::request_text(req);
    auto in_niche = niche_from_prompt(text);
    if (!in_niche) return ScriptedReply::ok("I do not understand the niche.");
    if (text.find("Task: revise") != std::string::npos)
      return ScriptedReply::ok(R"({"positive": [{"rule": "keep nor_conv_3x3 on edge 3<-0", "evidence": []}], "negative": ["avoid none on edge 1<-0"]})",
                               150, 30);
    std::lock_guard lock(st->mutex);
    const int call = ++st->proposals;
    if (call == 2) return ScriptedReply::ok("{\"children\": [{\"architecture_code\": ", 150, 5);
    nlohmann::json kids = nlohmann::json::array();
    if (call == 1) {
      kids.push_back({{"architecture_code", "|conv_7x7~0|+|none~0|none~1|+|none~0|none~1|none~2|"}, {"rationale", "illegal"}});
      for (int code = 0; code < kNumArchs; ++code)
        if (!in_niche(Arch::from_lex_code(code))) {
          kids.push_back({{"architecture_code", Arch::from_lex_code(code).str()}, {"rationale", "outside"}});
          break;
        }
      const auto parents_at = text.find("Pareto parents");
      std::smatch m;
      const std::string tail = text.substr(parents_at == std::string::npos ? 0 : parents_at);
      if (std::regex_search(tail, m, kArchRe)) kids.push_back({{"architecture_code", m.str()}, {"rationale", "repeat"}});
    }
    for (int code = 0; code < kNumArchs && kids.size() < 5 + (call == 1 ? 3u : 0u); ++code) {
      const Arch a = Arch::from_lex_code(code);
      if (in_niche(a) && !st->given.count(a) && text.find(a.str()) == std::string::npos) {
        st->given.insert(a);
        kids.push_back({{"architecture_code", a.str()}, {"rationale", "one edge from a parent, following rule 1"}});
      }
    }
    const std::string json = nlohmann::json{{"children", kids}}.dump();
    return ScriptedReply::ok(call % 3 == 1 ? "Here are my proposals.\n```json\n" + json + "\n```\nGood luck!" : json, 200, 60);
  };
}

std::vector<std::string> search_args(const std::string& out) {
  return {"search", "--dataset", "cifar10", "--device", "fpga", "--partition", "conv3x3", "--generations", "2",
          "--seed", "11", "--operator", "llm", "--llm-model", "test-model", "--llm-timeout", "3",
          "--operator-options", R"({"backoff_base_seconds": 0.01, "backoff_max_seconds": 0.05, "max_attempts": 7})",
          "--out", out, "--json"};
}

std::int64_t counter(const nlohmann::json& stats, const std::string& key) {
  const auto& c = stats.at("operator_stats");
  const auto& counters = c.contains("counters") ? c.at("counters") : c;
  return counters.contains(key) ? counters.at(key).get<std::int64_t>() : 0;
}

TEST(LlmSearchCli, FinishesWithACorrectArchiveThroughEveryFailureAndReplaysIdentically) {
  const std::string planted = "sk-test-PLANTED-cli-key-31337";
  const std::string root = test::temp_dir("llm_cli");
  const std::string rec = root + "/recorded", rep = root + "/replayed";
  test::CliResult recorded;
  {
    FakeChatServer server;
    server.push(ScriptedReply::status_code(429, "0"));
    server.push(ScriptedReply::status_code(500));
    server.push(ScriptedReply::slow(4.0, "too late"));
    server.push(ScriptedReply::drop());
    server.set_fallback(scripted_model());
    auto args = search_args(rec);
    args.insert(args.end(), {"--llm-base-url", server.base_url(), "--llm-concurrency", "1"});
    recorded = test::run_cli(args, {"PELNAS_LLM_API_KEY=" + planted});
    ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
    ASSERT_FALSE(server.requests().empty());
    EXPECT_EQ(server.requests()[0].authorization, "Bearer " + planted);
  }
  const auto summary = nlohmann::json::parse(recorded.out);
  EXPECT_TRUE(summary.at("finished").get<bool>());
  EXPECT_GT(summary.at("front_size").get<int>(), 0);

  // Every failure mode was met and counted.
  const auto stats = nlohmann::json::parse(test::read_file(rec + "/stats.json"));
  EXPECT_GE(counter(stats, "http_retries"), 4);  // 429, 500, slow reply, dropped connection
  EXPECT_GE(counter(stats, "rejected:illegal_cell"), 1);
  EXPECT_GE(counter(stats, "rejected:outside_niche"), 1);
  EXPECT_GE(counter(stats, "rejected:seen"), 1);
  EXPECT_GE(counter(stats, "rejected:not_json"), 1);
  EXPECT_GE(counter(stats, "retries"), 1);  // the broken JSON (call 1 had 5 valid children besides the bad ones)
  EXPECT_GT(stats.at("llm").at("calls").get<int>(), 12);
  EXPECT_GT(stats.at("llm").at("prompt_tokens").get<int>(), 0);
  EXPECT_GT(stats.at("llm").at("completion_tokens").get<int>(), 0);

  // The archive: unique legal cells, each inside the niche it is filed under.
  std::istringstream csv(test::read_file(rec + "/archive.csv"));
  std::string line;
  std::getline(csv, line);
  std::vector<std::string> header;
  for (std::stringstream hs(line); std::getline(hs, line, ',');) header.push_back(line);
  const auto col = [&](const std::string& name) { return std::find(header.begin(), header.end(), name) - header.begin(); };
  ASSERT_LT(col("arch_str"), static_cast<long>(header.size()));
  ASSERT_LT(col("niche"), static_cast<long>(header.size()));
  std::set<Arch> seen;
  int rows = 0;
  while (std::getline(csv, line)) {
    std::vector<std::string> cells;
    for (std::stringstream ls(line); std::getline(ls, line, ',');) cells.push_back(line);
    const Arch a = Arch::parse(cells.at(col("arch_str")));
    const int niche = std::stoi(cells.at(col("niche")));
    EXPECT_TRUE(seen.insert(a).second) << a.str();
    EXPECT_EQ(std::min(a.count(Op::Conv3x3), 5), niche) << a.str();
    ++rows;
  }
  EXPECT_EQ(rows, summary.at("evaluations").get<int>());
  EXPECT_GT(rows, 6 * 4);  // more than the seeds: the model's children were evaluated

  // The key is in no file of the run and in no log line.
  EXPECT_EQ(recorded.err.find("PLANTED"), std::string::npos);
  EXPECT_EQ(recorded.out.find("PLANTED"), std::string::npos);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(rec)) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(test::read_file(entry.path().string()).find("PLANTED"), std::string::npos) << entry.path();
  }
  EXPECT_TRUE(std::filesystem::exists(rec + "/llm_transcript.jsonl"));
  EXPECT_TRUE(std::filesystem::exists(rec + "/llm_cache.sqlite"));

  // Replay with the server gone (and a different concurrency): the same run, bit for bit.
  auto args = search_args(rep);
  args.insert(args.end(), {"--llm-base-url", "http://127.0.0.1:9/v1", "--llm-replay", "--llm-cache",
                           rec + "/llm_cache.sqlite", "--llm-concurrency", "4"});
  const auto replayed = test::run_cli(args);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  auto a = summary, b = nlohmann::json::parse(replayed.out);
  for (auto* j : {&a, &b}) {
    j->erase("run_dir");
    j->erase("wall_seconds");
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(test::read_file(rec + "/archive.csv"), test::read_file(rep + "/archive.csv"));
  EXPECT_EQ(test::read_file(rec + "/front.csv"), test::read_file(rep + "/front.csv"));
  const auto rstats = nlohmann::json::parse(test::read_file(rep + "/stats.json"));
  EXPECT_EQ(rstats.at("llm"), stats.at("llm"));
  EXPECT_EQ(counter(rstats, "cache_hits"), stats.at("llm").at("calls").get<std::int64_t>());
}

TEST(LlmSearchCli, ReplayWithoutACacheIsAClearError) {
  const std::string root = test::temp_dir("llm_cli_nocache");
  auto args = search_args(root + "/run");
  args.push_back("--llm-replay");
  const auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--llm-cache"), std::string::npos) << r.err;
}

TEST(LlmSearchCli, UnreachableEndpointFailsNamingIt) {
  const std::string root = test::temp_dir("llm_cli_down");
  auto args = search_args(root + "/run");
  const auto at = std::find(args.begin(), args.end(), "--operator-options") - args.begin();
  args[static_cast<std::size_t>(at) + 1] = R"({"backoff_base_seconds": 0.01, "backoff_max_seconds": 0.02, "max_attempts": 2})";
  args.insert(args.end(), {"--llm-base-url", "http://127.0.0.1:9/v1"});
  const auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("http://127.0.0.1:9/v1/chat/completions"), std::string::npos) << r.err;
}

// The paper's method in a bench table: `pelnas bench` runs the llm operator with one response cache
// for the grid (OUT/llm_cache.sqlite), and a replay from that cache with no model reachable gives
// the same grid.
TEST(LlmBenchCli, GridWithTheLlmOperatorRecordsAndReplaysIdentically) {
  const std::string root = test::temp_dir("llm_bench");
  const std::vector<std::string> grid = {"bench", "--algos", "pelnas:operator=llm:partition=conv3x3:generations=1,random",
                                         "--devices", "fpga", "--seeds", "2", "--budget", "40", "--threads", "1",
                                         "--llm-model", "test-model", "--data=" + test::data_dir()};
  {
    FakeChatServer server;
    server.set_fallback(scripted_model());
    auto args = grid;
    args.insert(args.end(), {"--llm-base-url", server.base_url(), "--out", root + "/rec"});
    const auto r = test::run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GT(server.request_count(), 0u);
  }
  ASSERT_TRUE(std::filesystem::exists(root + "/rec/llm_cache.sqlite"));
  auto args = grid;
  args.insert(args.end(), {"--llm-base-url", "http://127.0.0.1:9/v1", "--llm-replay", "--llm-cache",
                           root + "/rec/llm_cache.sqlite", "--out", root + "/rep"});
  const auto r = test::run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_file(root + "/rec/archives.csv"), test::read_file(root + "/rep/archives.csv"));
  EXPECT_EQ(test::read_file(root + "/rec/curves.csv"), test::read_file(root + "/rep/curves.csv"));
  const std::string archives = test::read_file(root + "/rec/archives.csv");
  EXPECT_NE(archives.find(",pelnas:operator=llm:partition=conv3x3:generations=1,"), std::string::npos);
  // --llm-* without an llm entry is a mistake worth naming.
  const auto bad = test::run_cli({"bench", "--algos", "random", "--llm-replay", "--seeds", "1", "--data=" + test::data_dir()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("no algorithm uses the llm operator"), std::string::npos) << bad.err;
}

// A grid with an llm entry that fails any check (device, budget, algorithm) leaves no --out
// directory behind (its response cache is opened only once every check passed), so the corrected
// command runs into a new directory.
TEST(LlmBenchCli, AFailedStartWithAnLlmEntryLeavesNothing) {
  const std::string root = test::temp_dir("llm_bench_failed");
  const std::vector<std::string> base = {"bench", "--seeds", "1", "--threads", "1", "--llm-model", "test-model",
                                         "--llm-base-url", "http://127.0.0.1:9/v1", "--data=" + test::data_dir()};
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--algos", "pelnas:operator=llm,random", "--devices", "fgpa", "--budget", "40"}, "unknown device 'fgpa'"},
      {{"--algos", "pelnas:operator=llm", "--devices", "fpga", "--budget", "99999"}, "--budget"},
      {{"--algos", "pelnas:operator=llm,nosuchalgo", "--devices", "fpga", "--budget", "40"}, "nosuchalgo"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string out = root + "/grid" + std::to_string(i);
    auto args = base;
    args.insert(args.end(), cases[i].args.begin(), cases[i].args.end());
    args.insert(args.end(), {"--out", out});
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(cases[i].says), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << "a failed start must leave nothing: " << out;
  }
}

}  // namespace
}  // namespace pelnas
