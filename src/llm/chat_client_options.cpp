// The chat client's options, the API key's environment and transport rules, the canonical request.
#include "llm/chat_client.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "common/error.h"
#include "common/saturating.h"

namespace pelnas::llm {

void TokenUsage::add(const TokenUsage& other) {
  prompt_tokens = saturating_add(prompt_tokens, other.prompt_tokens);
  completion_tokens = saturating_add(completion_tokens, other.completion_tokens);
}

void ChatClientOptions::validate() const {
  auto bad = [](const std::string& field, const std::string& what) {
    throw Error("LLM client option " + field + ": " + what);
  };
  split_base_url(base_url);
  if (model.empty()) bad("model", "a model name is required (--llm-model or $" + std::string(kModelEnv) + ")");
  if (!(temperature >= 0.0 && temperature <= 2.0)) bad("temperature", "expected a number in [0, 2]");
  if (max_tokens < 1) bad("max_tokens", "expected a positive integer");
  if (!(timeout_seconds > 0.0 && timeout_seconds <= 3600.0)) bad("timeout_seconds", "expected a number in (0, 3600]");
  if (max_attempts < 1 || max_attempts > 100) bad("max_attempts", "expected an integer in [1, 100]");
  if (max_reply_bytes < 1024 || max_reply_bytes > (std::int64_t{1} << 30))
    bad("max_reply_bytes", "expected an integer in [1024, 1073741824] (bytes of one response body)");
  if (!(backoff_base_seconds >= 0.0)) bad("backoff_base_seconds", "expected a non-negative number");
  if (!(backoff_max_seconds >= backoff_base_seconds)) bad("backoff_max_seconds", "expected a number >= backoff_base_seconds");
  if (!(max_retry_after_seconds >= 0.0)) bad("max_retry_after_seconds", "expected a non-negative number");
  if (!ca_cert_path.empty() && !std::filesystem::is_regular_file(ca_cert_path))
    bad("ca_cert_path", "expected a PEM file of CA certificates, but " + ca_cert_path + " is not a file");
}

ChatClientOptions ChatClientOptions::from_environment() {
  ChatClientOptions o;
  if (const char* url = std::getenv(kBaseUrlEnv); url && *url) o.base_url = url;
  if (const char* model = std::getenv(kModelEnv); model && *model) o.model = model;
  if (const char* ca = std::getenv(kCaBundleEnv); ca && *ca) o.ca_cert_path = ca;
  return o;
}

nlohmann::json ChatClientOptions::to_json() const {
  return {{"base_url", base_url},
          {"model", model},
          {"temperature", temperature},
          {"max_tokens", max_tokens},
          {"timeout_seconds", timeout_seconds},
          {"max_attempts", max_attempts},
          {"backoff_base_seconds", backoff_base_seconds},
          {"backoff_max_seconds", backoff_max_seconds},
          {"max_retry_after_seconds", max_retry_after_seconds},
          {"seed", seed},
          {"ca_cert_path", ca_cert_path},
          {"max_reply_bytes", max_reply_bytes},
          {"allow_plain_http_key", allow_plain_http_key}};
}

std::optional<std::string> api_key_from_environment() {
  for (const char* name : {kApiKeyEnv, kOpenAiKeyEnv}) {
    if (const char* v = std::getenv(name); v && *v) return std::string(v);
  }
  return std::nullopt;
}

std::pair<std::string, std::string> split_base_url(const std::string& base_url) {
  static const std::regex re(R"(^(https?)://([^/\s:]+)(:[0-9]{1,5})?(/[^\s]*)?$)");
  std::smatch m;
  if (!std::regex_match(base_url, m, re)) {
    throw Error("LLM client option base_url: expected http://host[:port][/path] or https://..., got '" + base_url + "'");
  }
  std::string path = m[4].matched ? m[4].str() : "";
  while (!path.empty() && path.back() == '/') path.pop_back();
  return {m[1].str() + "://" + m[2].str() + (m[3].matched ? m[3].str() : ""), path};
}

bool is_loopback_host(const std::string& scheme_host_port) {
  static const std::regex re(R"(^https?://(localhost|127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})(:[0-9]+)?$)", std::regex::icase);
  return std::regex_match(scheme_host_port, re);
}

void check_key_transport(const ChatClientOptions& options, bool has_key) {
  if (!has_key || options.allow_plain_http_key) return;
  const std::string shp = split_base_url(options.base_url).first;
  if (shp.rfind("http://", 0) != 0 || is_loopback_host(shp)) return;
  throw Error("LLM client option base_url: refusing to send the API key ($" + std::string(kApiKeyEnv) + " / $" +
              kOpenAiKeyEnv + ") in clear text to " + shp +
              ", which is not a loopback host; use https://, unset the key, or pass --llm-allow-plain-http-key "
              "(operator option allow_plain_http_key) to allow it");
}

nlohmann::json canonical_request(const ChatClientOptions& options, const std::vector<ChatMessage>& messages) {
  nlohmann::json msgs = nlohmann::json::array();
  for (const auto& m : messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
  return {{"model", options.model},
          {"messages", std::move(msgs)},
          {"temperature", options.temperature},
          {"max_tokens", options.max_tokens}};
}

}  // namespace pelnas::llm
