#pragma once
// A niche's design rules (PEL-NAS part 2): positive rules (do) and negative rules (avoid), each
// with the evidence it came from. Rendered into prompts as text; stored as JSON with the run.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace pelnas {

struct DesignRule {
  std::string text;                   // e.g. "put nor_conv_3x3 on edge 3<-0"
  std::vector<std::string> evidence;  // arch strings (or short notes) that support it
  int round = 0;                      // generation in which it was (last) written

  bool operator==(const DesignRule&) const = default;
};

struct KnowledgeBase {
  std::vector<DesignRule> positive;
  std::vector<DesignRule> negative;

  bool empty() const { return positive.empty() && negative.empty(); }
  // Equal values have equal to_json(): run files compare knowledge bases by value, not by text.
  bool operator==(const KnowledgeBase&) const = default;
  // Numbered plain-text rendering for prompts and reports.
  std::string render() const;
  nlohmann::json to_json() const;
  static KnowledgeBase from_json(const nlohmann::json& j);  // throws pelnas::Error naming the field
};

}  // namespace pelnas
