#include "llm/json_extract.h"

namespace pelnas::llm {

namespace {

std::optional<nlohmann::json> parse_structured(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !(j.is_object() || j.is_array())) return std::nullopt;
  return j;
}

// End (exclusive) of the balanced value starting at text[start] ('{' or '['), skipping strings.
std::size_t balanced_end(const std::string& text, std::size_t start) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string::npos;
}

}  // namespace

std::optional<nlohmann::json> extract_json(const std::string& text) {
  if (auto j = parse_structured(text)) return j;
  // Fenced blocks: ```json\n...\n``` or ```\n...\n```.
  for (std::size_t pos = text.find("```"); pos != std::string::npos;) {
    std::size_t body = text.find('\n', pos);
    if (body == std::string::npos) break;
    const std::size_t close = text.find("```", body);
    if (close == std::string::npos) break;
    if (auto j = parse_structured(text.substr(body + 1, close - body - 1))) return j;
    pos = text.find("```", close + 3);
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{' && text[i] != '[') continue;
    const std::size_t end = balanced_end(text, i);
    if (end == std::string::npos) continue;
    if (auto j = parse_structured(text.substr(i, end - i))) return j;
  }
  return std::nullopt;
}

}  // namespace pelnas::llm
