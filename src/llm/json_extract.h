#pragma once
// Chat models wrap JSON in prose or ```json fences. This finds the JSON value in a reply.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pelnas::llm {

// The first JSON object or array in `text`: the whole text if it parses, else the contents of a
// ```json (or plain ```) fenced block, else the first balanced {...} or [...] that parses.
// nullopt when there is none.
std::optional<nlohmann::json> extract_json(const std::string& text);

}  // namespace pelnas::llm
