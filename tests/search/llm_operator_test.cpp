// The llm operator against the local fake OpenAI-compatible server: every scripted failure mode of a
// chat model (prose, broken JSON, illegal cells, cells outside the niche, repeats) and of an HTTP
// endpoint (429 + Retry-After, 500, slow reply, dropped connection) ends with valid children and is
// counted; a recorded run replays identically with the server gone.
#include "search/llm_operator.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "common/error.h"
#include "llm/fake_chat_server.h"
#include "search/llm_operator_fixture.h"
#include "space/nb201_space.h"
#include "test_support.h"

namespace pelnas {
namespace {

using test::FakeChatServer;
using test::ScriptedReply;

using Fixture = test::LlmNicheFixture;
using test::children_json;
using test::counter;
using test::evaluated;
using test::good_children;

LlmOperatorOptions options_for(const FakeChatServer& server, const std::string& dir = "") {
  nlohmann::json j = {{"base_url", server.base_url()}, {"model", "test-model"}, {"timeout_seconds", 0.3},
                      {"max_attempts", 4}, {"backoff_base_seconds", 0.01}, {"backoff_max_seconds", 0.02},
                      {"max_corrections", 2}};
  if (!dir.empty()) {
    j["cache_path"] = dir + "/llm_cache.sqlite";
    j["transcript_path"] = dir + "/llm_transcript.jsonl";
  }
  return LlmOperatorOptions::from_json(j);
}

TEST(LlmOperatorOptions, UnknownKeysAndBadValuesAreNamed) {
  try {
    LlmOperatorOptions::from_json({{"model", "m"}, {"temprature", 0.3}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("temprature"), std::string::npos);
  }
  try {
    LlmOperatorOptions::from_json({{"model", "m"}, {"max_tokens", "many"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("max_tokens"), std::string::npos);
  }
  // An integer beyond int is refused by name, not wrapped (4294967301 would have read as 5).
  for (const char* key : {"max_corrections", "concurrency", "max_tokens", "max_attempts", "max_seen_listed"}) {
    try {
      LlmOperatorOptions::from_json({{"model", "m"}, {key, 4294967301LL}});
      FAIL() << key;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), std::string("llm operator option ") + key + ": expected an integer that fits in an int, got 4294967301");
    }
  }
  try {
    LlmOperatorOptions::from_json({{"model", "m"}, {"seed", -1}});
    FAIL() << "seed -1";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "llm operator option seed: expected a non-negative 64-bit integer, got -1");
  }
  auto o = LlmOperatorOptions::from_json({{"model", "m"}, {"max_corrections", -1}});
  EXPECT_THROW(o.validate(), Error);
  EXPECT_FALSE(LlmOperatorOptions::from_json({{"model", "m"}}).to_json().dump().empty());
}

TEST(LlmOperator, RegisteredByName) {
  auto names = OperatorRegistry::instance().names();
  EXPECT_NE(std::find(names.begin(), names.end(), "llm"), names.end());
  FakeChatServer server;
  auto op = OperatorRegistry::instance().make("llm", {{"base_url", server.base_url()}, {"model", "m"}});
  EXPECT_EQ(op->name(), "llm");
}

TEST(LlmOperator, GoodAnswerGivesFiveChildrenInsideTheNiche) {
  Fixture f;
  FakeChatServer server;
  const auto kids = good_children(f);
  server.push(ScriptedReply::ok(children_json(kids), 321, 45));
  LlmOperator op(options_for(server));
  Rng rng(3);
  auto out = op.propose(f.state, rng);
  ASSERT_EQ(out.size(), 5u);
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].code.nb201(), kids[i]);
    EXPECT_TRUE(f.niche.contains(out[i].code));
    EXPECT_NE(out[i].rationale.find("keeps one conv3x3"), std::string::npos);
    EXPECT_TRUE(out[i].origin == "crossover" || out[i].origin == "mutation");
  }
  const auto& s = op.stats();
  EXPECT_EQ(counter(s, "calls"), 1);
  EXPECT_EQ(counter(s, "retries"), 0);
  EXPECT_EQ(counter(s, "children_accepted"), 5);
  EXPECT_EQ(s.prompt_tokens, 321);
  EXPECT_EQ(s.completion_tokens, 45);
  // The prompt carries the niche constraint, the parents and the rule base.
  const std::string prompt = test::request_text(server.requests().at(0).body);
  EXPECT_NE(prompt.find(f.niche.constraint), std::string::npos);
  EXPECT_NE(prompt.find(f.state.parents[0].arch.str()), std::string::npos);
  EXPECT_NE(prompt.find("(no rules yet)"), std::string::npos);
}

TEST(LlmOperator, CrossoverOrMutationIsDrawnFromTheRngAndStated) {
  Fixture f;
  FakeChatServer server;
  server.set_fallback([&](const nlohmann::json&) { return ScriptedReply::ok(children_json(good_children(f))); });
  LlmOperator op(options_for(server));
  int crossovers = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    Rng rng(seed), copy(seed);
    const bool expect_crossover = copy.bernoulli(0.5);
    auto out = op.propose(f.state, rng);
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out[0].origin, expect_crossover ? "crossover" : "mutation");
    const std::string prompt = test::request_text(server.requests().back().body);
    EXPECT_NE(prompt.find(std::string("Operation for this round: ") + (expect_crossover ? "crossover" : "mutation")),
              std::string::npos);
    crossovers += expect_crossover;
  }
  EXPECT_GT(crossovers, 8);  // p = 0.5 over 40 draws
  EXPECT_LT(crossovers, 32);
  EXPECT_EQ(counter(op.stats(), "crossover_calls"), crossovers);
}

TEST(LlmOperator, ProseAroundJsonIsAccepted) {
  Fixture f;
  FakeChatServer server;
  server.push(ScriptedReply::ok("Great question! Based on the rules:\n```json\n" + children_json(good_children(f)) +
                                "\n```\nThese should do well on the FPGA."));
  LlmOperator op(options_for(server));
  Rng rng(1);
  EXPECT_EQ(op.propose(f.state, rng).size(), 5u);
  EXPECT_EQ(counter(op.stats(), "retries"), 0);
}

TEST(LlmOperator, BrokenJsonGetsACorrectiveInTheSameConversation) {
  Fixture f;
  FakeChatServer server;
  server.push(ScriptedReply::ok("{\"children\": [{\"architecture_code\": \"|nor_conv_3x3~0|+"));
  server.push(ScriptedReply::ok(children_json(good_children(f))));
  LlmOperator op(options_for(server));
  Rng rng(1);
  EXPECT_EQ(op.propose(f.state, rng).size(), 5u);
  EXPECT_EQ(counter(op.stats(), "rejected:not_json"), 1);
  EXPECT_EQ(counter(op.stats(), "retries"), 1);
  EXPECT_EQ(counter(op.stats(), "calls"), 2);
  const auto second = server.requests().at(1).body["messages"];
  ASSERT_EQ(second.size(), 4u);  // system, user, the broken assistant answer, the corrective
  EXPECT_EQ(second[2]["role"], "assistant");
  EXPECT_NE(second[3]["content"].get<std::string>().find("no JSON"), std::string::npos);
}

TEST(LlmOperator, IllegalOutsideAndSeenCellsAreRejectedCountedAndCorrected) {
  Fixture f;
  FakeChatServer server;
  const auto good = good_children(f, 7);
  nlohmann::json first = {{"children",
                           {{{"architecture_code", "|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|"}},   // illegal op
                            {{"architecture_code", "|none~0|+|none~0|none~1|"}},                            // truncated
                            {{"architecture_code", Arch::from_lex_code(0).str()}},                           // no conv: outside
                            {{"architecture_code", f.state.parents[0].arch.str()}},                           // a parent: seen
                            {{"architecture_code", good[0].str()}, {"rationale", "ok"}},
                            {{"architecture_code", good[0].str()}},                                           // repeat in answer
                            {{"architecture_code", good[1].str()}},
                            {{"rationale", "forgot the code"}}}}};
  server.push(ScriptedReply::ok(first.dump()));
  server.push(ScriptedReply::ok(children_json({good[1], good[2], good[3], good[4]})));  // good[1] repeats
  LlmOperator op(options_for(server));
  Rng rng(2);
  auto out = op.propose(f.state, rng);
  ASSERT_EQ(out.size(), 5u);
  std::set<Arch> distinct;
  for (const auto& c : out) {
    EXPECT_TRUE(f.niche.contains(c.code));
    EXPECT_FALSE(f.evaluated_set.count(c.code.nb201()));
    distinct.insert(c.code.nb201());
  }
  EXPECT_EQ(distinct.size(), 5u);
  const auto& s = op.stats();
  EXPECT_EQ(counter(s, "rejected:illegal_cell"), 2);
  EXPECT_EQ(counter(s, "rejected:outside_niche"), 1);
  EXPECT_EQ(counter(s, "rejected:seen"), 3);  // the parent, the in-answer repeat, good[1] again
  EXPECT_EQ(counter(s, "rejected:malformed_child"), 1);
  EXPECT_EQ(counter(s, "retries"), 1);
  EXPECT_EQ(counter(s, "children_accepted"), 5);
  const std::string corrective = server.requests().at(1).body["messages"][3]["content"];
  EXPECT_NE(corrective.find("outside the niche"), std::string::npos);
  EXPECT_NE(corrective.find("not a legal cell"), std::string::npos);
  EXPECT_NE(corrective.find("already evaluated"), std::string::npos);
  EXPECT_NE(corrective.find("Give 3 more"), std::string::npos);
}

TEST(LlmOperator, CorrectionsAreBounded) {
  Fixture f;
  FakeChatServer server;
  server.set_fallback([](const nlohmann::json&) { return ScriptedReply::ok("I cannot answer in JSON, sorry."); });
  LlmOperator op(options_for(server));  // max_corrections 2
  Rng rng(2);
  EXPECT_TRUE(op.propose(f.state, rng).empty());
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(counter(op.stats(), "rejected:not_json"), 3);
  EXPECT_EQ(counter(op.stats(), "retries"), 2);
  EXPECT_EQ(counter(op.stats(), "propose_short"), 1);
}

TEST(LlmOperator, HttpFailuresAreRetriedAndCounted) {
  Fixture f;
  FakeChatServer server;
  server.push(ScriptedReply::status_code(429, "0"));
  server.push(ScriptedReply::status_code(500));
  server.push(ScriptedReply::slow(0.6, "late"));
  server.push(ScriptedReply::drop());
  server.push(ScriptedReply::ok(children_json(good_children(f))));
  LlmOperator op(options_for(server));  // 4 attempts per request
  op.chat().client()->set_sleep_function([](double) {});
  Rng rng(1);
  // Attempts 1-4 fail (429, 500, timeout, drop): the request fails with a clear error...
  try {
    op.propose(f.state, rng);
    FAIL() << "expected the endpoint error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(server.base_url()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("transport error"), std::string::npos) << e.what();
  }
  EXPECT_EQ(counter(op.stats(), "errors"), 1);
  // ... and the next call succeeds on the first attempt.
  EXPECT_EQ(op.propose(f.state, rng).size(), 5u);
}

TEST(LlmOperator, TransientHttpFailuresInsideTheAttemptBudgetAreInvisible) {
  Fixture f;
  FakeChatServer server;
  server.push(ScriptedReply::status_code(429, "0"));
  server.push(ScriptedReply::slow(0.6, "late"));
  server.push(ScriptedReply::drop());
  server.push(ScriptedReply::ok(children_json(good_children(f))));
  LlmOperator op(options_for(server));
  Rng rng(1);
  EXPECT_EQ(op.propose(f.state, rng).size(), 5u);
  EXPECT_EQ(counter(op.stats(), "http_retries"), 3);
  EXPECT_EQ(counter(op.stats(), "calls"), 1);
}

TEST(LlmOperator, UpdateKnowledgeParsesRulesWithEvidence) {
  Fixture f;
  f.state.last_children = {evaluated(good_children(f)[0]), evaluated(good_children(f)[1])};
  f.state.last_rationales = {"first rationale", ""};
  FakeChatServer server;
  const std::string ev = f.state.last_children[0].arch.str();
  server.push(ScriptedReply::ok("Here are the rules: " +
                                nlohmann::json{{"positive", {{{"rule", "put nor_conv_3x3 on edge 3<-0"}, {"evidence", {ev}}}, "use skip on 3<-2"}},
                                               {"negative", {{{"text", "avoid none on 1<-0"}}}}}
                                    .dump()));
  LlmOperator op(options_for(server));
  Rng rng(1);
  op.update_knowledge(f.state, rng);
  ASSERT_EQ(f.state.knowledge.positive.size(), 2u);
  ASSERT_EQ(f.state.knowledge.negative.size(), 1u);
  EXPECT_EQ(f.state.knowledge.positive[0].text, "put nor_conv_3x3 on edge 3<-0");
  EXPECT_EQ(f.state.knowledge.positive[0].evidence, std::vector<std::string>{ev});
  EXPECT_EQ(f.state.knowledge.positive[0].round, 1);
  // Without cited evidence the rule is backed by the round's children.
  EXPECT_EQ(f.state.knowledge.positive[1].evidence.size(), 2u);
  EXPECT_EQ(f.state.knowledge.negative[0].text, "avoid none on 1<-0");
  EXPECT_EQ(counter(op.stats(), "knowledge_updates"), 1);
  const std::string prompt = test::request_text(server.requests().at(0).body);
  EXPECT_NE(prompt.find("first rationale"), std::string::npos);
  EXPECT_NE(prompt.find(ev), std::string::npos);

  // The next proposal prompt renders the new rules.
  server.push(ScriptedReply::ok(children_json(good_children(f))));
  op.propose(f.state, rng);
  EXPECT_NE(test::request_text(server.requests().at(1).body).find("put nor_conv_3x3 on edge 3<-0"), std::string::npos);
}

TEST(LlmOperator, FailedUpdateKeepsTheOldRules) {
  Fixture f;
  f.state.last_children = {evaluated(good_children(f)[0])};
  f.state.knowledge.positive.push_back({"old rule", {"x"}, 0});
  FakeChatServer server;
  server.push(ScriptedReply::ok("no json"));
  server.push(ScriptedReply::ok(R"({"positive": "not a list"})"));
  server.push(ScriptedReply::ok(R"({"something": []})"));
  LlmOperator op(options_for(server));
  Rng rng(1);
  op.update_knowledge(f.state, rng);
  ASSERT_EQ(f.state.knowledge.positive.size(), 1u);
  EXPECT_EQ(f.state.knowledge.positive[0].text, "old rule");
  EXPECT_EQ(counter(op.stats(), "update_failed"), 1);
  EXPECT_EQ(counter(op.stats(), "rejected:not_json"), 1);
  EXPECT_EQ(counter(op.stats(), "rejected:bad_rules"), 2);
}

TEST(LlmOperator, UpdateWithoutChildrenMakesNoCall) {
  Fixture f;
  FakeChatServer server;
  LlmOperator op(options_for(server));
  Rng rng(1);
  op.update_knowledge(f.state, rng);
  EXPECT_EQ(server.request_count(), 0u);
  EXPECT_EQ(counter(op.stats(), "update_skipped"), 1);
}

// A deterministic stand-in for a chat model: rules for update prompts; for proposal prompts the
// first cells of the prompt's niche that the prompt does not list and it has not given before.
std::function<ScriptedReply(const nlohmann::json&)> oracle_model() {
  auto given = std::make_shared<std::set<Arch>>();
  auto mutex = std::make_shared<std::mutex>();
  return [given, mutex](const nlohmann::json& req) {
    const std::string text = test::request_text(req);
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("Niche \"conv3x3=([0-9])\""))) return ScriptedReply::ok("?");
    const int k = std::stoi(m[1]);
    if (text.find("Task: revise") != std::string::npos)
      return ScriptedReply::ok(R"({"positive": ["keep conv3x3 count at )" + std::to_string(k) + R"("], "negative": []})", 50, 10);
    std::lock_guard lock(*mutex);
    std::vector<Arch> kids;
    for (int code = 0; code < kNumArchs && kids.size() < 5; ++code) {
      Arch a = Arch::from_lex_code(code);
      if (a.count(Op::Conv3x3) == k && !given->count(a) && text.find(a.str()) == std::string::npos) kids.push_back(a);
    }
    for (const auto& a : kids) given->insert(a);
    return ScriptedReply::ok(children_json(kids), 200, 40);
  };
}

TEST(LlmOperator, NichesRunConcurrentlyWithMergedStats) {
  std::vector<std::unique_ptr<Fixture>> fs;
  for (int k = 0; k <= 5; ++k) fs.push_back(std::make_unique<Fixture>(k));
  FakeChatServer server;
  server.set_fallback(oracle_model());
  auto o = options_for(server);
  o.chat.client.timeout_seconds = 2;  // six connections at once on a shared machine
  LlmOperator op(o);
  EXPECT_GE(op.preferred_concurrency(), 6);
  std::vector<std::vector<ProposedChild>> out(fs.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < fs.size(); ++i)
    threads.emplace_back([&, i] {
      Rng rng = Rng(9).split(i);
      out[i] = op.propose(fs[i]->state, rng);
    });
  for (auto& t : threads) t.join();
  std::int64_t total = 0;
  for (std::size_t i = 0; i < fs.size(); ++i) {
    total += static_cast<std::int64_t>(out[i].size());
    for (const auto& c : out[i]) EXPECT_TRUE(fs[i]->niche.contains(c.code));
  }
  EXPECT_EQ(counter(op.stats(), "children_accepted"), total);
  // Every request the server saw is a counted call or a counted HTTP retry (a loaded machine may time out).
  EXPECT_EQ(counter(op.stats(), "calls") + counter(op.stats(), "http_retries"), static_cast<std::int64_t>(server.request_count()));
  EXPECT_EQ(op.stats().prompt_tokens, 200 * counter(op.stats(), "calls"));
}

// Record three generations of one niche, then replay them with the server gone: same children,
// same rule bases, same token counts; the transcript and cache never contain the planted key.
TEST(LlmOperator, RecordedRunReplaysIdenticallyWithoutNetwork) {
  const std::string planted = "sk-test-PLANTED-operator-key-777";
  setenv(llm::kApiKeyEnv, planted.c_str(), 1);
  const std::string dir = test::temp_dir("llm_replay");
  auto run = [&](LlmOperator& op) {
    Fixture f(2);
    std::vector<std::string> trace;
    Rng rng(5);
    for (int g = 1; g <= 3; ++g) {
      f.state.generation = g;
      op.update_knowledge(f.state, rng);
      auto kids = op.propose(f.state, rng);
      f.state.last_children.clear();
      f.state.last_rationales.clear();
      for (const auto& k : kids) {
        trace.push_back(k.code.nb201().str() + " " + k.origin + " " + k.rationale);
        f.evaluated_set.insert(k.code.nb201());
        f.state.history.push_back(evaluated(k.code.nb201()));
        f.state.last_children.push_back(evaluated(k.code.nb201()));
        f.state.last_rationales.push_back(k.rationale);
      }
      trace.push_back(f.state.knowledge.to_json().dump());
    }
    return trace;
  };
  std::vector<std::string> recorded;
  OperatorStats recorded_stats;
  {
    FakeChatServer server;
    server.push(ScriptedReply::ok("not json at all"));  // one corrective in the recording
    server.set_fallback(oracle_model());
    LlmOperator op(options_for(server, dir));
    recorded = run(op);
    recorded_stats = op.stats();
    EXPECT_EQ(server.requests().at(0).authorization, "Bearer " + planted);
  }
  ASSERT_GE(recorded.size(), 10u);
  auto opts = options_for(FakeChatServer(), dir);  // a server that is stopped at once
  opts.chat.replay = true;
  LlmOperator replay(opts);
  EXPECT_EQ(run(replay), recorded);
  EXPECT_EQ(replay.stats().prompt_tokens, recorded_stats.prompt_tokens);
  EXPECT_EQ(counter(replay.stats(), "calls"), counter(recorded_stats, "calls"));
  EXPECT_EQ(counter(replay.stats(), "rejected:not_json"), 1);
  EXPECT_EQ(counter(replay.stats(), "cache_hits"), counter(recorded_stats, "calls"));
  for (const char* file : {"/llm_cache.sqlite", "/llm_transcript.jsonl"}) {
    const std::string bytes = test::read_file(dir + file);
    EXPECT_FALSE(bytes.empty()) << file;
    EXPECT_EQ(bytes.find("PLANTED"), std::string::npos) << file;
  }
  unsetenv(llm::kApiKeyEnv);
}

}  // namespace
}  // namespace pelnas
