#include "search/llm_operator.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/error.h"
#include "common/saturating.h"
#include "common/utf8.h"
#include "llm/json_extract.h"

namespace pelnas {

using llm::ChatMessage;

namespace {

LlmOperatorOptions resolved(LlmOperatorOptions o) {
  o.validate();
  o.prompts_dir = llm::resolve_prompts_dir(o.prompts_dir.empty() ? std::nullopt : std::optional<std::string>(o.prompts_dir));
  return o;
}

// At most `max` bytes on one line, cut on a character boundary (a cut inside a multi-byte character
// made every later request's JSON, and so its hash, throw).
std::string one_line(std::string s, std::size_t max = 300) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  s = to_valid_utf8(s);
  if (s.size() > max) s = std::string(utf8_prefix(s, max)) + "...";
  return s;
}

std::string arch_line(const SearchSpace& space, const EvaluatedArch& e, const std::string& unit) {
  const std::string arch = space.print(e.code.encoding());
  if (e.extra_costs.empty()) return fmt::format("{} accuracy {:.2f} %, cost {:.4g} {}", arch, e.accuracy, e.cost, unit);
  // More than two objectives: `unit` lists every cost's unit ("ms, mJ"), one value each.
  std::vector<std::string> units;
  for (std::size_t start = 0;;) {
    const auto comma = unit.find(", ", start);
    units.push_back(unit.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  std::string costs = fmt::format("{:.4g} {}", e.cost, units.empty() ? "" : units[0]);
  for (std::size_t k = 0; k < e.extra_costs.size(); ++k)
    costs += fmt::format(", {:.4g} {}", e.extra_costs[k], k + 1 < units.size() ? units[k + 1] : "");
  return fmt::format("{} accuracy {:.2f} %, costs {}", arch, e.accuracy, costs);
}

std::string bullet_list(const std::vector<std::string>& lines) {
  if (lines.empty()) return "  (none)";
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += fmt::format("{}{}. {}", i ? "\n" : "", i + 1, lines[i]);
  return out;
}

// Rules from {"positive": [...], "negative": [...]}; each rule a string or {"rule"|"text", "evidence"}.
std::optional<KnowledgeBase> parse_rules(const nlohmann::json& j, int round, const std::vector<std::string>& fallback_evidence,
                                         std::string& problem) {
  if (!j.is_object() || (!j.contains("positive") && !j.contains("negative"))) {
    problem = "the JSON is not an object with \"positive\" and \"negative\" rule arrays";
    return std::nullopt;
  }
  KnowledgeBase kb;
  for (const char* side : {"positive", "negative"}) {
    if (!j.contains(side)) continue;
    const auto& arr = j[side];
    if (!arr.is_array()) {
      problem = std::string("\"") + side + "\" is not an array";
      return std::nullopt;
    }
    for (const auto& x : arr) {
      DesignRule r;
      r.round = round;
      if (x.is_string()) {
        r.text = x.get<std::string>();
      } else if (x.is_object()) {
        for (const char* k : {"rule", "text"})
          if (x.contains(k) && x[k].is_string()) r.text = x[k].get<std::string>();
        if (x.contains("evidence") && x["evidence"].is_array())
          for (const auto& e : x["evidence"])
            if (e.is_string() && r.evidence.size() < 10) r.evidence.push_back(e.get<std::string>());
      }
      if (r.text.empty()) {
        problem = std::string("a rule in \"") + side + "\" has no text (expected a string or {\"rule\": \"...\"})";
        return std::nullopt;
      }
      r.text = one_line(r.text, 400);
      if (r.evidence.empty()) r.evidence = fallback_evidence;
      (std::string(side) == "positive" ? kb.positive : kb.negative).push_back(std::move(r));
    }
  }
  if (kb.empty()) {
    problem = "the rule base is empty";
    return std::nullopt;
  }
  return kb;
}

}  // namespace

LlmPromptSet LlmPromptSet::load(const std::string& prompts_dir, const std::string& space) {
  namespace fs = std::filesystem;
  const std::string dir = space == "nb201" ? prompts_dir : (fs::path(prompts_dir) / space).string();
  std::error_code ec;
  if (space != "nb201" && !fs::is_directory(dir, ec))
    throw Error(fmt::format("the llm operator has no prompt templates for the {} space: no directory {} (its system.md, "
                            "knowledge_update.md and guided_evolution.md; see docs/LLM.md)",
                            space, dir));
  const std::string corrective_dir = fs::is_regular_file(fs::path(dir) / "corrective.md", ec) ? dir : prompts_dir;
  return {llm::PromptTemplate::load(dir, "system"), llm::PromptTemplate::load(dir, "knowledge_update"),
          llm::PromptTemplate::load(dir, "guided_evolution"), llm::PromptTemplate::load(corrective_dir, "corrective")};
}

LlmOperator::LlmOperator(LlmOperatorOptions options)
    : options_(resolved(std::move(options))), chat_(std::make_unique<llm::ChatService>(options_.chat)) {
  // NB201's templates are checked at once, as before spaces were generic; another space's on first use.
  prompts_.emplace("nb201", std::make_unique<const LlmPromptSet>(LlmPromptSet::load(options_.prompts_dir, "nb201")));
}

const LlmPromptSet& LlmOperator::prompts_for(const SearchSpace& space) {
  std::lock_guard lock(prompts_mutex_);
  auto& slot = prompts_[space.name()];
  if (!slot) slot = std::make_unique<const LlmPromptSet>(LlmPromptSet::load(options_.prompts_dir, space.name()));
  return *slot;
}

namespace {
// What the space says about itself; templates that spell this out (NB201's) may leave it unused.
std::map<std::string, std::string> space_values(const SearchSpace& space) {
  return {{"space_description", space.prompt_description()}, {"example", space.prompt_example()}};
}
}  // namespace

void LlmOperator::merge(const OperatorStats& local) {
  std::lock_guard lock(mutex_);
  stats_.merge(local);
}

std::map<std::string, std::string> LlmOperator::common_values(const NicheState& state) const {
  if (!state.niche) throw Error("llm operator: NicheState without a niche");
  if (!state.space) throw Error("llm operator: NicheState without a search space");
  return {{"dataset", state.dataset},
          {"device", state.device},
          {"cost_unit", state.cost_unit.empty() ? "cost units" : state.cost_unit},
          {"niche_name", state.niche->name},
          {"niche_constraint", state.niche->constraint},
          {"generation", std::to_string(state.generation)},
          {"rules", state.knowledge.empty() ? "  (no rules yet)" : state.knowledge.render()}};
}

void LlmOperator::update_knowledge(NicheState& state, Rng& rng) {
  (void)rng;  // the update involves no random choice
  OperatorStats local;
  if (state.last_children.empty()) {
    local.add("update_skipped");  // nothing new to learn from (generation 0, or no valid children)
    merge(local);
    return;
  }
  auto values = common_values(state);
  std::vector<std::string> lines, evidence;
  for (std::size_t i = 0; i < state.last_children.size(); ++i) {
    const auto& c = state.last_children[i];
    std::string line = arch_line(*state.space, c, values["cost_unit"]);
    if (i < state.last_rationales.size() && !state.last_rationales[i].empty())
      line += "; rationale: " + one_line(state.last_rationales[i]);
    lines.push_back(line);
    evidence.push_back(state.space->print(c.code.encoding()));
  }
  values["children"] = bullet_list(lines);
  const LlmPromptSet& prompts = prompts_for(*state.space);
  const auto offered = space_values(*state.space);
  std::vector<ChatMessage> conv = {{"system", prompts.system.render({}, offered)}, {"user", prompts.update.render(values, offered)}};

  try {
    for (int round = 0;; ++round) {
      const nlohmann::json ctx = {{"niche", state.niche->id}, {"generation", state.generation}, {"step", "update_knowledge"}, {"round", round}};
      std::string problem;
      std::optional<KnowledgeBase> kb;
      auto res = chat_->complete(conv, ctx, [&](const llm::ChatResult& r) {
        if (auto j = llm::extract_json(r.reply.content)) {
          kb = parse_rules(*j, state.generation, evidence, problem);
          if (!kb) local.add("rejected:bad_rules");
        } else {
          problem = "the answer contains no JSON object";
          local.add("rejected:not_json");
        }
      });
      local.add("calls");
      local.add("update_calls");
      if (res.source == "cache") local.add("cache_hits");
      local.add("http_retries", res.reply.attempts - 1);
      local.prompt_tokens = saturating_add(local.prompt_tokens, res.reply.usage.prompt_tokens);
      local.completion_tokens = saturating_add(local.completion_tokens, res.reply.usage.completion_tokens);
      if (kb) {
        state.knowledge = std::move(*kb);
        local.add("knowledge_updates");
        break;
      }
      if (round >= options_.max_corrections) {
        local.add("update_failed");  // keep the previous rule base
        break;
      }
      local.add("retries");
      conv.push_back({"assistant", res.reply.content});
      conv.push_back({"user", prompts.corrective.render({{"problems", "- " + problem},
                                                         {"request", "Give the revised rule base of this niche again."}},
                                                        offered)});
    }
  } catch (...) {
    local.add("errors");
    merge(local);
    throw;
  }
  merge(local);
}

std::vector<ProposedChild> LlmOperator::propose(const NicheState& state, Rng& rng) {
  OperatorStats local;
  const int wanted = std::max(1, state.children_wanted);
  const bool crossover = state.parents.size() >= 2 && rng.bernoulli(options_.crossover_probability);
  const std::string operation = crossover ? "crossover" : "mutation";
  local.add(crossover ? "crossover_calls" : "mutation_calls");

  auto values = common_values(state);
  const SearchSpace& space = *state.space;
  std::vector<std::string> lines, seen_lines;
  std::set<ArchCode> known;  // parents and the niche's history: repeats of these are "seen"
  for (const auto& p : state.parents) {
    lines.push_back(arch_line(space, p, values["cost_unit"]));
    known.insert(p.code);
  }
  for (const auto& h : state.history) known.insert(h.code);
  for (const auto& a : known) {
    if (static_cast<int>(seen_lines.size()) >= options_.max_seen_listed) break;
    seen_lines.push_back(space.print(a.encoding()));
  }
  values["parents"] = bullet_list(lines);
  values["seen"] = seen_lines.empty() ? "  (none)" : "  " + fmt::format("{}", fmt::join(seen_lines, "\n  "));
  values["operation"] = operation;
  values["children_wanted"] = std::to_string(wanted);
  const LlmPromptSet& prompts = prompts_for(space);
  const auto offered = space_values(space);
  std::vector<ChatMessage> conv = {{"system", prompts.system.render({}, offered)}, {"user", prompts.evolve.render(values, offered)}};

  std::vector<ProposedChild> accepted;
  try {
    for (int round = 0;; ++round) {
      const nlohmann::json ctx = {{"niche", state.niche->id}, {"generation", state.generation}, {"step", "propose"},
                                  {"operation", operation}, {"round", round}};
      std::vector<std::string> problems;
      std::size_t given = 0;  // children in the reply
      auto res = chat_->complete(conv, ctx, [&](const llm::ChatResult& r) {
        std::vector<nlohmann::json> items;
        const auto j = llm::extract_json(r.reply.content);
        if (!j) {
          local.add("rejected:not_json");
          problems.push_back("the answer contains no JSON object or array");
        } else if (j->is_array()) {
          items.assign(j->begin(), j->end());
        } else if (j->contains("children") && (*j)["children"].is_array()) {
          items.assign((*j)["children"].begin(), (*j)["children"].end());
        } else if (j->contains("architecture_code")) {
          items.push_back(*j);
        } else {
          local.add("rejected:no_children");
          problems.push_back("the JSON has no \"children\" array of {\"architecture_code\", \"rationale\"} objects");
        }
        for (std::size_t i = 0; i < items.size(); ++i) {
          const auto& it = items[i];
          const std::string tag = fmt::format("child {}", i + 1);
          if (!it.is_object() || !it.contains("architecture_code") || !it["architecture_code"].is_string()) {
            local.add("rejected:malformed_child");
            problems.push_back(tag + ": not an object with a string \"architecture_code\"");
            continue;
          }
          const std::string code = it["architecture_code"].get<std::string>();
          // Legality through the space: its parser names the position at fault, then its own
          // legality rule (spaces whose legal set is not a product).
          ArchCode arch;
          try {
            const Encoding enc = space.parse(code);
            if (auto why = space.illegal_reason(enc)) throw Error(*why);
            arch = ArchCode::from_encoding(enc);
          } catch (const Error& e) {
            local.add("rejected:illegal_cell");
            problems.push_back(tag + ": '" + one_line(code, 120) + "' is not a legal cell (" + one_line(e.what(), 200) + ")");
            continue;
          }
          if (!state.niche->contains(arch)) {
            local.add("rejected:outside_niche");
            problems.push_back(tag + ": " + code + " is outside the niche (" + state.niche->constraint + ")");
            continue;
          }
          const bool dup = known.count(arch) || (state.seen && state.seen(arch)) ||
                           std::any_of(accepted.begin(), accepted.end(), [&](const ProposedChild& c) { return c.code == arch; });
          if (dup) {
            local.add("rejected:seen");
            problems.push_back(tag + ": " + space.print(arch.encoding()) + " was already evaluated or proposed; propose a new cell");
            continue;
          }
          if (static_cast<int>(accepted.size()) >= wanted) {
            local.add("surplus");  // valid but more than asked for
            continue;
          }
          std::string rationale = it.contains("rationale") && it["rationale"].is_string() ? it["rationale"].get<std::string>() : "";
          accepted.push_back({arch, one_line(rationale, 1000), operation});
          local.add("children_accepted");
        }
        given = items.size();
      });
      local.add("calls");
      local.add("propose_calls");
      if (res.source == "cache") local.add("cache_hits");
      local.add("http_retries", res.reply.attempts - 1);
      local.prompt_tokens = saturating_add(local.prompt_tokens, res.reply.usage.prompt_tokens);
      local.completion_tokens = saturating_add(local.completion_tokens, res.reply.usage.completion_tokens);
      const int missing = wanted - static_cast<int>(accepted.size());
      if (missing <= 0) break;
      if (round >= options_.max_corrections) {
        local.add("propose_short");  // the loop decides whether to ask again
        break;
      }
      if (problems.empty()) problems.push_back(fmt::format("only {} of the {} children asked for were given", given, wanted));
      local.add("retries");
      conv.push_back({"assistant", res.reply.content});
      std::string plist;
      for (const auto& p : problems) plist += (plist.empty() ? "- " : "\n- ") + p;
      conv.push_back({"user", prompts.corrective.render({{"problems", plist},
                                                         {"request", fmt::format("Give {} more new children by {} (not any child given so far).",
                                                                                 missing, operation)}},
                                                        offered)});
    }
  } catch (...) {
    local.add("errors");
    merge(local);
    throw;
  }
  merge(local);
  return accepted;
}

void check_llm_prompts(const nlohmann::json& options, const std::string& space) {
  const LlmOperatorOptions o = resolved(LlmOperatorOptions::from_json(options));
  (void)LlmPromptSet::load(o.prompts_dir, space);
}

std::unique_ptr<Operator> make_llm_operator(const nlohmann::json& options) {
  return std::make_unique<LlmOperator>(LlmOperatorOptions::from_json(options));
}

}  // namespace pelnas
