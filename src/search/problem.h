#pragma once
// What a search sees: evaluate an architecture (deduplicated, within the cost source's domain)
// until the budget of unique evaluated architectures is spent. It owns the archive.
// Architectures are keyed by their ArchCode in the evaluator's SearchSpace (space-generic); the
// Arch overloads are the NB201 cell's shorthand.
#include <optional>
#include <span>
#include <vector>
#include <unordered_set>

#include "evaluate/evaluator.h"
#include "search/archive.h"
#include "space/arch_code.h"

namespace pelnas {

struct Budget {
  int evaluations = 300;  // unique evaluated architectures
  // Throws pelnas::Error naming the field when not in [1, domain_size].
  void validate(int domain_size) const;
};

class Problem {
 public:
  Problem(Evaluator& evaluator, Budget budget);

  // Evaluates an architecture not seen before and appends it to the archive. Returns nullopt (and
  // spends nothing) if it was seen, is outside the domain (no cost), has no accuracy, or the
  // budget is spent.
  std::optional<EvaluatedArch> evaluate(const ArchCode& code, int generation = 0, int niche = -1);
  std::optional<EvaluatedArch> evaluate(const Arch& arch, int generation = 0, int niche = -1) {
    return evaluate(ArchCode::from_nb201(arch), generation, niche);
  }
  // Batch form: the same as evaluate() on each arch in order (same archive, same results), but
  // the accuracies of the archs that evaluate() would pay for are computed as one batch.
  std::vector<std::optional<EvaluatedArch>> evaluate_many(std::span<const ArchCode> codes, int generation = 0,
                                                          int niche = -1);
  std::vector<std::optional<EvaluatedArch>> evaluate_many(std::span<const Arch> archs, int generation = 0,
                                                          int niche = -1);
  // The archs among `archs` that evaluate() in this order would evaluate if every evaluation
  // succeeded: unseen, in the domain, no repeats, at most remaining(). Their accuracies are
  // computed as one batch and memoised by the evaluator (no archive change): searches whose
  // per-child logic is sequential call this first, then evaluate() child by child for free.
  void prefetch(std::span<const ArchCode> codes);
  void prefetch(std::span<const Arch> archs);
  bool seen(const ArchCode& code) const {
    if (!seen_cells_.empty()) {  // NB201: a flag per cell, no hashing (operators ask this for every draw)
      const int lex = code.nb201_lex_code();
      if (lex >= 0) return seen_cells_[static_cast<std::size_t>(lex)] != 0;
    }
    return seen_.count(code) > 0;
  }
  bool seen(const Arch& arch) const { return seen(ArchCode::from_nb201(arch)); }
  bool in_domain(const ArchCode& code) const { return evaluator_.in_domain(code); }
  bool in_domain(const Arch& arch) const { return evaluator_.in_domain(arch); }
  // The device cost(s) of any architecture: free look-ups (no evaluation spent, nothing recorded).
  std::optional<double> cost_of(const ArchCode& code) const;
  std::vector<std::optional<double>> extra_costs_of(const ArchCode& code) const;  // empty for two objectives
  // The space architectures come from, and its canonical string of a code.
  const SearchSpace& space() const { return evaluator_.space(); }
  std::string arch_string(const ArchCode& code) const { return space().print(code.encoding()); }
  // Every architecture of the domain in a fixed order (NB201: index order), or nullopt when the
  // space is too large to list (searches then sample it).
  std::optional<std::vector<ArchCode>> domain_members() const;
  bool exhausted() const { return evaluations() >= budget_.evaluations; }
  int evaluations() const { return static_cast<int>(archive_.size()); }
  int remaining() const { return budget_.evaluations - evaluations(); }
  const Budget& budget() const { return budget_; }
  const Archive& archive() const { return archive_; }
  Evaluator& evaluator() { return evaluator_; }
  const Evaluator& evaluator() const { return evaluator_; }
  // Restores a checkpointed archive (resume): entries count as evaluated and seen.
  void restore(const Archive& archive);

 private:
  Evaluator& evaluator_;
  Budget budget_;
  Archive archive_;
  std::unordered_set<ArchCode> seen_;  // including rejected (out-of-domain) ones
  std::vector<char> seen_cells_;       // NB201 (tabulated): seen_ as a flag per cell, by lex code
  void mark_seen(const ArchCode& code);
};

}  // namespace pelnas
