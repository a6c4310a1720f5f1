#include "llm/chat_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <cstdlib>
#include <cmath>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "llm/fake_chat_server.h"

namespace pelnas::llm {
namespace {

using test::FakeChatServer;
using test::ScriptedReply;

// Sets (or unsets, when value is null) an environment variable for the scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

ChatClientOptions fast_options(const FakeChatServer& server) {
  ChatClientOptions o;
  o.base_url = server.base_url();
  o.model = "test-model";
  o.timeout_seconds = 0.3;
  o.max_attempts = 4;
  o.backoff_base_seconds = 0.01;
  o.backoff_max_seconds = 0.05;
  o.seed = 7;
  return o;
}

std::vector<ChatMessage> hello() { return {{"system", "be brief"}, {"user", "hello"}}; }

TEST(ChatClientOptions, ValidateNamesTheBadField) {
  ChatClientOptions o;
  o.model = "m";
  EXPECT_NO_THROW(o.validate());
  auto msg = [](ChatClientOptions x) {
    try {
      x.validate();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  ChatClientOptions a = o;
  a.base_url = "ftp://x";
  EXPECT_NE(msg(a).find("base_url"), std::string::npos);
  a = o;
  a.model = "";
  EXPECT_NE(msg(a).find("model"), std::string::npos);
  a = o;
  a.temperature = -1;
  EXPECT_NE(msg(a).find("temperature"), std::string::npos);
  a = o;
  a.max_attempts = 0;
  EXPECT_NE(msg(a).find("max_attempts"), std::string::npos);
  a = o;
  a.timeout_seconds = 0;
  EXPECT_NE(msg(a).find("timeout_seconds"), std::string::npos);
  a = o;
  a.backoff_max_seconds = 0.5;
  EXPECT_NE(msg(a).find("backoff_max_seconds"), std::string::npos);
}

TEST(ChatClient, SplitsBaseUrls) {
  EXPECT_EQ(split_base_url("https://api.openai.com/v1"), std::make_pair(std::string("https://api.openai.com"), std::string("/v1")));
  EXPECT_EQ(split_base_url("http://127.0.0.1:8080/v1/"), std::make_pair(std::string("http://127.0.0.1:8080"), std::string("/v1")));
  EXPECT_EQ(split_base_url("http://localhost:11434"), std::make_pair(std::string("http://localhost:11434"), std::string("")));
  EXPECT_THROW(split_base_url("127.0.0.1:8080/v1"), Error);
}

TEST(ChatClient, KeyFromEnvironmentPrefersPelnasVariable) {
  {
    ScopedEnv a(kApiKeyEnv, "sk-pelnas"), b(kOpenAiKeyEnv, "sk-openai");
    EXPECT_EQ(api_key_from_environment(), "sk-pelnas");
  }
  {
    ScopedEnv a(kApiKeyEnv, nullptr), b(kOpenAiKeyEnv, "sk-openai");
    EXPECT_EQ(api_key_from_environment(), "sk-openai");
  }
  ScopedEnv a(kApiKeyEnv, nullptr), b(kOpenAiKeyEnv, nullptr);
  EXPECT_FALSE(api_key_from_environment().has_value());
}

TEST(ChatClient, SendsRequestWithBearerKeyAndReadsUsage) {
  ScopedEnv key(kApiKeyEnv, "sk-test-PLANTED-0123456789");
  FakeChatServer server;
  server.push(ScriptedReply::ok("hi there", 12, 3));
  server.push(ScriptedReply::ok("again", 8, 2));
  ChatClient client(fast_options(server));
  auto r = client.complete(hello());
  EXPECT_EQ(r.content, "hi there");
  EXPECT_EQ(r.usage.prompt_tokens, 12);
  EXPECT_EQ(r.usage.completion_tokens, 3);
  EXPECT_EQ(r.attempts, 1);
  client.complete(hello());
  EXPECT_EQ(client.usage().prompt_tokens, 20);
  EXPECT_EQ(client.usage().completion_tokens, 5);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].path, "/v1/chat/completions");
  EXPECT_EQ(reqs[0].authorization, "Bearer sk-test-PLANTED-0123456789");
  EXPECT_EQ(reqs[0].body["model"], "test-model");
  EXPECT_DOUBLE_EQ(reqs[0].body["temperature"].get<double>(), 0.7);
  ASSERT_EQ(reqs[0].body["messages"].size(), 2u);
  EXPECT_EQ(reqs[0].body["messages"][1]["content"], "hello");
}

TEST(ChatClient, NoKeyNoAuthorizationHeader) {
  ScopedEnv a(kApiKeyEnv, nullptr), b(kOpenAiKeyEnv, nullptr);
  FakeChatServer server;
  server.push(ScriptedReply::ok("x"));
  ChatClient client(fast_options(server));
  client.complete(hello());
  EXPECT_EQ(server.requests().at(0).authorization, "");
}

TEST(ChatClient, HonoursRetryAfterOn429) {
  FakeChatServer server;
  server.push(ScriptedReply::status_code(429, "1"));
  server.push(ScriptedReply::ok("after rate limit"));
  ChatClient client(fast_options(server));
  std::vector<double> delays;
  client.set_sleep_function([&](double s) { delays.push_back(s); });  // record, do not wait
  auto r = client.complete(hello());
  EXPECT_EQ(r.content, "after rate limit");
  EXPECT_EQ(r.attempts, 2);
  ASSERT_EQ(delays.size(), 1u);
  EXPECT_DOUBLE_EQ(delays[0], 1.0);  // Retry-After, not the 0.01 s backoff
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ChatClient, HonoursRetryAfterGivenAsAnHttpDate) {
  // A date 30 s ahead (IMF-fixdate, whole seconds): the client waits until then, not the backoff.
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()) + 30;
  char date[64];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  FakeChatServer server;
  server.push(ScriptedReply::status_code(429, date));
  server.push(ScriptedReply::ok("after the date"));
  ChatClient client(fast_options(server));
  std::vector<double> delays;
  client.set_sleep_function([&](double s) { delays.push_back(s); });
  EXPECT_EQ(client.complete(hello()).content, "after the date");
  ASSERT_EQ(delays.size(), 1u);
  EXPECT_GT(delays[0], 25.0) << date;
  EXPECT_LE(delays[0], 30.0) << date;
}

TEST(ChatClient, RetriesServerErrorsWithJitteredBackoff) {
  FakeChatServer server;
  server.push(ScriptedReply::status_code(500));
  server.push(ScriptedReply::status_code(503));
  server.push(ScriptedReply::ok("finally"));
  auto o = fast_options(server);
  ChatClient client(o);
  std::vector<double> delays;
  client.set_sleep_function([&](double s) { delays.push_back(s); });
  auto r = client.complete(hello());
  EXPECT_EQ(r.content, "finally");
  EXPECT_EQ(r.attempts, 3);
  ASSERT_EQ(delays.size(), 2u);
  // Equal jitter: retry k waits min(max, base * 2^(k-1)) * [0.5, 1).
  EXPECT_GE(delays[0], 0.005);
  EXPECT_LT(delays[0], 0.01);
  EXPECT_GE(delays[1], 0.01);
  EXPECT_LT(delays[1], 0.02);
  // The same seed gives the same jitter: delays are reproducible.
  Rng rng(o.seed);
  EXPECT_DOUBLE_EQ(delays[0], ChatClient::backoff_delay(o, 1, rng));
  EXPECT_DOUBLE_EQ(delays[1], ChatClient::backoff_delay(o, 2, rng));
}

TEST(ChatClient, BackoffIsCappedAtMax) {
  ChatClientOptions o;
  o.backoff_base_seconds = 1;
  o.backoff_max_seconds = 4;
  Rng rng(1);
  for (int k = 1; k <= 10; ++k) {
    const double d = ChatClient::backoff_delay(o, k, rng);
    EXPECT_LE(d, 4.0);
    EXPECT_GE(d, 0.5 * std::min(4.0, std::pow(2.0, k - 1)));
  }
}

TEST(ChatClient, ParsesRetryAfterSecondsOnly) {
  EXPECT_EQ(ChatClient::parse_retry_after("3"), 3.0);
  EXPECT_EQ(ChatClient::parse_retry_after(" 0.5 "), 0.5);
  // HTTP-dates, counted from a fixed "now" (2015-10-21 07:27:00 UTC = 1445412420).
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1445412420));
  EXPECT_EQ(ChatClient::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), 60.0);   // IMF-fixdate
  EXPECT_EQ(ChatClient::parse_retry_after("Wednesday, 21-Oct-15 07:28:30 GMT", now), 90.0);  // RFC 850
  EXPECT_EQ(ChatClient::parse_retry_after("Wed Oct 21 07:29:00 2015", now), 120.0);         // asctime
  EXPECT_EQ(ChatClient::parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), 0.0);     // past: retry now
  EXPECT_FALSE(ChatClient::parse_retry_after("Wed, 21 Foo 2015 07:28:00 GMT", now).has_value());
  EXPECT_FALSE(ChatClient::parse_retry_after("Wed, 21 Oct 2015 07:28:00 PST", now).has_value());
  EXPECT_FALSE(ChatClient::parse_retry_after("Wed, 21 Oct 2015 25:28:00 GMT", now).has_value());
  EXPECT_FALSE(ChatClient::parse_retry_after("3 seconds", now).has_value());
  EXPECT_FALSE(ChatClient::parse_retry_after("-1").has_value());
  EXPECT_FALSE(ChatClient::parse_retry_after("").has_value());
}

TEST(ChatClient, RetriesAReplySlowerThanTheTimeout) {
  FakeChatServer server;
  server.push(ScriptedReply::slow(0.8, "too late"));
  server.push(ScriptedReply::ok("in time"));
  ChatClient client(fast_options(server));  // timeout 0.3 s
  const auto t0 = std::chrono::steady_clock::now();
  auto r = client.complete(hello());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.content, "in time");
  EXPECT_EQ(r.attempts, 2);
  EXPECT_LT(secs, 0.75);  // gave up on the slow reply instead of waiting for it
}

TEST(ChatClient, RetriesADroppedConnection) {
  FakeChatServer server;
  server.push(ScriptedReply::drop());
  server.push(ScriptedReply::ok("reconnected"));
  ChatClient client(fast_options(server));
  auto r = client.complete(hello());
  EXPECT_EQ(r.content, "reconnected");
  EXPECT_EQ(r.attempts, 2);
}

TEST(ChatClient, RetriesAMalformedBody) {
  FakeChatServer server;
  server.push(ScriptedReply::status_code(200, std::nullopt, "<html>proxy page</html>"));
  server.push(ScriptedReply::ok("proper"));
  ChatClient client(fast_options(server));
  EXPECT_EQ(client.complete(hello()).content, "proper");
}

TEST(ChatClient, GivesUpAfterMaxAttemptsNamingEndpointAndStatus) {
  ScopedEnv key(kApiKeyEnv, "sk-test-PLANTED-0123456789");
  FakeChatServer server;
  server.set_fallback([](const nlohmann::json&) { return ScriptedReply::status_code(503); });
  auto o = fast_options(server);
  o.max_attempts = 3;
  ChatClient client(o);
  client.set_sleep_function([](double) {});
  try {
    client.complete(hello());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(server.base_url() + "/chat/completions"), std::string::npos) << msg;
    EXPECT_NE(msg.find("HTTP 503"), std::string::npos) << msg;
    EXPECT_NE(msg.find("3 attempt"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("PLANTED"), std::string::npos) << msg;
  }
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(ChatClient, DoesNotRetryClientErrorsAndRedactsEchoedKeys) {
  ScopedEnv key(kApiKeyEnv, "sk-test-PLANTED-0123456789");
  FakeChatServer server;
  // OpenAI-style 401 that echoes the key, fully and partially.
  server.push(ScriptedReply::status_code(
      401, std::nullopt,
      R"JSON({"error":{"message":"Incorrect API key provided: sk-test-PLANTED-0123456789 (sk-tes***6789)"}})JSON"));
  ChatClient client(fast_options(server));
  try {
    client.complete(hello());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("HTTP 401"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1 attempt"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("PLANTED"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("6789"), std::string::npos) << msg;
  }
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ChatClient, ConnectionRefusedIsRetriedThenReported) {
  int port;
  {
    FakeChatServer server;  // find a free port, then close it
    port = server.port();
  }
  ChatClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  o.model = "m";
  o.timeout_seconds = 0.3;
  o.max_attempts = 2;
  ChatClient client(o);
  int sleeps = 0;
  client.set_sleep_function([&](double) { ++sleeps; });
  try {
    client.complete(hello());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("transport error"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(o.base_url), std::string::npos) << e.what();
  }
  EXPECT_EQ(sleeps, 1);
  EXPECT_EQ(client.http_attempts(), 2);
}

TEST(ChatClient, ConcurrentCallsAreIndependent) {
  FakeChatServer server;
  server.set_fallback([](const nlohmann::json& req) {
    return ScriptedReply::ok("echo:" + req["messages"][1]["content"].get<std::string>(), 1, 1);
  });
  ChatClient client(fast_options(server));
  std::vector<std::thread> threads;
  std::vector<std::string> got(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] { got[i] = client.complete({{"system", "s"}, {"user", std::to_string(i)}}).content; });
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(got[i], "echo:" + std::to_string(i));
  EXPECT_EQ(client.usage().prompt_tokens, 8);
}

}  // namespace
}  // namespace pelnas::llm
