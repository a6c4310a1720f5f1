// The fake OpenAI-compatible server used by the LLM tests, and tests that it behaves as scripted
// (so that a client test failing points at the client, not at the server).
#include "llm/fake_chat_server.h"

#include "common/saturating.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

namespace pelnas::test {

ScriptedReply ScriptedReply::ok(std::string content, std::int64_t pt, std::int64_t ct) {
  ScriptedReply r;
  r.content = std::move(content);
  r.prompt_tokens = pt;
  r.completion_tokens = ct;
  return r;
}
ScriptedReply ScriptedReply::status_code(int code, std::optional<std::string> retry_after, std::string body) {
  ScriptedReply r;
  r.kind = Kind::Status;
  r.status = code;
  r.retry_after = std::move(retry_after);
  r.body = body.empty() ? nlohmann::json{{"error", {{"message", "scripted status " + std::to_string(code)}}}}.dump() : body;
  return r;
}
ScriptedReply ScriptedReply::slow(double seconds, std::string content) {
  ScriptedReply r = ok(std::move(content));
  r.kind = Kind::Slow;
  r.delay_seconds = seconds;
  return r;
}
ScriptedReply ScriptedReply::drip(double seconds, std::string content) {
  ScriptedReply r = ok(std::move(content));
  r.kind = Kind::Drip;
  r.delay_seconds = seconds;
  return r;
}
ScriptedReply ScriptedReply::drop() {
  ScriptedReply r;
  r.kind = Kind::Drop;
  return r;
}

std::string request_text(const nlohmann::json& request) {
  std::string out;
  if (request.contains("messages"))
    for (const auto& m : request["messages"]) out += m.value("content", "") + "\n";
  return out;
}

struct FakeChatServer::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  mutable std::mutex mutex;
  std::deque<ScriptedReply> queue;
  std::function<ScriptedReply(const nlohmann::json&)> fallback;
  std::vector<ReceivedRequest> received;
  bool stopped = false;
};

FakeChatServer::FakeChatServer() : impl_(std::make_unique<Impl>()) {
  Impl* im = impl_.get();
  im->server.Post(R"(/v1/chat/completions)", [im](const httplib::Request& req, httplib::Response& res) {
    ScriptedReply reply;
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    {
      std::lock_guard lock(im->mutex);
      im->received.push_back({body, req.get_header_value("Authorization"), req.path});
      if (!im->queue.empty()) {
        reply = im->queue.front();
        im->queue.pop_front();
      } else if (im->fallback) {
        reply = im->fallback(body);
      } else {
        reply = ScriptedReply::status_code(500, std::nullopt, R"({"error":{"message":"script exhausted"}})");
      }
    }
    switch (reply.kind) {
      case ScriptedReply::Kind::Slow:
        std::this_thread::sleep_for(std::chrono::duration<double>(reply.delay_seconds));
        [[fallthrough]];
      case ScriptedReply::Kind::Drip:
      case ScriptedReply::Kind::Ok: {
        nlohmann::json out = {
            {"id", "chatcmpl-test"},
            {"object", "chat.completion"},
            {"model", body.is_object() ? body.value("model", "") : ""},
            {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", reply.content}}}, {"finish_reason", "stop"}}}},
            {"usage", {{"prompt_tokens", reply.prompt_tokens}, {"completion_tokens", reply.completion_tokens},
                       // Saturating both ways: the hostile tests script INT64_MAX and negative counts.
                       {"total_tokens", saturating_add(reply.prompt_tokens, reply.completion_tokens)}}}};
        if (reply.kind == ScriptedReply::Kind::Drip) {
          auto text = std::make_shared<std::string>(out.dump());
          const double pause = reply.delay_seconds;
          res.set_chunked_content_provider("application/json", [text, pause, im](size_t offset, httplib::DataSink& sink) {
            if (offset >= text->size() || !im->server.is_running()) {
              sink.done();
              return true;
            }
            std::this_thread::sleep_for(std::chrono::duration<double>(pause));
            return sink.write(text->data() + offset, 1);  // false once the client has gone
          });
        } else {
          res.set_content(out.dump(), "application/json");
        }
        break;
      }
      case ScriptedReply::Kind::Status:
        res.status = reply.status;
        if (reply.retry_after) res.set_header("Retry-After", *reply.retry_after);
        res.set_content(reply.body, "application/json");
        break;
      case ScriptedReply::Kind::Drop:
        // Content-Length promises 512 bytes; the provider fails, so the server closes the socket.
        res.set_content_provider(512, "application/json", [](size_t, size_t, httplib::DataSink&) { return false; });
        break;
    }
  });
  im->port = im->server.bind_to_any_port("127.0.0.1");
  if (im->port <= 0) throw std::runtime_error("FakeChatServer: cannot bind 127.0.0.1");
  im->thread = std::thread([im] { im->server.listen_after_bind(); });
  // Wait (bounded) until the server accepts connections.
  for (int i = 0; i < 200 && !im->server.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

FakeChatServer::~FakeChatServer() { stop(); }

void FakeChatServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void FakeChatServer::push(ScriptedReply reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->queue.push_back(std::move(reply));
}
void FakeChatServer::set_fallback(std::function<ScriptedReply(const nlohmann::json&)> fallback) {
  std::lock_guard lock(impl_->mutex);
  impl_->fallback = std::move(fallback);
}
std::string FakeChatServer::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/v1"; }
int FakeChatServer::port() const { return impl_->port; }
std::vector<ReceivedRequest> FakeChatServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}
std::size_t FakeChatServer::request_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received.size();
}

// ---- the server itself, checked with a raw httplib client -------------------------------------

TEST(FakeChatServer, AnswersScriptThenFallbackThen500) {
  FakeChatServer server;
  server.push(ScriptedReply::ok("first", 7, 3));
  httplib::Client c("127.0.0.1", server.port());
  auto r1 = c.Post("/v1/chat/completions", R"({"model":"m","messages":[]})", "application/json");
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  auto j = nlohmann::json::parse(r1->body);
  EXPECT_EQ(j["choices"][0]["message"]["content"], "first");
  EXPECT_EQ(j["usage"]["prompt_tokens"], 7);
  auto r2 = c.Post("/v1/chat/completions", "{}", "application/json");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 500);
  server.set_fallback([](const nlohmann::json&) { return ScriptedReply::status_code(429, "0"); });
  auto r3 = c.Post("/v1/chat/completions", "{}", "application/json");
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->status, 429);
  EXPECT_EQ(r3->get_header_value("Retry-After"), "0");
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(FakeChatServer, DropClosesTheConnectionMidResponse) {
  FakeChatServer server;
  server.push(ScriptedReply::drop());
  httplib::Client c("127.0.0.1", server.port());
  auto r = c.Post("/v1/chat/completions", "{}", "application/json");
  EXPECT_FALSE(r);  // the client sees a transport error, not a response
}

}  // namespace pelnas::test
