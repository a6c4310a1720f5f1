// Hostile replies and endpoints, all served from 127.0.0.1: deeply nested or bracket-flooded JSON,
// invalid UTF-8 in cached replies, absurd token counts, a server dripping a byte at a time (in the
// body and in the status line), oversized replies, and an API key that must not travel in clear text.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "common/utf8.h"
#include "llm/chat_service.h"
#include "llm/fake_chat_server.h"
#include "llm/json_extract.h"
#include "test_support.h"

namespace pelnas::llm {
namespace {

using test::FakeChatServer;
using test::ScriptedReply;

ChatClientOptions client_for(const std::string& base_url, double timeout = 2.0) {
  ChatClientOptions o;
  o.base_url = base_url;
  o.model = "m1";
  o.timeout_seconds = timeout;
  o.max_attempts = 1;
  o.backoff_base_seconds = 0;
  o.backoff_max_seconds = 0;
  return o;
}

// Depth of a JSON value, walked iteratively (the value may be deep).
std::size_t depth_of(const nlohmann::json& j) {
  std::size_t best = 0;
  std::vector<std::pair<const nlohmann::json*, std::size_t>> todo{{&j, 1}};
  while (!todo.empty()) {
    auto [v, d] = todo.back();
    todo.pop_back();
    if (!v->is_structured()) continue;
    best = std::max(best, d);
    for (const auto& c : *v) todo.push_back({&c, d + 1});
  }
  return best;
}

// A scoped environment variable.
struct Env {
  std::string name;
  Env(std::string n, const std::string& value) : name(std::move(n)) { setenv(name.c_str(), value.c_str(), 1); }
  ~Env() { unsetenv(name.c_str()); }
};

TEST(HostileJson, DeepNestingIsNeverReturned) {
  const int n = 20000;
  const std::string deep = "{\"children\": " + std::string(n, '[') + std::string(n, ']') + "}";
  const auto j = extract_json(deep);
  if (j) { EXPECT_LE(depth_of(*j), static_cast<std::size_t>(kMaxJsonDepth)); }
  // Exactly at the limit still parses; one more level does not.
  const std::string at = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  ASSERT_TRUE(extract_json(at).has_value());
  EXPECT_EQ(depth_of(*extract_json(at)), static_cast<std::size_t>(kMaxJsonDepth));
  const std::string over = "{\"a\": " + at + "}";
  const auto inner = extract_json(over);  // the whole value is too deep; its 32-deep part is found
  ASSERT_TRUE(inner.has_value());
  EXPECT_TRUE(inner->is_array());
}

TEST(HostileJson, BracketFloodsHaveNoAnswer) {
  // 80 KB of '[' (quadratic before: 4.9 s; bench/json_extract_bench.cpp measures the scaling).
  EXPECT_FALSE(extract_json(std::string(80000, '[')).has_value());
  // 40,000 nested braces: only the innermost {} is shallow enough and valid.
  EXPECT_EQ(extract_json(std::string(40000, '{') + std::string(40000, '}')), nlohmann::json::object());
  EXPECT_FALSE(extract_json(std::string(40000, '"')).has_value());
  // A flood before a real answer does not hide it.
  EXPECT_EQ(extract_json(std::string(20000, '[') + " {\"a\": 1}")->at("a"), 1);
  // An unterminated quote inside prose brackets does not hide a later answer.
  EXPECT_EQ(extract_json("[see \"note] then {\"ok\": true}")->at("ok"), true);
}

TEST(HostileReplies, AReplyTheCallerCannotUseIsNotCached) {
  FakeChatServer server;
  server.push(ScriptedReply::ok("first"));
  server.push(ScriptedReply::ok("second"));
  const std::string dir = test::temp_dir("hostile_nocache");
  ChatServiceOptions o;
  o.client = client_for(server.base_url());
  o.cache_path = dir + "/cache.sqlite";
  o.transcript_path = dir + "/transcript.jsonl";
  ChatService chat(o);
  const std::vector<ChatMessage> msgs = {{"user", "q"}};
  EXPECT_THROW(chat.complete(msgs, {}, [](const ChatResult&) { throw Error("cannot use this reply"); }), Error);
  EXPECT_EQ(ResponseCache(o.cache_path).size(), 0);
  // The transcript says why; the next attempt goes to the network again and is cached.
  EXPECT_NE(test::read_file(o.transcript_path).find("could not be used (not cached): cannot use this reply"), std::string::npos);
  const auto r = chat.complete(msgs, {}, [](const ChatResult&) {});
  EXPECT_EQ(r.reply.content, "second");
  EXPECT_EQ(r.source, "network");
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(ResponseCache(o.cache_path).size(), 1);
}

TEST(HostileReplies, InvalidUtf8AndAbsurdCountsInACachedReplyAreRepaired) {
  const std::string dir = test::temp_dir("hostile_cache_utf8");
  ChatServiceOptions o;
  o.client = client_for("http://127.0.0.1:9/v1");
  o.cache_path = dir + "/cache.sqlite";
  o.transcript_path = dir + "/transcript.jsonl";
  o.replay = true;
  const std::vector<ChatMessage> msgs = {{"user", "q"}};
  const auto req = canonical_request(o.client, msgs);
  {
    ResponseCache cache(o.cache_path);
    ChatReply bad;
    bad.content = "rule \xc3 cut and \xff\xfe junk";
    bad.usage = {INT64_MAX, -5};
    cache.put(request_hash(req), req, bad);
  }
  ChatService chat(o);
  const auto r = chat.complete(msgs);
  EXPECT_TRUE(is_valid_utf8(r.reply.content));
  EXPECT_EQ(r.reply.content, "rule \xef\xbf\xbd cut and \xef\xbf\xbd\xef\xbf\xbd junk");
  EXPECT_EQ(r.reply.usage.prompt_tokens, INT64_MAX);
  EXPECT_EQ(r.reply.usage.completion_tokens, 0);
  // The transcript line was written and is JSON.
  const auto line = nlohmann::json::parse(test::read_file(o.transcript_path));
  EXPECT_EQ(line.at("source"), "cache");
  // A follow-up request quoting the reply hashes fine.
  EXPECT_EQ(request_hash(canonical_request(o.client, {{"assistant", r.reply.content}})).size(), 64u);
}

TEST(HostileReplies, TokenCountsSaturate) {
  FakeChatServer server;
  server.push(ScriptedReply::ok("a", INT64_MAX, INT64_MAX));
  server.push(ScriptedReply::ok("b", INT64_MAX, 1));
  server.push(ScriptedReply::ok("c", -7, -7));
  ChatClient client(client_for(server.base_url()));
  EXPECT_EQ(client.complete({{"user", "1"}}).usage.prompt_tokens, INT64_MAX);
  client.complete({{"user", "2"}});
  const auto r = client.complete({{"user", "3"}});
  EXPECT_EQ(r.usage.prompt_tokens, 0);  // negative counts are not usage
  EXPECT_EQ(client.usage().prompt_tokens, INT64_MAX);
  EXPECT_EQ(client.usage().completion_tokens, INT64_MAX);
}

TEST(HostileEndpoints, ADrippingBodyCannotHoldAnAttemptPastTheDeadline) {
  FakeChatServer server;
  server.push(ScriptedReply::drip(0.2, "a reply that arrives one byte every 0.2 s"));
  ChatClient client(client_for(server.base_url(), 1.0));
  const auto t0 = std::chrono::steady_clock::now();
  const std::string msg = test::error_of([&] { client.complete({{"user", "q"}}); });
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(msg.find("attempt deadline of 1 s (--llm-timeout)"), std::string::npos) << msg;
  // The body is ~300 bytes (a minute at this rate); the attempt ends at its 1 s deadline. The
  // bound is loose because the machine may be loaded; per-read timeouts never fired here at all.
  EXPECT_LT(took, 8.0);
  server.stop();
}

// A raw TCP server on 127.0.0.1 that accepts one connection and writes an HTTP status line one byte
// every 0.2 s (httplib's server cannot drip its headers).
class HeaderDripServer {
 public:
  HeaderDripServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 4) != 0) throw std::runtime_error("bind");
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + std::string(2000, 'x');
      for (char ch : head) {
        if (stop_ || send(c, &ch, 1, MSG_NOSIGNAL) != 1) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      close(c);
    });
  }
  ~HeaderDripServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

 private:
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(HostileEndpoints, ADrippingStatusLineCannotHoldAnAttemptPastTheDeadline) {
  HeaderDripServer server;
  ChatClient client(client_for(server.base_url(), 1.0));
  const auto t0 = std::chrono::steady_clock::now();
  const std::string msg = test::error_of([&] { client.complete({{"user", "q"}}); });
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(msg.find("attempt deadline"), std::string::npos) << msg;
  EXPECT_LT(took, 8.0);  // the headers alone would take 400 s
}

TEST(HostileEndpoints, RepliesLargerThanTheLimitAreRefused) {
  FakeChatServer server;
  server.push(ScriptedReply::ok(std::string(300000, 'x')));
  server.push(ScriptedReply::ok(std::string(1000, 'y')));
  auto o = client_for(server.base_url());
  o.max_reply_bytes = 100000;
  ChatClient client(o);
  const std::string msg = test::error_of([&] { client.complete({{"user", "q"}}); });
  EXPECT_NE(msg.find("larger than max_reply_bytes = 100000"), std::string::npos) << msg;
  EXPECT_EQ(client.complete({{"user", "q"}}).content, std::string(1000, 'y'));
  o.max_reply_bytes = 10;
  EXPECT_NE(test::error_of([&] { o.validate(); }).find("max_reply_bytes"), std::string::npos);
}

TEST(HostileEndpoints, TheKeyIsNeverSentInClearTextToARemoteHost) {
  Env key(kApiKeyEnv, "sk-test-PLANTED-transport-key");
  for (const std::string url : {"http://10.1.2.3:8080/v1", "http://example.com/v1", "http://127.0.0.1.example.com/v1",
                                "http://localhost.example.com/v1"}) {
    const std::string msg = test::error_of([&] { ChatClient c(client_for(url)); });
    EXPECT_NE(msg.find("--llm-allow-plain-http-key"), std::string::npos) << url << ": " << msg;
    EXPECT_EQ(msg.find("PLANTED"), std::string::npos) << msg;
  }
  for (const std::string url : {"https://api.example.com/v1", "http://127.0.0.1:8080/v1", "http://127.8.9.10/v1",
                                "http://localhost:11434/v1", "http://LOCALHOST/v1"})
    EXPECT_EQ(test::error_of([&] { ChatClient c(client_for(url)); }), "") << url;
  auto allowed = client_for("http://10.1.2.3:8080/v1");
  allowed.allow_plain_http_key = true;
  EXPECT_EQ(test::error_of([&] { ChatClient c(allowed); }), "");
}

TEST(HostileEndpoints, WithoutAKeyAnyHttpHostIsFine) {
  unsetenv(kApiKeyEnv);
  unsetenv(kOpenAiKeyEnv);
  EXPECT_EQ(test::error_of([&] { ChatClient c(client_for("http://10.1.2.3:8080/v1")); }), "");
}

TEST(HostileEndpoints, TheCliRefusesAPlainHttpKeyNamingTheFlag) {
  const std::string out = test::temp_dir("hostile_cli_key") + "/run";
  const auto r = test::run_cli({"search", "--dataset", "cifar10", "--device", "fpga", "--generations", "1", "--operator", "llm",
                                "--llm-model", "m", "--llm-base-url", "http://192.0.2.1:9/v1", "--out", out},
                               {"PELNAS_LLM_API_KEY=sk-test-PLANTED-cli-transport"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--llm-allow-plain-http-key"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("PLANTED"), std::string::npos);
  EXPECT_EQ(r.out.find("PLANTED"), std::string::npos);
  if (std::filesystem::exists(out))
    for (const auto& e : std::filesystem::recursive_directory_iterator(out))
      if (e.is_regular_file()) { EXPECT_EQ(test::read_file(e.path().string()).find("PLANTED"), std::string::npos) << e.path(); }
}

}  // namespace
}  // namespace pelnas::llm
