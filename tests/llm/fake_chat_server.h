#pragma once
// A local OpenAI-compatible chat-completions server for tests (httplib::Server on 127.0.0.1, an
// ephemeral port, in its own thread, stopped by the destructor). It answers from a script queue,
// then from a fallback function. Implemented in fake_chat_server_test.cpp (the one test file that
// includes httplib.h).
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pelnas::test {

struct ScriptedReply {
  enum class Kind { Ok, Status, Slow, Drop, Drip };
  Kind kind = Kind::Ok;
  std::string content;                     // Ok / Slow: the assistant message
  int status = 200;                        // Status
  std::string body;                        // Status: response body
  std::optional<std::string> retry_after;  // Status: Retry-After header
  double delay_seconds = 0;                // Slow: sleep before answering; Drip: between bytes
  std::int64_t prompt_tokens = 100, completion_tokens = 20;

  static ScriptedReply ok(std::string content, std::int64_t prompt_tokens = 100, std::int64_t completion_tokens = 20);
  static ScriptedReply status_code(int code, std::optional<std::string> retry_after = std::nullopt, std::string body = "");
  static ScriptedReply slow(double seconds, std::string content);
  static ScriptedReply drop();  // headers promise a body, then the connection closes
  // A valid reply whose body is sent one byte every `seconds` (chunked), until the client leaves.
  static ScriptedReply drip(double seconds, std::string content);
};

struct ReceivedRequest {
  nlohmann::json body;
  std::string authorization;  // the Authorization header ("" if none)
  std::string path;
};

class FakeChatServer {
 public:
  FakeChatServer();
  ~FakeChatServer();
  FakeChatServer(const FakeChatServer&) = delete;
  FakeChatServer& operator=(const FakeChatServer&) = delete;

  void push(ScriptedReply reply);
  // Answers requests once the queue is empty (default: HTTP 500 "script exhausted").
  void set_fallback(std::function<ScriptedReply(const nlohmann::json& request)> fallback);
  std::string base_url() const;  // http://127.0.0.1:PORT/v1
  int port() const;
  std::vector<ReceivedRequest> requests() const;
  std::size_t request_count() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The text of all messages of a request, joined (handy for fallbacks that inspect prompts).
std::string request_text(const nlohmann::json& request);

}  // namespace pelnas::test
