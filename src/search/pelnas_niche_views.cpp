// PelnasSearch's per-niche views, kept incrementally: niche and archive fronts, histories, NicheState.
#include "search/pelnas_search.h"

#include <algorithm>

namespace pelnas {

void PelnasSearch::reset_fronts() const {
  niche_fronts_.assign(niches_.size(), {});
  niche_fronts_fed_.assign(niches_.size(), 0);
  niche_front_entries_.assign(niches_.size(), {});
  niche_front_stale_.assign(niches_.size(), 1);
  archive_front_.clear();
  archive_front_fed_ = 0;
  archive_front_entries_.clear();
  archive_front_stale_ = true;
  histories_.assign(niches_.size(), {});
}

bool PelnasSearch::niche_used_up(int niche) const {
  // Members are distinct evaluated cells of the niche; its size counts the cells with a cost on the
  // device (an estimate for sampled spaces, never reached there). A niche holding a cell that cannot
  // be evaluated (no accuracy) never counts as used up: the operator is then asked as before.
  return static_cast<double>(niches_[static_cast<std::size_t>(niche)].members.size()) >= niche_sizes_[static_cast<std::size_t>(niche)];
}

const NicheHistory& PelnasSearch::niche_history(const Problem& problem, int niche) const {
  const auto k = static_cast<std::size_t>(niche);
  if (histories_.size() != niches_.size()) reset_fronts();
  const auto& entries = problem.archive().entries();
  NicheHistory& h = histories_[k];
  // The states of the last round are gone by now, so this appends in place (no copy on write).
  for (std::size_t i = h.size(); i < niches_[k].members.size(); ++i)
    h.push_back(entries[static_cast<std::size_t>(niches_[k].members[i] - 1)]);
  return h;
}

const ParetoFrontTracker& PelnasSearch::niche_front_tracker(const Problem& problem, int niche) const {
  const auto k = static_cast<std::size_t>(niche);
  if (niche_fronts_.size() != niches_.size()) reset_fronts();
  const auto& entries = problem.archive().entries();
  const auto& members = niches_[k].members;
  for (std::size_t& fed = niche_fronts_fed_[k]; fed < members.size(); ++fed) {
    const auto pos = static_cast<std::size_t>(members[fed] - 1);
    if (niche_fronts_[k].add(pos, entries[pos])) niche_front_stale_[k] = 1;
  }
  return niche_fronts_[k];
}

const std::vector<EvaluatedArch>& PelnasSearch::niche_front(const Problem& problem, int niche) const {
  const auto k = static_cast<std::size_t>(niche);
  const ParetoFrontTracker& tracker = niche_front_tracker(problem, niche);
  if (niche_front_stale_[k]) {
    const auto& entries = problem.archive().entries();
    auto& out = niche_front_entries_[k];
    out.clear();
    for (std::size_t pos : tracker.ids()) out.push_back(entries[pos]);
    niche_front_stale_[k] = 0;
  }
  return niche_front_entries_[k];
}

const std::vector<EvaluatedArch>& PelnasSearch::archive_front(const Problem& problem) const {
  const auto& entries = problem.archive().entries();
  for (; archive_front_fed_ < entries.size(); ++archive_front_fed_)
    if (archive_front_.add(archive_front_fed_, entries[archive_front_fed_])) archive_front_stale_ = true;
  if (archive_front_stale_) {
    archive_front_entries_.clear();
    for (std::size_t pos : archive_front_.ids()) archive_front_entries_.push_back(entries[pos]);
    archive_front_stale_ = false;
  }
  return archive_front_entries_;
}

std::vector<EvaluatedArch> PelnasSearch::final_front() const {
  if (!problem_) return {};
  Archive u;
  for (std::size_t k = 0; k < niches_.size(); ++k)
    for (const auto& e : niche_front(*problem_, static_cast<int>(k))) u.add(e);
  return u.pareto_front();
}

NicheState PelnasSearch::build_state(const Problem& problem, int k, int generation, int wanted) const {
  NicheState s;
  s.space = &problem.space();
  s.niche = &niche_map_->niches()[k];
  s.generation = generation;
  s.parents = niche_front(problem, k);
  if (options_.migrant_parents > 0) {
    // Global-front members of other niches, nearest in cost to this niche's front first.
    const auto& front = archive_front(problem);
    std::vector<std::pair<double, std::size_t>> near;  // (distance in cost, position in the front)
    double lo = 1e300, hi = -1e300;
    for (const auto& p : s.parents) lo = std::min(lo, p.cost), hi = std::max(hi, p.cost);
    for (std::size_t i = 0; i < front.size(); ++i) {
      const auto& e = front[i];
      if (e.niche != k) near.emplace_back(e.cost < lo ? lo - e.cost : (e.cost > hi ? e.cost - hi : 0.0), i);
    }
    std::stable_sort(near.begin(), near.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (int i = 0; i < options_.migrant_parents && i < static_cast<int>(near.size()); ++i) s.parents.push_back(front[near[i].second]);
  }
  const auto& entries = problem.archive().entries();
  for (int order : niches_[k].last_children) s.last_children.push_back(entries[order - 1]);
  s.last_rationales = niches_[k].last_rationales;
  s.history = niche_history(problem, k);  // shared, not copied
  s.knowledge = niches_[k].knowledge;
  s.dataset = problem.space().dataset();
  s.device = problem.evaluator().cost_name();
  s.cost_unit = problem.evaluator().cost_unit();
  s.seen = [&problem](const ArchCode& a) { return problem.seen(a); };
  s.cost = [&problem](const ArchCode& a) { return problem.cost_of(a); };
  if (const auto names = problem.evaluator().extra_cost_names(); !names.empty()) {
    // Prompts name every cost objective: "fpga_latency, fpga_energy" in "ms, mJ".
    const auto units = problem.evaluator().extra_cost_units();
    for (std::size_t k = 0; k < names.size(); ++k) {
      s.device += ", " + names[k];
      s.cost_unit += ", " + units[k];
      s.extra_cost_units.push_back(units[k]);
    }
    s.extra_costs = [&problem](const ArchCode& a) { return problem.extra_costs_of(a); };
  }
  s.children_wanted = wanted;
  return s;
}

}  // namespace pelnas
