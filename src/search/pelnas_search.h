#pragma once
// The PEL-NAS search on any SearchSpace: partition the space into niches (NB201: the paper's rule
// tables; a space that cannot be listed, e.g. FBNet: equal-frequency feature bins), seed each
// niche's archive with a few random members, then for each generation and niche (1) update the niche's knowledge base from last round's
// children and (2) propose children with a variation operator ("evolution", "llm", ...), validate
// them (legal cell, inside the niche, unseen), evaluate them through the Problem and merge them into
// the niche's Pareto archive. The final front is the non-dominated union of the niche archives.
//
// A generation runs in three phases so that results never depend on the thread count:
//   (a) build each niche's NicheState, (b) update_knowledge + propose per niche, concurrently up to a
//   limit, each niche with its own Rng stream (rng.split(niche)), (c) validate and evaluate in niche
//   order. Generation 0 is the seeding.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/thread_pool.h"
#include "search/operator.h"
#include "search/pelnas_checkpoint.h"
#include "search/niche_partition.h"
#include "search/pareto_front_tracker.h"
#include "search/partition.h"
#include "search/search.h"

namespace pelnas {

struct PelnasSearchOptions {
  std::string partition = "paper";       // built-in name or CSV path (ignored when no_partition)
  nlohmann::json partition_table;         // a resolved Partition::to_json(); wins over `partition` when set
  bool no_partition = false;              // one niche for the whole space (the paper's ablation)
  // FeatureBinOptions::to_json(): niches as equal-frequency bins of a space feature. Null (the
  // default): NB201 uses `partition`, any other space the default bins (FLOPs x 6, docs/FBNET.md).
  nlohmann::json feature_bins;
  // Generations after the seeding. kGenerationsFromBudget (the default): as many as it takes to
  // spend the Problem's budget (ceil((budget - seeding) / children per generation), then more while
  // a generation still finds new children, so a shortfall is made up). A fixed number must be
  // able to spend the budget (check_budget refuses otherwise).
  static constexpr int kGenerationsFromBudget = -1;
  static constexpr int kDefaultGenerations = 10;  // the default budget's plan (the paper's 10)
  int generations = kGenerationsFromBudget;
  int children_per_call = 5;
  // Model calls per niche per generation as the paper counts them: one knowledge update plus
  // (calls_per_niche - 1) proposal calls of children_per_call children each. Paper: 2 (120 calls).
  int calls_per_niche = 2;
  int seeds_per_niche = 4;                // random cells seeding each niche archive
  std::string operator_name = "evolution";
  nlohmann::json operator_options = nlohmann::json::object();
  double crossover_probability = 0.5;     // handed to the operator unless its options set it
  int max_proposal_rounds = 3;            // extra propose() calls when too few children were valid
  int concurrency = 0;                    // niches processed at once in phase (b); 0 = operator's preference
  // How a generation's children (niches x children_per_niche_generation) are shared among niches.
  // "equal" (the paper): the same number per niche. "front" (guess, our default): min_children_per_niche
  // each, the rest in proportion to (1 + the niche's members on the current global front) x
  // (niche size)^allocation_size_exponent; computed from the archive alone, so it is deterministic.
  std::string allocation = "front";
  int min_children_per_niche = 2;
  double allocation_size_exponent = 0.5;
  // Besides its own Pareto members, a niche's parents include global-front members of other niches
  // (children must still fall inside the niche): up to this many, nearest in cost first. 0 = paper.
  int migrant_parents = 16;

  // Evaluations this configuration plans for n niches (seeds + children), the default budget
  // (kDefaultGenerations when the generations come from the budget).
  int planned_evaluations(int niches) const;
  int seeding_evaluations(int niches) const { return niches * seeds_per_niche; }
  // The generations a run with this budget plans (fixed, or derived from the budget).
  int generations_for_budget(int budget, int niches) const;
  // The most generations a run may take: the plan, plus top-ups when generations come from the budget.
  int max_generations(int budget, int niches) const;
  // Throws pelnas::Error when the budget is below the seeding cost (naming the minimum) or when a
  // fixed number of generations cannot spend it (never under-spend silently).
  void check_budget(int budget, int niches) const;
  int children_per_niche_generation() const { return children_per_call * (calls_per_niche - 1); }
  void validate() const;  // throws pelnas::Error naming the bad field
  nlohmann::json to_json() const;
  static PelnasSearchOptions from_json(const nlohmann::json& j);  // unknown keys are errors
  Partition resolve_partition() const;  // NB201's rule table
  // Niches this configuration has on `space` (what check_budget and plans count).
  int niche_count(const std::string& space) const;
  // The niches on the problem's space (rule table on NB201 unless feature_bins is set, feature
  // bins otherwise); throws pelnas::Error naming the problem (a partition that leaves gaps, ...).
  std::unique_ptr<NichePartition> make_niches(const Problem& problem) const;
  // The operator options with crossover_probability filled in (when the operator accepts it).
  nlohmann::json resolved_operator_options() const;
};

struct PelnasProgress {
  int generation = 0, niche = 0, niches = 0, evaluations = 0, budget = 0;
  std::int64_t tokens = 0;
};

class PelnasSearch : public Search {
 public:
  explicit PelnasSearch(PelnasSearchOptions options);
  std::string name() const override { return "pelnas"; }
  void run(Problem& problem, Rng& rng, const GenerationCallback& callback) override;
  void check_budget(int budget) const override;
  // Generations this run plans (valid from run(); fixed, or derived from the Problem's budget).
  int planned_generations() const { return planned_generations_; }

  // Continue from a checkpoint instead of starting afresh (the Problem must be fresh).
  void resume_from(PelnasCheckpoint checkpoint) { resume_ = std::move(checkpoint); has_resume_ = true; }
  // The state after the last completed generation; valid inside the GenerationCallback and after run().
  PelnasCheckpoint checkpoint() const;
  std::function<void(const PelnasProgress&)> on_progress;  // after each niche's evaluations

  const PelnasSearchOptions& options() const { return options_; }
  const NichePartition* niche_map() const { return niche_map_.get(); }
  const std::vector<NicheRecord>& niches() const { return niches_; }
  // Operator statistics accumulated over the whole run (including before a resume).
  OperatorStats operator_stats() const;
  const std::map<std::string, std::int64_t>& counters() const { return counters_; }
  // Last completed generation (-1 before the seeding) and each niche's serialised Rng: with niches()
  // and the archive, what a journal record of a generation holds (run/run_state_store.h).
  int generation_done() const { return generation_done_; }
  std::vector<std::string> rng_states() const;
  const Operator* op() const { return operator_.get(); }
  // Non-dominated union of the niche archives.
  std::vector<EvaluatedArch> final_front() const;
  // Size of a niche's Pareto front (kept up to date incrementally); valid inside the callback and after run().
  std::size_t niche_front_size(int niche) const { return problem_ ? niche_front_tracker(*problem_, niche).size() : 0; }

 private:
  PelnasSearchOptions options_;
  std::unique_ptr<Operator> operator_;
  std::unique_ptr<NichePartition> niche_map_;
  std::vector<NicheRecord> niches_;
  std::vector<Rng> rngs_;
  std::vector<double> niche_sizes_;
  std::map<std::string, std::int64_t> counters_;
  OperatorStats operator_stats_base_;
  int generation_done_ = -1;
  int planned_generations_ = 0;
  const Problem* problem_ = nullptr;
  PelnasCheckpoint resume_;
  bool has_resume_ = false;
  std::unique_ptr<ThreadPool> pool_;  // phase (b) workers, made once per run and reused every generation
  // The niche fronts and the archive's front, brought up to date with what was added since they
  // were last read (members and the archive only grow within a run; run() resets them).
  // The fronts' entries are copied out only when a front changed: late in a long run the fronts
  // are read 13 times a generation and rarely change.
  mutable std::vector<ParetoFrontTracker> niche_fronts_;
  mutable std::vector<std::size_t> niche_fronts_fed_;
  mutable std::vector<std::vector<EvaluatedArch>> niche_front_entries_;
  mutable std::vector<char> niche_front_stale_;
  mutable ParetoFrontTracker archive_front_;
  mutable std::size_t archive_front_fed_ = 0;
  mutable std::vector<EvaluatedArch> archive_front_entries_;
  mutable bool archive_front_stale_ = true;
  // Each niche's history (what operators learn from), kept the same way and shared with the states.
  mutable std::vector<NicheHistory> histories_;
  void reset_fronts() const;
  const NicheHistory& niche_history(const Problem& problem, int niche) const;
  // Every cell of the niche has been evaluated (exactly known for enumerable partitions).
  bool niche_used_up(int niche) const;
  const std::vector<EvaluatedArch>& archive_front(const Problem& problem) const;

  void seed(Problem& problem);
  void evolve(Problem& problem, int generation);
  std::vector<int> quotas(const Problem& problem, int per_niche) const;
  // Children per niche for one generation under options_.allocation (sums to the equal total).
  std::vector<int> allocate(const Problem& problem) const;
  NicheState build_state(const Problem& problem, int niche, int generation, int wanted) const;
  const std::vector<EvaluatedArch>& niche_front(const Problem& problem, int niche) const;
  // Brings niche k's front tracker up to date with its members.
  const ParetoFrontTracker& niche_front_tracker(const Problem& problem, int niche) const;
  // When the operator gave a niche nothing usable in a generation: up to `wanted` of the niche's
  // unseen members, drawn uniformly with the niche's Rng (so a whole-space budget always finishes).
  int enumerate_unseen(Problem& problem, int niche, int generation, int wanted, std::vector<int>& children,
                       std::vector<std::string>& rationales);
  // Up to `wanted` distinct unseen members of a niche that cannot be listed, by sampling the space
  // with `rng` (a bounded number of draws; fewer when the niche is nearly used up).
  std::vector<ArchCode> sample_unseen(const Problem& problem, int niche, int wanted, Rng& rng) const;
};

std::unique_ptr<Search> make_pelnas_search(const nlohmann::json& options);

}  // namespace pelnas
