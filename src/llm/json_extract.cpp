#include "llm/json_extract.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

namespace pelnas::llm {

namespace {

// Whether the brackets of a JSON text (strings skipped) nest at most kMaxJsonDepth deep.
bool shallow(std::string_view s) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : s) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

std::optional<nlohmann::json> parse_structured(std::string_view s) {
  if (!shallow(s)) return std::nullopt;
  auto j = nlohmann::json::parse(s.begin(), s.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !(j.is_object() || j.is_array())) return std::nullopt;
  return j;
}

struct Scan {
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // balanced [begin, end), at most kMaxJsonDepth deep
  std::size_t first_unclosed = std::string::npos;          // outermost bracket never closed
};

// One left-to-right pass from `from` matching brackets with a stack. Quotes count only inside
// brackets (prose before the JSON has its own quotes). Every balanced span records its height, so
// each character lies in at most kMaxJsonDepth candidate spans: O(n * depth) parse work in total.
Scan scan(std::string_view text, std::size_t from) {
  struct Open {
    std::size_t pos, height_below;
  };
  Scan out;
  std::vector<Open> open;
  bool in_string = false, escaped = false;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = !open.empty();
    } else if (c == '{' || c == '[') {
      open.push_back({i, 0});
    } else if ((c == '}' || c == ']') && !open.empty()) {
      const Open o = open.back();
      open.pop_back();
      const std::size_t height = o.height_below + 1;
      if (!open.empty()) open.back().height_below = std::max(open.back().height_below, height);
      if (height <= static_cast<std::size_t>(kMaxJsonDepth)) out.spans.emplace_back(o.pos, i + 1);
    }
  }
  if (!open.empty()) out.first_unclosed = open.front().pos;
  std::sort(out.spans.begin(), out.spans.end());  // the first candidate in the text first
  return out;
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
    if (auto j = parse_structured(std::string_view(text).substr(body + 1, close - body - 1))) return j;
    pos = text.find("```", close + 3);
  }
  // Balanced spans. A bracket left open (prose like `see "x]`) can hide a later value inside an
  // unterminated string, so a few more passes start just after it; a bounded number keeps it linear.
  std::size_t from = 0;
  for (int pass = 0; pass < 4 && from < text.size(); ++pass) {
    const Scan s = scan(text, from);
    for (const auto& [b, e] : s.spans)
      if (auto j = parse_structured(std::string_view(text).substr(b, e - b))) return j;
    if (s.first_unclosed == std::string::npos) break;
    from = s.first_unclosed + 1;
  }
  return std::nullopt;
}

}  // namespace pelnas::llm
