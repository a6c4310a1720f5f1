// The llm operator fed hostile replies by a local fake server: a 20,000-deep JSON reply, a rule cut
// inside a multi-byte character, INT64_MAX token counts. Each used to crash or corrupt a run.
#include <gtest/gtest.h>

#include "common/error.h"
#include "common/utf8.h"
#include "llm/fake_chat_server.h"
#include "search/llm_operator.h"
#include "search/llm_operator_fixture.h"
#include "test_support.h"

namespace pelnas {
namespace {

using test::FakeChatServer;
using test::ScriptedReply;

using Fixture = test::LlmNicheFixture;
using test::counter;

// A reply proposing five legal, unseen children of the fixture's niche, after skipping `from`.
std::string children(const Fixture& f, std::size_t from) { return test::children_json(test::good_children(f, 5, from)); }

LlmOperatorOptions options_for(const FakeChatServer& server, const std::string& dir, bool replay = false) {
  return LlmOperatorOptions::from_json({{"base_url", server.base_url()}, {"model", "m"}, {"timeout_seconds", 5.0},
                                        {"max_attempts", 2}, {"backoff_base_seconds", 0.0}, {"backoff_max_seconds", 0.0},
                                        {"max_corrections", 2}, {"cache_path", dir + "/llm_cache.sqlite"},
                                        {"transcript_path", dir + "/llm_transcript.jsonl"}, {"replay", replay}});
}

TEST(LlmOperatorHostile, ADeeplyNestedReplyIsRejectedNotACrashAndReplays) {
  Fixture f;
  const std::string dir = test::temp_dir("llm_op_deep");
  const int n = 20000;  // ~40 KB; copying it as nlohmann::json overflowed the stack (SIGSEGV)
  const std::string deep = "{\"children\": " + std::string(n, '[') + std::string(n, ']') + "}";
  std::vector<ProposedChild> first;
  {
    FakeChatServer server;
    server.push(ScriptedReply::ok(deep));
    server.push(ScriptedReply::ok(children(f, 0)));
    LlmOperator op(options_for(server, dir));
    Rng rng(5);
    first = op.propose(f.state, rng);
    ASSERT_EQ(first.size(), 5u);
    EXPECT_EQ(counter(op.stats(), "retries"), 1);
    EXPECT_EQ(counter(op.stats(), "rejected:malformed_child") + counter(op.stats(), "rejected:not_json") +
                  counter(op.stats(), "rejected:no_children"),
              1);
  }
  // The rejected reply was processed, so it is cached, and a replay (a resumed run) goes through it again.
  FakeChatServer gone;
  gone.stop();
  LlmOperator replay(options_for(gone, dir, true));
  Rng rng(5);
  const auto again = replay.propose(f.state, rng);
  ASSERT_EQ(again.size(), first.size());
  for (std::size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].code, first[i].code);
  EXPECT_EQ(counter(replay.stats(), "cache_hits"), 2);
}

TEST(LlmOperatorHostile, ARuleCutInsideAMultibyteCharacterKeepsLaterRequestsValid) {
  Fixture f;
  const std::string dir = test::temp_dir("llm_op_utf8");
  FakeChatServer server;
  // 1 + 2 * 300 bytes: the 400-byte cut of a rule falls inside an 'é'.
  const std::string rule = "a" + [] { std::string s; for (int i = 0; i < 300; ++i) s += "\xc3\xa9"; return s; }();
  server.push(ScriptedReply::ok(nlohmann::json{{"positive", {rule}}, {"negative", {"avoid \xe2\x82\xac"}}}.dump()));
  server.push(ScriptedReply::ok(children(f, 0)));
  LlmOperator op(options_for(server, dir));
  f.state.last_children = {f.state.parents[0]};
  Rng rng(1);
  op.update_knowledge(f.state, rng);
  ASSERT_EQ(f.state.knowledge.positive.size(), 1u);
  const std::string& cut = f.state.knowledge.positive[0].text;
  EXPECT_TRUE(is_valid_utf8(cut));
  EXPECT_LE(cut.size(), 403u);
  EXPECT_EQ(cut.substr(0, 3), "a\xc3\xa9");
  // The next request carries the rule; building and hashing it used to throw json type_error.316.
  EXPECT_EQ(op.propose(f.state, rng).size(), 5u);
  EXPECT_NE(test::request_text(server.requests().at(1).body).find(cut), std::string::npos);
}

TEST(LlmOperatorHostile, TokenCountersSaturateInsteadOfOverflowing) {
  Fixture f;
  const std::string dir = test::temp_dir("llm_op_tokens");
  FakeChatServer server;
  server.push(ScriptedReply::ok(children(f, 0), INT64_MAX, INT64_MAX));
  server.push(ScriptedReply::ok(children(f, 5), INT64_MAX, 3));
  LlmOperator op(options_for(server, dir));
  Rng rng(2);
  EXPECT_EQ(op.propose(f.state, rng).size(), 5u);
  EXPECT_EQ(op.propose(f.state, rng).size(), 5u);
  EXPECT_EQ(op.stats().prompt_tokens, INT64_MAX);  // not negative
  EXPECT_EQ(op.stats().completion_tokens, INT64_MAX);
  OperatorStats total;
  total.merge(op.stats());
  total.merge(op.stats());
  EXPECT_EQ(total.prompt_tokens, INT64_MAX);
  total.add("calls", INT64_MAX);
  EXPECT_EQ(counter(total, "calls"), INT64_MAX);
}

}  // namespace
}  // namespace pelnas
