// One PEL-NAS generation: children shared among niches, the seeding, and evolve's three phases.
#include "search/pelnas_search.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <set>
#include <utility>

namespace pelnas {

std::vector<int> PelnasSearch::quotas(const Problem& problem, int per_niche) const {
  // When the budget cannot pay for every niche, share what is left evenly (lower niches first).
  const int n = static_cast<int>(niches_.size());
  std::vector<int> q(n, per_niche);
  const int remaining = problem.remaining();
  if (remaining < per_niche * n)
    for (int k = 0; k < n; ++k) q[k] = std::min(per_niche, remaining / n + (k < remaining % n ? 1 : 0));
  return q;
}

std::vector<int> PelnasSearch::allocate(const Problem& problem) const {
  const int n = static_cast<int>(niches_.size());
  const int per = options_.children_per_niche_generation();
  if (options_.allocation == "equal" || n == 1) return quotas(problem, per);
  const int total = std::min(per * n, problem.remaining());
  const int floor_each = std::min(options_.min_children_per_niche, total / n);
  std::vector<int> q(n, floor_each);
  int rest = total - floor_each * n;
  // Weights: the niche's share of the current global front (plus one, so an empty niche still
  // draws) times a size factor (bigger niches have more cost levels to cover).
  std::vector<double> w(n, 1.0);
  for (const auto& e : archive_front(problem))
    if (e.niche >= 0 && e.niche < n) w[e.niche] += 1.0;
  for (int k = 0; k < n; ++k) w[k] *= std::pow(std::max(1.0, niche_sizes_[k]), options_.allocation_size_exponent);
  double sum = 0;
  for (double x : w) sum += x;
  // Largest remainder, ties to the lower niche: deterministic.
  std::vector<std::pair<double, int>> frac;
  int given = 0;
  for (int k = 0; k < n; ++k) {
    const double exact = rest * w[k] / sum;
    const int whole = static_cast<int>(std::floor(exact));
    q[k] += whole;
    given += whole;
    frac.emplace_back(exact - whole, k);
  }
  std::stable_sort(frac.begin(), frac.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int i = 0; i < rest - given; ++i) ++q[frac[static_cast<std::size_t>(i) % frac.size()].second];
  return q;
}

void PelnasSearch::seed(Problem& problem) {
  const int n = static_cast<int>(niches_.size());
  const auto q = quotas(problem, options_.seeds_per_niche);
  std::vector<std::optional<std::vector<ArchCode>>> members(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) members[k] = niche_map_->members(k);
  // The seeds of all niches are drawn first with copies of the niche Rngs (the draws do not depend
  // on evaluation results) so their accuracies are computed as one batch; the loop below then
  // draws the same archs again and evaluates them from the memo.
  std::vector<ArchCode> batch;
  for (int k = 0; k < n; ++k) {
    Rng rng = rngs_[k];
    if (!members[k]) {
      for (const ArchCode& c : sample_unseen(problem, k, q[k], rng)) batch.push_back(c);
      continue;
    }
    std::vector<ArchCode> pool = *members[k];
    int got = 0;
    for (std::size_t i = 0; i < pool.size() && got < q[k]; ++i) {
      const auto j = static_cast<std::size_t>(rng.uniform_int(static_cast<std::int64_t>(i), static_cast<std::int64_t>(pool.size() - 1)));
      std::swap(pool[i], pool[j]);
      if (problem.seen(pool[i])) continue;
      batch.push_back(pool[i]);
      ++got;
    }
  }
  problem.prefetch(batch);
  auto take = [&](int k, const ArchCode& c) {
    if (auto e = problem.evaluate(c, 0, k)) {
      niches_[k].members.push_back(e->order);
      niches_[k].last_children.push_back(e->order);
      niches_[k].last_rationales.push_back("random seed of the niche");
      ++counters_["evaluated:seed"];
      return true;
    }
    return false;
  };
  for (int k = 0; k < n; ++k) {
    int got = 0;
    if (!members[k]) {
      // Sampled niches: the same draws as above; a seed without an accuracy is replaced by more draws.
      for (int round = 0; round < 3 && got < q[k] && !problem.exhausted(); ++round)
        for (const ArchCode& c : sample_unseen(problem, k, q[k] - got, rngs_[k]))
          if (!problem.exhausted() && take(k, c)) ++got;
    } else {
      std::vector<ArchCode> pool = std::move(*members[k]);
      // Partial Fisher-Yates over the niche's members: uniform, without repetition, deterministic.
      for (std::size_t i = 0; i < pool.size() && got < q[k] && !problem.exhausted(); ++i) {
        const auto j = static_cast<std::size_t>(rngs_[k].uniform_int(static_cast<std::int64_t>(i), static_cast<std::int64_t>(pool.size() - 1)));
        std::swap(pool[i], pool[j]);
        if (problem.seen(pool[i])) continue;
        if (take(k, pool[i])) ++got;
      }
    }
    if (on_progress) on_progress({0, k, n, problem.evaluations(), problem.budget().evaluations, operator_stats().prompt_tokens + operator_stats().completion_tokens});
  }
}

std::vector<ArchCode> PelnasSearch::sample_unseen(const Problem& problem, int k, int wanted, Rng& rng) const {
  std::vector<ArchCode> out;
  std::set<ArchCode> taken;
  const SearchSpace& space = problem.space();
  // About size() draws hit an equal-frequency niche; the bound keeps a nearly used-up niche finite.
  const int max_draws = 1000 + 200 * niche_map_->size() * std::max(1, wanted);
  for (int d = 0; d < max_draws && static_cast<int>(out.size()) < wanted; ++d) {
    const ArchCode c = ArchCode::from_encoding(space.sample(rng));
    if (niche_map_->niche_of(c) != k || problem.seen(c) || !taken.insert(c).second || !problem.in_domain(c)) continue;
    out.push_back(c);
  }
  return out;
}

int PelnasSearch::enumerate_unseen(Problem& problem, int k, int generation, int wanted, std::vector<int>& children,
                                   std::vector<std::string>& rationales) {
  // A used-up listed niche has no unseen member (and listing it scans the whole space): every
  // generation of a long run asked this of each used-up niche. Nothing drawn, nothing changes.
  if (niche_map_->listable() && niche_used_up(k)) return 0;
  auto members = niche_map_->members(k);
  std::vector<ArchCode> pool;
  if (members) {
    for (const ArchCode& a : *members)
      if (!problem.seen(a)) pool.push_back(a);
  }
  int got = 0;
  auto take = [&](const ArchCode& c) {
    if (auto e = problem.evaluate(c, generation, k)) {
      niches_[k].members.push_back(e->order);
      children.push_back(e->order);
      rationales.push_back("unseen member of the niche (the operator proposed none)");
      ++got;
      ++counters_["evaluated:enumerated"];
    }
  };
  if (!members) {
    for (const ArchCode& c : sample_unseen(problem, k, wanted, rngs_[k]))
      if (!problem.exhausted()) take(c);
    return got;
  }
  // Partial Fisher-Yates, as in the seeding: uniform, without repetition, deterministic.
  for (std::size_t i = 0; i < pool.size() && got < wanted && !problem.exhausted(); ++i) {
    const auto j = static_cast<std::size_t>(rngs_[k].uniform_int(static_cast<std::int64_t>(i), static_cast<std::int64_t>(pool.size() - 1)));
    std::swap(pool[i], pool[j]);
    take(pool[i]);
  }
  return got;
}

void PelnasSearch::evolve(Problem& problem, int generation) {
  const int n = static_cast<int>(niches_.size());
  std::vector<int> need = allocate(problem);
  std::vector<std::vector<int>> children(n);
  std::vector<std::vector<std::string>> rationales(n);
  int limit = options_.concurrency > 0 ? options_.concurrency : operator_->preferred_concurrency();
  limit = std::max(1, limit);
  // Operators may propose anything; only legal architectures of the space reach the Problem.
  const SearchSpace& space = problem.space();
  auto legal = [&space](const ArchCode& c) { return c.size() == space.length() && space.legal(c.encoding()); };

  for (int round = 0; round < options_.max_proposal_rounds; ++round) {
    std::vector<int> active;
    for (int k = 0; k < n; ++k)
      if (need[k] > 0) active.push_back(k);
    if (active.empty() || problem.exhausted()) break;
    // (a) states
    std::vector<NicheState> states;
    for (int k : active) states.push_back(build_state(problem, k, generation, need[k]));
    // (b) operator calls, concurrently in batches of `limit`; each niche uses only its own Rng.
    std::vector<std::vector<ProposedChild>> proposals(active.size());
    std::vector<std::exception_ptr> errors(active.size());
    // Every cell of a used-up niche is evaluated: nothing the operator proposes could be taken, and
    // asking would only burn its retries (max_attempts draws, then up to 20,000 random ones) every
    // generation of a long run. Its knowledge is still updated (as in every generation).
    std::vector<char> used_up(active.size());
    for (std::size_t i = 0; i < active.size(); ++i) used_up[i] = niche_used_up(active[i]);
    auto work = [&](std::size_t i) {
      try {
        const int k = active[i];
        if (round == 0) operator_->update_knowledge(states[i], rngs_[k]);
        if (!used_up[i]) proposals[i] = operator_->propose(states[i], rngs_[k]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    };
    if (!pool_ || pool_->threads() != limit) pool_ = std::make_unique<ThreadPool>(limit);
    pool_->parallel_for(active.size(), work);
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
    // (c) validate and evaluate in niche order. The children that would be evaluated if every
    // evaluation succeeds are known before any is evaluated: their accuracies are computed first as
    // one batch (one proxy batch for a predictor), so the loop below takes them from the memo.
    {
      std::vector<ArchCode> batch;
      int budget_left = problem.remaining();
      for (std::size_t i = 0; i < active.size(); ++i) {
        const int k = active[i];
        int wanted = need[k];
        std::set<ArchCode> seen_in_batch;
        for (const auto& child : proposals[i]) {
          if (wanted <= 0 || budget_left <= 0) break;
          if (!seen_in_batch.insert(child.code).second) continue;
          if (!legal(child.code) || !problem.in_domain(child.code) || niche_map_->niche_of(child.code) != k || problem.seen(child.code)) continue;
          batch.push_back(child.code);
          --wanted;
          --budget_left;
        }
      }
      problem.prefetch(batch);
    }
    bool any = false;
    for (std::size_t i = 0; i < active.size(); ++i) {
      const int k = active[i];
      if (round == 0) {
        niches_[k].knowledge = std::move(states[i].knowledge);  // the state is not read again
        ++counters_["knowledge_updates"];
      }
      std::set<ArchCode> batch;
      for (const auto& child : proposals[i]) {
        ++counters_["proposed"];
        if (need[k] <= 0) { ++counters_["rejected:surplus"]; continue; }
        if (problem.exhausted()) { ++counters_["rejected:budget"]; continue; }
        const ArchCode& code = child.code;
        if (batch.count(code)) { ++counters_["rejected:duplicate_in_batch"]; continue; }
        batch.insert(code);
        if (!legal(code)) { ++counters_["rejected:illegal"]; continue; }
        if (!problem.in_domain(code)) { ++counters_["rejected:no_cost_on_device"]; continue; }
        if (niche_map_->niche_of(code) != k) { ++counters_["rejected:outside_niche"]; continue; }
        if (problem.seen(code)) { ++counters_["rejected:seen"]; continue; }
        auto e = problem.evaluate(code, generation, k);
        if (!e) { ++counters_["rejected:no_accuracy"]; continue; }
        ++counters_["evaluated:" + (child.origin.empty() ? std::string("child") : child.origin)];
        niches_[k].members.push_back(e->order);
        children[k].push_back(e->order);
        rationales[k].push_back(child.rationale);
        --need[k];
        any = true;
      }
      if (on_progress) on_progress({generation, k, n, problem.evaluations(), problem.budget().evaluations, operator_stats().prompt_tokens + operator_stats().completion_tokens});
    }
    if (!any) break;
    if (round + 1 < options_.max_proposal_rounds)
      for (int k = 0; k < n; ++k)
        if (need[k] > 0) ++counters_["extra_proposal_rounds"];
  }
  // The allocation can leave the niches that still have unseen cells without children while the
  // ones it fed are used up: a generation that evaluated nothing at all gives every niche, in order,
  // up to its usual share from what is left of it.
  bool none = true;
  for (int k = 0; k < n; ++k) none = none && children[k].empty();
  for (int k = 0; none && k < n && !problem.exhausted(); ++k)
    if (need[k] <= 0) enumerate_unseen(problem, k, generation, options_.children_per_niche_generation(), children[k], rationales[k]);
  for (int k = 0; k < n; ++k) {
    // The operator found nothing usable for this niche (its neighbourhoods are used up, or every
    // proposal was rejected): draw from what is left of the niche instead, so no cell is out of reach.
    if (need[k] > 0 && children[k].empty() && !problem.exhausted())
      need[k] -= enumerate_unseen(problem, k, generation, need[k], children[k], rationales[k]);
    if (need[k] > 0) counters_["shortfall"] += need[k];
    niches_[k].last_children = std::move(children[k]);
    niches_[k].last_rationales = std::move(rationales[k]);
  }
}

}  // namespace pelnas
