#pragma once
// The `evolution` operator: the PEL-NAS loop without a model (the paper's "without LLM" ablation,
// and the default when no model is configured). It works on any SearchSpace's encoding (positions
// = NB201 edges, FBNet layers). Children come from uniform per-position crossover of two Pareto
// parents (probability crossover_probability) or from mutating 1-2 positions of one parent,
// always inside the niche and unseen. The rule base is learned from the niche's archive: per
// (edge, op), how often it occurs among the niche's Pareto members versus its dominated members;
// strong enrichment gives a positive rule ("edge 3<-0: prefer nor_conv_3x3"), strong depletion a
// negative one, each with the architectures it was counted on as evidence. Mutation draws the new
// op of an edge with weights raised by positive and lowered by negative rules.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "search/operator.h"
#include "search/used_up_neighbourhoods.h"

namespace pelnas {

struct EvolutionOperatorOptions {
  double crossover_probability = 0.5;
  double two_edge_mutation_probability = 0.3;  // else one edge
  // Of the mutations, the share that swaps the ops of two edges instead of redrawing ops: it keeps
  // the op counts (so the niche and, on count-driven devices, the cost level) and moves along it.
  double swap_probability = 0.25;
  // Parent choice among the niche's Pareto members: "frontier" weighs each by its unexplored
  // in-niche neighbours (so the search spreads along the front); "uniform" picks uniformly.
  std::string parent_selection = "frontier";
  double rule_weight = 3.0;     // op weight factor of a positive rule (1/rule_weight for a negative one)
  double min_lift = 1.5;        // enrichment needed for a positive rule (1/min_lift for a negative one)
  int min_support = 2;          // occurrences needed behind a rule
  int max_rules = 6;            // per polarity
  int max_attempts = 200;       // draws per child before falling back to a random unseen niche member
  // Each child is the best of this many usable candidates (crossover/mutation draws), ranked by an
  // additive per-(edge, op) accuracy model fitted to the niche's evaluated cells (ridge regression)
  // against the best accuracy already known at no higher cost (the state's cost look-up). The
  // statistics-learned stand-in for the LLM's judgement of which child is worth evaluating.
  // 1 = no screening (plain evolution).
  int screen_candidates = 6;
  double ridge = 1.0;           // L2 penalty of the screening model
  double screen_floor_quantile = 0.25;  // fit targets below this accuracy quantile are raised to it (0 = off)
  // Throws pelnas::Error naming the bad field.
  void validate() const;
  nlohmann::json to_json() const;
  // Unknown keys are errors (naming the key and the valid ones).
  static EvolutionOperatorOptions from_json(const nlohmann::json& j);
};

class EvolutionOperator : public Operator {
 public:
  explicit EvolutionOperator(EvolutionOperatorOptions options);
  std::string name() const override { return "evolution"; }
  void update_knowledge(NicheState& state, Rng& rng) override;
  std::vector<ProposedChild> propose(const NicheState& state, Rng& rng) override;
  const OperatorStats& stats() const override { return stats_; }
  // Niches at once: up to 4, never more than the machine's hardware threads. The operator is
  // CPU-bound, so more threads than cores only add context switches (generation_cost_bench on 2
  // cores: 4 threads cost ~10 % more CPU per generation late in a long run than 2). Results do not
  // depend on it: every niche has its own Rng.
  int preferred_concurrency() const override;
  const EvolutionOperatorOptions& options() const { return options_; }

  // The rule text for (position, choice) of a space ("edge 3<-0: prefer nor_conv_3x3"), and its
  // inverse (nullopt for text not in that form, e.g. LLM rules).
  static std::string rule_text(const SearchSpace& space, int position, int choice, bool positive);
  static std::optional<std::pair<int, int>> parse_rule_text(const SearchSpace& space, const std::string& text, bool& positive);

 private:
  EvolutionOperatorOptions options_;
  OperatorStats stats_;
  mutable std::mutex mutex_;  // guards stats_ (niches may run concurrently)
  UsedUpNeighbourhoods used_up_;  // derived from the seen cells, so never saved: a resume rebuilds it
  // Per niche, what update_knowledge last saw and wrote: a niche whose history did not change since
  // (a used-up niche late in a run) gets the same rule base again, so it is not recomputed.
  struct LastUpdate {
    int generation = 0;
    std::size_t history = 0;
    ArchCode last;               // the history's last entry
    std::uint64_t written = 0;   // fingerprint of the rule base left (no copy: a call's cost)
  };
  std::map<int, LastUpdate> last_update_;  // guarded by mutex_
  void count(const std::string& key);
  static const SearchSpace& space_of(const NicheState& state);  // throws if the state has no space
};

std::unique_ptr<Operator> make_evolution_operator(const nlohmann::json& options);

}  // namespace pelnas
