#pragma once
// Chat models wrap JSON in prose or ```json fences. This finds the JSON value in a reply.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pelnas::llm {

// Deepest bracket nesting accepted in a reply's JSON. Our schemas nest 4 levels; a deeper value is
// not an answer, and refusing it keeps later copies and dumps (recursive in nlohmann::json) far
// from the stack limit (a 20,000-deep reply crashed the operator).
inline constexpr int kMaxJsonDepth = 32;

// The first JSON object or array in `text`: the whole text if it parses, else the contents of a
// ```json (or plain ```) fenced block, else the first balanced {...} or [...] that parses. Values
// nested deeper than kMaxJsonDepth are skipped. Linear in the text (times kMaxJsonDepth) whatever
// its brackets. nullopt when there is none.
std::optional<nlohmann::json> extract_json(const std::string& text);

}  // namespace pelnas::llm
