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
  if (evaluator_.tabulated() && evaluator_.space().name() == "nb201") seen_cells_.assign(static_cast<std::size_t>(kNumArchs), 0);
}

void Problem::mark_seen(const ArchCode& code) {
  seen_.insert(code);
  if (!seen_cells_.empty())
    if (const int lex = code.nb201_lex_code(); lex >= 0) seen_cells_[static_cast<std::size_t>(lex)] = 1;
}

std::optional<EvaluatedArch> Problem::evaluate(const ArchCode& code, int generation, int niche) {
  if (exhausted() || seen(code)) return std::nullopt;
  mark_seen(code);
  if (!evaluator_.in_domain(code)) return std::nullopt;
  const Objectives o = evaluator_.evaluate(code);
  if (!o.complete()) return std::nullopt;
  EvaluatedArch e;
  e.code = code;
  if (evaluator_.tabulated()) {  // the NB201 cell and its table index
    e.arch = code.nb201();
    e.index = evaluator_.data().index_of(e.arch);
  }
  e.accuracy = *o.accuracy;
  e.cost = *o.cost;
  for (const auto& c : o.extra_costs) e.extra_costs.push_back(*c);
  e.order = evaluations() + 1;
  e.generation = generation;
  e.niche = niche;
  archive_.add(e);
  return e;
}

void Problem::prefetch(std::span<const ArchCode> codes) {
  if (!evaluator_.tabulated()) {
    std::vector<ArchCode> todo;
    std::unordered_set<ArchCode> queued;
    for (const ArchCode& c : codes) {
      if (static_cast<int>(todo.size()) >= remaining()) break;
      if (seen(c) || !queued.insert(c).second || !in_domain(c)) continue;
      todo.push_back(c);
    }
    evaluator_.prefetch(std::span<const ArchCode>(todo));
    return;
  }
  std::vector<Arch> todo;
  std::unordered_set<ArchCode> queued;
  for (const ArchCode& c : codes) {
    if (static_cast<int>(todo.size()) >= remaining()) break;
    if (seen(c) || !queued.insert(c).second || !in_domain(c)) continue;
    todo.push_back(c.nb201());
  }
  evaluator_.prefetch(todo);
}

void Problem::prefetch(std::span<const Arch> archs) {
  std::vector<ArchCode> codes;
  codes.reserve(archs.size());
  for (const Arch& a : archs) codes.push_back(ArchCode::from_nb201(a));
  prefetch(std::span<const ArchCode>(codes));
}

std::vector<std::optional<EvaluatedArch>> Problem::evaluate_many(std::span<const ArchCode> codes, int generation,
                                                                 int niche) {
  prefetch(codes);
  std::vector<std::optional<EvaluatedArch>> out;
  out.reserve(codes.size());
  for (const ArchCode& c : codes) out.push_back(evaluate(c, generation, niche));
  return out;
}

std::vector<std::optional<EvaluatedArch>> Problem::evaluate_many(std::span<const Arch> archs, int generation,
                                                                 int niche) {
  std::vector<ArchCode> codes;
  codes.reserve(archs.size());
  for (const Arch& a : archs) codes.push_back(ArchCode::from_nb201(a));
  return evaluate_many(std::span<const ArchCode>(codes), generation, niche);
}

std::optional<double> Problem::cost_of(const ArchCode& code) const { return evaluator_.cost_of(code); }

std::vector<std::optional<double>> Problem::extra_costs_of(const ArchCode& code) const { return evaluator_.extra_costs_of(code); }

std::optional<std::vector<ArchCode>> Problem::domain_members() const {
  if (!evaluator_.tabulated()) return std::nullopt;
  std::vector<ArchCode> out;
  for (const Arch& a : evaluator_.domain_members()) out.push_back(ArchCode::from_nb201(a));
  return out;
}

void Problem::restore(const Archive& archive) {
  for (const auto& e : archive.entries()) {
    archive_.add(e);
    mark_seen(e.code);
  }
}

}  // namespace pelnas
