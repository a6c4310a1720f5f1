#include "llm/response_cache.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "llm/chat_service.h"
#include "llm/fake_chat_server.h"
#include "test_support.h"

namespace pelnas::llm {
namespace {

using test::FakeChatServer;
using test::ScriptedReply;

ChatClientOptions opts(const std::string& base_url = "http://127.0.0.1:9/v1") {
  ChatClientOptions o;
  o.base_url = base_url;
  o.model = "m1";
  o.timeout_seconds = 0.3;
  o.max_attempts = 2;
  o.backoff_base_seconds = 0;
  o.backoff_max_seconds = 0;
  return o;
}

TEST(RequestHash, IsSha256OfTheCanonicalRequest) {
  // Independent check: SHA-256 of "abc" is the FIPS 180-2 test vector; the hash of a JSON value is
  // the hash of its compact dump.
  EXPECT_EQ(request_hash(nlohmann::json("abc")), request_hash(nlohmann::json::parse("\"abc\"")));
  const std::vector<ChatMessage> msgs = {{"user", "hello"}};
  const auto a = canonical_request(opts(), msgs);
  EXPECT_EQ(a.dump(), R"({"max_tokens":2048,"messages":[{"content":"hello","role":"user"}],"model":"m1","temperature":0.7})");
  EXPECT_EQ(request_hash(a).size(), 64u);
  EXPECT_EQ(request_hash(a), request_hash(canonical_request(opts("https://other.example/v1"), msgs)));  // URL is not part
  auto o2 = opts();
  o2.temperature = 0.2;
  EXPECT_NE(request_hash(a), request_hash(canonical_request(o2, msgs)));
  EXPECT_NE(request_hash(a), request_hash(canonical_request(opts(), {{"user", "hello!"}})));
}

TEST(RequestHash, MatchesKnownSha256Vector) {
  // sha256("\"abc\"") computed independently (Python hashlib).
  EXPECT_EQ(request_hash(nlohmann::json("abc")), "6cc43f858fbb763301637b5af970e2a46b46f461f27e5a0f41e009c59b827b25");
}

TEST(ResponseCache, RoundTripsAndPersistsAcrossReopen) {
  const std::string path = test::temp_dir("llm_cache") + "/sub/cache.sqlite";
  const auto req = canonical_request(opts(), {{"user", "q"}});
  const auto h = request_hash(req);
  {
    ResponseCache cache(path);
    EXPECT_FALSE(cache.get(h).has_value());
    ChatReply r;
    r.content = "answer with 'quotes' and \"double\" and \n newline";
    r.usage = {11, 22};
    cache.put(h, req, r);
    ChatReply other;
    other.content = "second answer";
    cache.put(h, req, other);  // first answer wins
    EXPECT_EQ(cache.size(), 1);
  }
  ResponseCache again(path);
  auto got = again.get(h);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->content, "answer with 'quotes' and \"double\" and \n newline");
  EXPECT_EQ(got->usage.prompt_tokens, 11);
  EXPECT_EQ(got->usage.completion_tokens, 22);
}

TEST(ResponseCache, NotADatabaseIsAClearError) {
  const std::string path = test::temp_dir("llm_cache_bad") + "/cache.sqlite";
  test::write_file(path, "this is not sqlite, just some text long enough to be a header..........................");
  try {
    ResponseCache c(path);
    c.size();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(ChatService, RecordsThenReplaysWithoutNetworkAndNeverStoresTheKey) {
  const std::string planted = "sk-test-PLANTED-KEY-must-not-leak-42";
  setenv(kApiKeyEnv, planted.c_str(), 1);
  const std::string dir = test::temp_dir("llm_service");
  ChatServiceOptions so;
  so.cache_path = dir + "/llm_cache.sqlite";
  so.transcript_path = dir + "/llm_transcript.jsonl";
  std::vector<std::string> recorded;
  {
    FakeChatServer server;
    server.push(ScriptedReply::ok("one", 5, 1));
    server.push(ScriptedReply::status_code(500));
    server.push(ScriptedReply::ok("two", 6, 2));
    so.client = opts(server.base_url());
    ChatService svc(so);
    recorded.push_back(svc.complete({{"user", "first"}}, {{"niche", 1}}).reply.content);
    recorded.push_back(svc.complete({{"user", "second"}}, {{"niche", 2}}).reply.content);
    auto again = svc.complete({{"user", "first"}});  // answered by the cache, no request
    EXPECT_EQ(again.source, "cache");
    EXPECT_EQ(again.reply.content, "one");
    EXPECT_EQ(server.request_count(), 3u);
    EXPECT_EQ(svc.network_calls(), 2);
    EXPECT_EQ(svc.cache_hits(), 1);
    EXPECT_EQ(server.requests()[0].authorization, "Bearer " + planted);  // the key was used...
  }
  EXPECT_EQ(recorded, (std::vector<std::string>{"one", "two"}));
  // ... replay with the server gone: same answers, and a new question is an error naming its hash.
  so.replay = true;
  ChatService replay(so);
  EXPECT_EQ(replay.client(), nullptr);
  auto r1 = replay.complete({{"user", "first"}});
  EXPECT_EQ(r1.reply.content, "one");
  EXPECT_EQ(r1.reply.usage.prompt_tokens, 5);
  EXPECT_EQ(replay.complete({{"user", "second"}}).reply.content, "two");
  const auto missing = request_hash(canonical_request(so.client, {{"user", "third"}}));
  try {
    replay.complete({{"user", "third"}});
    FAIL() << "expected a replay miss";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  // The transcript has one JSON line per exchange (3 recorded + 3 replayed incl. the miss).
  std::ifstream t(so.transcript_path);
  std::string line;
  int lines = 0, errors = 0;
  while (std::getline(t, line)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j.contains("hash"));
    EXPECT_TRUE(j.contains("request"));
    errors += j.contains("error");
    ++lines;
  }
  EXPECT_EQ(lines, 6);
  EXPECT_EQ(errors, 1);
  // The key is nowhere in the files (the SQLite file is read as bytes).
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string bytes = test::read_file(entry.path().string());
    EXPECT_EQ(bytes.find("PLANTED"), std::string::npos) << entry.path();
  }
  unsetenv(kApiKeyEnv);
}

TEST(ChatService, ReplayNeedsACache) {
  ChatServiceOptions so;
  so.client = opts();
  so.replay = true;
  EXPECT_THROW(ChatService{so}, Error);
}

}  // namespace
}  // namespace pelnas::llm
