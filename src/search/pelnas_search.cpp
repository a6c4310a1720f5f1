// PelnasSearch's run: the generation loop, checkpoint and resume from one, the factory.
#include "search/pelnas_search.h"

#include "common/error.h"
#include "common/json_fields.h"

namespace pelnas {

// ---- checkpoint ----------------------------------------------------------------------------

static OperatorStats stats_from_json(const nlohmann::json& j) {
  OperatorStats s;
  if (!j.is_object()) return s;
  if (j.contains("counters"))
    for (const auto& [k, v] : j["counters"].items()) s.counters[k] = json_fields::get_integral<std::int64_t>(v);
  s.prompt_tokens = j.value("prompt_tokens", std::int64_t{0});
  s.completion_tokens = j.value("completion_tokens", std::int64_t{0});
  return s;
}

// ---- the search --------------------------------------------------------------------------------

PelnasSearch::PelnasSearch(PelnasSearchOptions options) : options_(std::move(options)) {
  options_.validate();
  operator_ = OperatorRegistry::instance().make(options_.operator_name, options_.resolved_operator_options());
}

OperatorStats PelnasSearch::operator_stats() const {
  OperatorStats s = operator_stats_base_;
  s.merge(operator_->stats());
  return s;
}

PelnasCheckpoint PelnasSearch::checkpoint() const {
  PelnasCheckpoint c;
  c.generation = generation_done_;
  if (problem_) c.archive = problem_->archive();
  c.niches = niches_;
  const auto rngs = rng_states();
  for (std::size_t k = 0; k < rngs.size(); ++k) c.niches[k].rng_state = rngs[k];
  c.counters = counters_;
  c.operator_stats = operator_stats().to_json();
  c.operator_state = operator_->save_state();
  return c;
}

std::vector<std::string> PelnasSearch::rng_states() const {
  std::vector<std::string> out;
  for (const auto& r : rngs_) out.push_back(r.serialize());
  return out;
}

void PelnasSearch::run(Problem& problem, Rng& rng, const GenerationCallback& callback) {
  problem_ = &problem;
  niche_map_ = options_.make_niches(problem);
  const int n = niche_map_->size();
  niches_.assign(n, {});
  reset_fronts();
  niche_sizes_.assign(n, 0);
  for (int k = 0; k < n; ++k) niche_sizes_[k] = niche_map_->size_of(k);
  rngs_.clear();
  for (int k = 0; k < n; ++k) rngs_.push_back(rng.split(static_cast<std::uint64_t>(k)));
  planned_generations_ = options_.generations_for_budget(problem.budget().evaluations, n);
  const int cap = options_.max_generations(problem.budget().evaluations, n);
  int start = 0;
  if (has_resume_) {
    if (problem.evaluations() != 0) throw Error("pelnas search: resume needs a fresh problem");
    CheckpointExpectations expect;
    expect.niches = n;
    expect.generations = cap;
    expect.budget = problem.budget().evaluations;
    expect.niche_of = [this](const ArchCode& a) { return niche_map_->niche_of(a); };
    const Evaluator& ev = problem.evaluator();
    if (problem.space().name() == "nb201") expect.index_of = [&ev](const ArchCode& a) { return ev.data().index_of(a.nb201()); };
    expect.cost_of = [&problem](const ArchCode& a) { return problem.cost_of(a); };
    expect.print = [&problem](const ArchCode& a) { return problem.arch_string(a); };
    expect.extra_costs_of = [&problem](const ArchCode& a) { return problem.extra_costs_of(a); };
    expect.extra_cost_names = ev.extra_cost_names();
    resume_.validate(expect);  // never continue from an inconsistent state
    problem.restore(resume_.archive);
    niches_ = resume_.niches;
    for (int k = 0; k < n; ++k) rngs_[k] = Rng::deserialize(niches_[k].rng_state);
    counters_ = resume_.counters;
    operator_stats_base_ = stats_from_json(resume_.operator_stats);
    operator_->restore_state(resume_.operator_state);
    generation_done_ = resume_.generation;
    start = resume_.generation + 1;
    reset_fronts();
    if (counters_.count("stopped:no_unseen_cells")) start = cap + 1;  // it had stopped there
  }
  auto report = [&](int g) {
    generation_done_ = g;
    if (!callback) return true;
    return callback({g, problem.evaluations(), &problem.archive()}) == CallbackAction::Continue;
  };
  for (int g = start; g <= cap; ++g) {
    if (problem.exhausted()) break;
    const int before = problem.evaluations();
    if (g == 0) seed(problem);
    else evolve(problem, g);
    if (g > planned_generations_) ++counters_["extra_generations"];
    // Not one niche had an unseen cell left that could be evaluated: later generations could only
    // repeat this one. Stop after it (the budget cannot be spent) and say so in the counters.
    const bool stuck = problem.evaluations() == before;
    if (stuck) counters_["stopped:no_unseen_cells"] = 1;
    if (!report(g)) return;
    if (stuck) break;
  }
  if (!problem.exhausted()) counters_["budget_unspent"] = problem.remaining();
}

void PelnasSearch::check_budget(int budget) const {
  // The space is not known here: feature_bins (set by the caller for non-NB201 spaces) or NB201.
  options_.check_budget(budget, options_.niche_count(options_.feature_bins.is_null() ? "nb201" : "other"));
}

std::unique_ptr<Search> make_pelnas_search(const nlohmann::json& options) {
  return std::make_unique<PelnasSearch>(PelnasSearchOptions::from_json(options));
}

}  // namespace pelnas
