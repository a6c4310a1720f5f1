#pragma once
// What a search sees: evaluate an architecture (deduplicated, within the cost source's domain)
// until the budget of unique evaluated architectures is spent. It owns the archive.
#include <optional>
#include <unordered_set>

#include "evaluate/evaluator.h"
#include "search/archive.h"

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
  std::optional<EvaluatedArch> evaluate(const Arch& arch, int generation = 0, int niche = -1);
  bool seen(const Arch& arch) const { return seen_.count(arch.lex_code()) > 0; }
  bool in_domain(const Arch& arch) const { return evaluator_.in_domain(arch); }
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
  std::unordered_set<int> seen_;  // lex codes, including rejected (out-of-domain) ones
};

}  // namespace pelnas
