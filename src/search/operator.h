#pragma once
// A variation operator of the PEL-NAS loop, chosen by name ("evolution", "llm", ...). Per niche and
// generation the loop calls update_knowledge() with last round's children, then propose() for new
// children. The loop (not the operator) validates proposals: legal architecture, inside the niche,
// unseen. Architectures are ArchCodes of the state's SearchSpace (NB201 cells, FBNet networks, ...).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.h"
#include "search/archive.h"
#include "search/knowledge_base.h"
#include "search/niche_history.h"
#include "space/arch_code.h"
#include "space/search_space.h"

namespace pelnas {

struct NicheDescription {
  int id = 0;
  std::string name;        // short, e.g. "conv3x3=1"
  std::string constraint;  // human/LLM-readable rule, e.g. "exactly one nor_conv_3x3 edge"
  std::function<bool(const ArchCode&)> contains;
};

struct ProposedChild {
  ArchCode code;
  std::string rationale;  // why (LLM text, or the operator's own note)
  std::string origin;     // "crossover", "mutation", "seed", ...
};

struct NicheState {
  const SearchSpace* space = nullptr;       // what the codes mean (encoding, printing, legality)
  const NicheDescription* niche = nullptr;
  int generation = 0;
  std::vector<EvaluatedArch> parents;       // the niche's current Pareto archive
  std::vector<EvaluatedArch> last_children;  // children evaluated in the previous generation
  std::vector<std::string> last_rationales;  // same order as last_children
  // Every architecture evaluated in this niche so far (seeds too), with running statistics; the
  // search shares its own copy (copy-on-write), so building a state does not copy the history.
  NicheHistory history;
  KnowledgeBase knowledge;                   // the niche's rule base (updated in place)
  std::string dataset, device, cost_unit;    // for prompts
  std::function<bool(const ArchCode&)> seen;     // already evaluated anywhere in the run
  // The device cost of any architecture (a table or LUT look-up, free: no evaluation is spent);
  // nullopt = no cost on the device. May be empty (operators must then do without).
  std::function<std::optional<double>(const ArchCode&)> cost;
  // More than two objectives: the extra costs of any architecture (free look-ups, the evaluator's
  // order; empty function for two objectives) and their units, for screening and prompts.
  std::function<std::vector<std::optional<double>>(const ArchCode&)> extra_costs;
  std::vector<std::string> extra_cost_units;
  int children_wanted = 5;
};

// Outcomes an operator reports so runs can count them (LLM retries, rejections by reason, ...).
struct OperatorStats {
  std::map<std::string, std::int64_t> counters;  // e.g. "calls", "retries", "rejected:outside_niche"
  std::int64_t prompt_tokens = 0, completion_tokens = 0;
  // Sums saturate at INT64_MAX: token counts come from servers and caches and may be absurd.
  void add(const std::string& key, std::int64_t n = 1);
  void merge(const OperatorStats& other);
  nlohmann::json to_json() const;
};

class Operator {
 public:
  virtual ~Operator() = default;
  virtual std::string name() const = 0;
  // Step 1: revise state.knowledge from state.last_children (may be a no-op in generation 0).
  virtual void update_knowledge(NicheState& state, Rng& rng) = 0;
  // Step 2: propose children by crossover (p = 0.5) or mutation of state.parents, guided by the rules.
  virtual std::vector<ProposedChild> propose(const NicheState& state, Rng& rng) = 0;
  virtual const OperatorStats& stats() const = 0;
  // The loop may call update_knowledge/propose for different niches of one generation concurrently
  // (each niche with its own Rng and NicheState), up to this many at once; an operator that allows
  // more than 1 must be thread-safe (its stats too).
  virtual int preferred_concurrency() const { return 1; }
  // State the operator carries between generations beyond the knowledge bases (checkpointed with
  // the run, restored on --resume). Stateless operators keep the defaults.
  virtual nlohmann::json save_state() const { return nlohmann::json::object(); }
  virtual void restore_state(const nlohmann::json& state) { (void)state; }
};

class OperatorRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Operator>(const nlohmann::json& options)>;
  static OperatorRegistry& instance();
  void add(const std::string& name, const std::string& description, Factory factory);
  std::unique_ptr<Operator> make(const std::string& name, const nlohmann::json& options) const;  // lists valid names on error
  std::vector<std::string> names() const;

 private:
  std::vector<std::pair<std::string, std::pair<std::string, Factory>>> entries_;
};

// Defined in search/builtin_operators.cpp: the one list of built-in operators.
void register_builtin_operators(OperatorRegistry& registry);

}  // namespace pelnas
