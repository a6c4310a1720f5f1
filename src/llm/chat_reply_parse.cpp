// Reading a chat-completions response: the reply and its token usage, or the server's error text.
#include "llm/chat_reply_parse.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "common/utf8.h"

namespace pelnas::llm {

// The server's own error text, shortened, for error messages.
std::string error_excerpt(const std::string& body) {
  std::string text = body;
  try {
    auto j = nlohmann::json::parse(body);
    if (j.contains("error")) {
      const auto& e = j["error"];
      text = e.is_object() && e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>()
                                                                                  : e.dump();
    }
  } catch (const nlohmann::json::exception&) {
  }
  text = to_valid_utf8(text);  // the body may be anything; the excerpt goes into JSON transcripts
  if (text.size() > 200) text = std::string(utf8_prefix(text, 200)) + "...";
  return text;
}

ParsedReply parse_completion(const std::string& body) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception&) {
    return {std::nullopt, "the body is not JSON"};
  }
  if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array() || j["choices"].empty()) {
    return {std::nullopt, "no 'choices' array in the body"};
  }
  const auto& c = j["choices"][0];
  if (!c.is_object() || !c.contains("message") || !c["message"].is_object()) {
    return {std::nullopt, "choices[0] has no 'message' object"};
  }
  const auto& content = c["message"].value("content", nlohmann::json());
  ChatReply r;
  if (content.is_string()) r.content = to_valid_utf8(content.get<std::string>());
  else if (!content.is_null()) return {std::nullopt, "choices[0].message.content is not a string"};
  if (j.contains("usage") && j["usage"].is_object()) {
    const auto& u = j["usage"];
    // Counts outside [0, INT64_MAX] (negative, or unsigned beyond int64) are not usage: read as 0.
    auto count = [&u](const char* key) -> std::int64_t {
      const auto it = u.find(key);
      if (it == u.end() || !it->is_number_integer()) return 0;  // integers only: each read below is exact
      if (it->is_number_unsigned()) {
        const auto v = it->get<std::uint64_t>();
        return v > static_cast<std::uint64_t>(INT64_MAX) ? 0 : static_cast<std::int64_t>(v);
      }
      return std::max<std::int64_t>(0, it->get<std::int64_t>());
    };
    r.usage.prompt_tokens = count("prompt_tokens");
    r.usage.completion_tokens = count("completion_tokens");
  }
  return {std::move(r), ""};
}

}  // namespace pelnas::llm
