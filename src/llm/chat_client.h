#pragma once
// An OpenAI-compatible chat-completions client (POST {base_url}/chat/completions) over HTTP and
// HTTPS, so one client serves OpenAI, vLLM, Ollama and llama.cpp's server. Retries connection
// errors, timeouts, 429 and 5xx with exponential backoff and seeded jitter, honouring Retry-After.
// The API key comes only from the environment and is never put in messages, logs or files.
#include <cstdint>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.h"

namespace pelnas::llm {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
  bool operator==(const ChatMessage&) const = default;
};

struct TokenUsage {
  std::int64_t prompt_tokens = 0, completion_tokens = 0;
  void add(const TokenUsage& other);  // saturating at INT64_MAX
};

// Environment variables read by the client and the CLI.
inline constexpr const char* kApiKeyEnv = "PELNAS_LLM_API_KEY";
inline constexpr const char* kOpenAiKeyEnv = "OPENAI_API_KEY";
inline constexpr const char* kBaseUrlEnv = "PELNAS_LLM_BASE_URL";
inline constexpr const char* kModelEnv = "PELNAS_LLM_MODEL";
inline constexpr const char* kCaBundleEnv = "PELNAS_LLM_CA_BUNDLE";
inline constexpr const char* kDefaultBaseUrl = "https://api.openai.com/v1";

struct ChatClientOptions {
  std::string base_url = kDefaultBaseUrl;  // e.g. http://127.0.0.1:8080/v1
  std::string model;                       // required
  double temperature = 0.7;
  int max_tokens = 2048;
  double timeout_seconds = 120;  // deadline of one whole attempt (connect, send, every byte of the reply)
  std::int64_t max_reply_bytes = 4 << 20;  // a longer response body fails the attempt
  int max_attempts = 5;          // HTTP attempts per request (1 = no retry)
  double backoff_base_seconds = 1.0;  // delay before retry k is min(max, base * 2^(k-1)) * U[0.5, 1)
  double backoff_max_seconds = 30.0;
  double max_retry_after_seconds = 120.0;  // a larger Retry-After is clamped to this
  std::uint64_t seed = 0;                  // jitter stream
  // https: a PEM file of CA certificates to trust instead of the system store (a private or
  // self-signed endpoint); "" = the system store. Server certificates are always verified.
  std::string ca_cert_path;
  // The API key travels in a header: over plain http:// it is sent only to a loopback host
  // (127.0.0.0/8, localhost) unless this is set (CLI --llm-allow-plain-http-key).
  bool allow_plain_http_key = false;

  // Throws pelnas::Error naming the first bad field and what was expected.
  void validate() const;
  // base_url, model and ca_cert_path from PELNAS_LLM_BASE_URL, PELNAS_LLM_MODEL and
  // PELNAS_LLM_CA_BUNDLE when set.
  static ChatClientOptions from_environment();
  nlohmann::json to_json() const;  // no key: there is none in here
};

// The key from PELNAS_LLM_API_KEY, else OPENAI_API_KEY; nullopt when neither is set (local servers
// usually need none).
std::optional<std::string> api_key_from_environment();

struct ChatReply {
  std::string content;
  TokenUsage usage;
  int attempts = 1;  // HTTP attempts it took (1 = no retry)
};

// The canonical request: what is hashed for the cache and written to the transcript. Never the key.
nlohmann::json canonical_request(const ChatClientOptions& options, const std::vector<ChatMessage>& messages);

class ChatClient {
 public:
  // Reads the key from the environment now (see api_key_from_environment). Validates options.
  explicit ChatClient(ChatClientOptions options);
  ~ChatClient();
  ChatClient(const ChatClient&) = delete;
  ChatClient& operator=(const ChatClient&) = delete;

  // Sends one chat completion; thread-safe (each call uses its own connection). Throws pelnas::Error
  // naming the endpoint and the last status when all attempts fail or the error is not retryable.
  // The reply's content is valid UTF-8 and its token counts are >= 0.
  ChatReply complete(const std::vector<ChatMessage>& messages);

  const ChatClientOptions& options() const { return options_; }
  std::string endpoint() const;  // base_url + "/chat/completions"
  bool has_api_key() const { return api_key_.has_value(); }

  // Accumulated over every successful call.
  TokenUsage usage() const;
  std::int64_t http_attempts() const;

  // Replaces std::this_thread::sleep_for for the retry delays (tests record the delays).
  void set_sleep_function(std::function<void(double seconds)> sleep);

  // The delay before retry number `retry` (1-based) without Retry-After; draws jitter from rng.
  static double backoff_delay(const ChatClientOptions& options, int retry, Rng& rng);
  // Seconds to wait for a Retry-After header value: delta-seconds, or an HTTP-date (IMF-fixdate,
  // RFC 850 or asctime, RFC 9110 5.6.7) counted from `now` (0 if already past); nullopt if neither.
  static std::optional<double> parse_retry_after(const std::string& value,
                                                 std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

 private:
  double next_jitter_delay(int retry);
  std::string redact(std::string text) const;

  ChatClientOptions options_;
  std::optional<std::string> api_key_;
  std::string scheme_host_port_, path_prefix_;
  mutable std::mutex mutex_;  // guards rng_, usage_, attempts_, sleep_
  Rng rng_;
  TokenUsage usage_;
  std::int64_t attempts_ = 0;
  std::function<void(double)> sleep_;
};

// Splits "https://host:port/v1" into ("https://host:port", "/v1"); throws pelnas::Error on anything
// that is not an http(s) URL with a host.
std::pair<std::string, std::string> split_base_url(const std::string& base_url);

// Whether the host of "scheme://host[:port]" is a loopback name or address (localhost, 127.0.0.0/8).
bool is_loopback_host(const std::string& scheme_host_port);

// Throws pelnas::Error when a key would be sent in clear text to a host that is not loopback
// (http://, not allowed by options.allow_plain_http_key), naming the flag that allows it.
void check_key_transport(const ChatClientOptions& options, bool has_key);

}  // namespace pelnas::llm
