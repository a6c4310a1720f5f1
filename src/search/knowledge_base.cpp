#include "search/knowledge_base.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_fields.h"

namespace pelnas {

namespace {

void render_list(std::string& out, const char* title, const std::vector<DesignRule>& rules) {
  out += title;
  out += ":\n";
  if (rules.empty()) out += "  (none yet)\n";
  int n = 1;
  for (const auto& r : rules) {
    out += "  " + std::to_string(n++) + ". " + r.text;
    if (!r.evidence.empty()) out += " [evidence: " + std::to_string(r.evidence.size()) + " architecture(s), round " + std::to_string(r.round) + "]";
    out += "\n";
  }
}

nlohmann::json rules_to_json(const std::vector<DesignRule>& rules) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : rules) a.push_back({{"text", r.text}, {"evidence", r.evidence}, {"round", r.round}});
  return a;
}

std::vector<DesignRule> rules_from_json(const nlohmann::json& j, const char* field) {
  if (!j.is_array()) throw Error(std::string("knowledge base: '") + field + "' must be an array of rules");
  std::vector<DesignRule> out;
  std::size_t i = 0;
  for (const auto& x : j) {
    const std::string where = std::string("knowledge base: ") + field + "[" + std::to_string(i++) + "]";
    if (!x.is_object()) throw Error(where + ": expected an object {text, evidence, round}");
    DesignRule r;
    if (!x.contains("text") || !x["text"].is_string()) throw Error(where + ".text: expected a string");
    r.text = x["text"].get<std::string>();
    if (x.contains("evidence")) {
      if (!x["evidence"].is_array()) throw Error(where + ".evidence: expected an array of strings");
      for (const auto& e : x["evidence"]) {
        if (!e.is_string()) throw Error(where + ".evidence: expected an array of strings");
        r.evidence.push_back(e.get<std::string>());
      }
    }
    if (x.contains("round")) {
      if (!x["round"].is_number_integer()) throw Error(where + ".round: expected an integer");
      r.round = json_fields::get_integral<int>(x["round"]);
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::string KnowledgeBase::render() const {
  std::string out;
  render_list(out, "Positive rules (do)", positive);
  render_list(out, "Negative rules (avoid)", negative);
  return out;
}

nlohmann::json KnowledgeBase::to_json() const {
  return {{"positive", rules_to_json(positive)}, {"negative", rules_to_json(negative)}};
}

KnowledgeBase KnowledgeBase::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("knowledge base: expected a JSON object {positive: [...], negative: [...]}");
  KnowledgeBase kb;
  if (j.contains("positive")) kb.positive = rules_from_json(j["positive"], "positive");
  if (j.contains("negative")) kb.negative = rules_from_json(j["negative"], "negative");
  for (const auto& [key, v] : j.items())
    if (key != "positive" && key != "negative") throw Error("knowledge base: unknown field '" + key + "' (expected positive, negative)");
  return kb;
}

}  // namespace pelnas
