#include "search/problem.h"

#include "common/error.h"

namespace pelnas {

void Budget::validate(int domain_size) const {
  if (evaluations < 1 || evaluations > domain_size)
    throw Error("budget: evaluations must be in [1, " + std::to_string(domain_size) + "] (the architectures with a cost on this device), got " +
                std::to_string(evaluations));
}

Problem::Problem(Evaluator& evaluator, Budget budget) : evaluator_(evaluator), budget_(budget) {
  budget_.validate(evaluator_.domain_size());
}

std::optional<EvaluatedArch> Problem::evaluate(const Arch& arch, int generation, int niche) {
  if (exhausted() || seen(arch)) return std::nullopt;
  seen_.insert(arch.lex_code());
  if (!evaluator_.in_domain(arch)) return std::nullopt;
  const Objectives o = evaluator_.evaluate(arch);
  if (!o.complete()) return std::nullopt;
  EvaluatedArch e;
  e.arch = arch;
  e.index = evaluator_.data().index_of(arch);
  e.accuracy = *o.accuracy;
  e.cost = *o.cost;
  e.order = evaluations() + 1;
  e.generation = generation;
  e.niche = niche;
  archive_.add(e);
  return e;
}

void Problem::prefetch(std::span<const Arch> archs) {
  std::vector<Arch> todo;
  std::unordered_set<int> queued;
  for (const Arch& a : archs) {
    if (static_cast<int>(todo.size()) >= remaining()) break;
    if (seen(a) || !queued.insert(a.lex_code()).second || !in_domain(a)) continue;
    todo.push_back(a);
  }
  evaluator_.prefetch(todo);
}

std::vector<std::optional<EvaluatedArch>> Problem::evaluate_many(std::span<const Arch> archs, int generation,
                                                                 int niche) {
  prefetch(archs);
  std::vector<std::optional<EvaluatedArch>> out;
  out.reserve(archs.size());
  for (const Arch& a : archs) out.push_back(evaluate(a, generation, niche));
  return out;
}

void Problem::restore(const Archive& archive) {
  for (const auto& e : archive.entries()) {
    archive_.add(e);
    seen_.insert(e.arch.lex_code());
  }
}

}  // namespace pelnas
