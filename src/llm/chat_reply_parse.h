#pragma once
// Reading a chat-completions response body (private to src/llm/: used by chat_client.cpp).
#include <optional>
#include <string>

#include "llm/chat_client.h"

namespace pelnas::llm {

// The server's own error text, shortened, for error messages.
std::string error_excerpt(const std::string& body);

struct ParsedReply {
  std::optional<ChatReply> reply;
  std::string problem;
};

// The reply of a 200 response, or what is wrong with its body. Content is valid UTF-8, token counts >= 0.
ParsedReply parse_completion(const std::string& body);

}  // namespace pelnas::llm
