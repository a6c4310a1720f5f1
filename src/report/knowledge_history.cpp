#include "report/knowledge_history.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

namespace pelnas::report {

std::string rule_identity(const std::string& text) {
  const auto p = text.find(" (");
  return p == std::string::npos ? text : text.substr(0, p);
}

namespace {

std::set<std::string> rule_keys(const nlohmann::json& kb, const char* which) {
  std::set<std::string> s;
  if (kb.is_object() && kb.contains(which))
    for (const auto& r : kb[which]) s.insert(rule_identity(json_str(r, "text")));
  return s;
}

// Rule identity -> generations in which a niche's knowledge base held it, over every snapshot. A
// niche's object shared with the generation before (unchanged) reuses that generation's keys.
std::map<std::string, std::vector<int>> rule_history(const RunData& run, int niche, const char* which) {
  std::map<std::string, std::vector<int>> h;
  const nlohmann::json* previous = nullptr;
  std::set<std::string> keys;
  for (const auto& [gen, snap] : run.knowledge)
    for (const auto& p : snap) {
      const auto& n = *p;
      if (n.value("niche", -2) != niche || !n.contains("knowledge")) continue;
      if (&n != previous) keys = rule_keys(n["knowledge"], which);
      previous = &n;
      for (const auto& r : keys) h[r].push_back(gen);
    }
  return h;
}

void knowledge_lists(HtmlPage& page, const RunData& run) {
  if (run.knowledge.empty()) {
    page.paragraph("The run recorded no knowledge bases (knowledge/ missing).", "warn");
    return;
  }
  const auto& [last_gen, last] = *run.knowledge.rbegin();
  const int prev_gen = run.knowledge.size() > 1 ? std::prev(run.knowledge.end(), 2)->first : -1;
  page.paragraph(fmt::format("Each niche's rules at generation {} (the last), listed once. Each rule says since when it has been in "
                             "the knowledge base; rules new in generation {} are marked new; rules the niche held earlier and "
                             "dropped are listed struck through with the generations they were held.",
                             last_gen, last_gen),
                 "note");
  for (const auto& p : last) {
    const auto& n = *p;
    const int k = n.value("niche", -1);
    page.heading(3, fmt::format("niche {} ({}): {}", k, json_str(n, "name"), json_str(n, "constraint")));
    const auto& kb = n.contains("knowledge") ? n["knowledge"] : nlohmann::json::object();
    for (const char* which : {"positive", "negative"}) {
      const auto history = rule_history(run, k, which);
      const auto now = rule_keys(kb, which);
      std::vector<HtmlPage::ListItem> items;
      int fresh = 0, dropped = 0;
      if (kb.contains(which))
        for (const auto& r : kb[which]) {
          const std::string text = json_str(r, "text");
          const auto it = history.find(rule_identity(text));
          const int since = it == history.end() ? last_gen : it->second.front();
          if (since == last_gen && prev_gen >= 0) {
            ++fresh;
            items.push_back({text, "added", fmt::format("new in generation {}", last_gen)});
          } else {
            items.push_back({text, "", fmt::format("since generation {}", since)});
          }
        }
      for (const auto& [rule, gens] : history)
        if (!now.count(rule)) {
          ++dropped;
          items.push_back({rule, "removed",
                           gens.size() == 1 ? fmt::format("held in generation {}", gens.front())
                                            : fmt::format("held in generations {}-{}", gens.front(), gens.back())});
        }
      page.paragraph(fmt::format("{} rules: {} at generation {} ({} new in it); {} dropped earlier.",
                                 which == std::string("positive") ? "Positive (do)" : "Negative (avoid)",
                                 kb.contains(which) ? kb[which].size() : 0, last_gen, fresh, dropped));
      if (!items.empty()) page.marked_list(items, "rules");
    }
  }
}

}  // namespace

void knowledge_section(HtmlPage& page, const RunData& run) {
  page.section("knowledge", "Knowledge bases", [&] { knowledge_lists(page, run); });
}

}  // namespace pelnas::report
