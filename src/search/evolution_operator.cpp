// EvolutionOperator: proposing children (crossover, rule-weighted mutation, screening), and its factory.
#include "search/evolution_operator.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <thread>

#include "common/error.h"
#include "search/niche_history.h"
#include "search/open_neighbours.h"
#include "search/parent_mutations.h"
#include "search/screening_model.h"
#include "search/weighted_choice.h"

namespace pelnas {

namespace {

std::string print(const SearchSpace& space, const ArchCode& c) { return space.print(c.encoding()); }

}  // namespace

const SearchSpace& EvolutionOperator::space_of(const NicheState& state) {
  if (!state.space) throw Error("evolution operator: NicheState without a search space");
  return *state.space;
}

EvolutionOperator::EvolutionOperator(EvolutionOperatorOptions options) : options_(std::move(options)) { options_.validate(); }

int EvolutionOperator::preferred_concurrency() const {
  const unsigned cores = std::thread::hardware_concurrency();  // 0 when unknown
  return cores == 0 ? 4 : static_cast<int>(std::min(4u, cores));
}

void EvolutionOperator::count(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.add(key);
}

std::vector<ProposedChild> EvolutionOperator::propose(const NicheState& state, Rng& rng) {
  count("calls");
  if (!state.niche) throw Error("evolution operator: NicheState without a niche");
  const SearchSpace& space = space_of(state);
  const int length = space.length();
  const auto& positions = space.positions();
  auto choices_at = [&](int e) { return static_cast<int>(positions[static_cast<std::size_t>(e)].choices.size()); };
  const auto& contains = state.niche->contains;
  auto seen = [&](const ArchCode& a) { return state.seen && state.seen(a); };
  std::set<ArchCode> taken;  // proposed in this call
  // Open: in the niche and not evaluated; usable: open and not proposed in this call either.
  auto open = [&](const ArchCode& a) { return contains(a) && !seen(a); };
  auto usable = [&](const ArchCode& a) { return open(a) && (taken.empty() || !taken.count(a)); };

  // Choice weights per position from the rule base (rules in another form are ignored).
  std::vector<std::vector<double>> weight(static_cast<std::size_t>(length));
  for (int e = 0; e < length; ++e) weight[static_cast<std::size_t>(e)].assign(static_cast<std::size_t>(choices_at(e)), 1.0);
  for (const auto* list : {&state.knowledge.positive, &state.knowledge.negative})
    for (const auto& r : *list) {
      bool positive = false;
      if (auto eo = parse_rule_text(space, r.text, positive))
        weight[static_cast<std::size_t>(eo->first)][static_cast<std::size_t>(eo->second)] *=
            positive ? options_.rule_weight : 1.0 / options_.rule_weight;
    }

  // Parent weights: unexplored in-niche neighbours (frontier) or uniform.
  const auto& parents = state.parents;
  WeightedChoice parent_pick;
  for (std::size_t i = 0; i < parents.size(); ++i)
    parent_pick.add(options_.parent_selection == "frontier" ? 0.25 + count_neighbours(space, parents[i].code, open) : 1.0);

  // Mutation draws: each parent's moves listed once per call, weighted by the rules (ParentMutations).
  ParentMutations mutations(space, parents, weight, options_.swap_probability, options_.two_edge_mutation_probability);
  auto describe = [&](const ArchCode& parent, const ParentMutations::Mutation& m) {
    auto name = [&](int e) -> const std::string& { return positions[static_cast<std::size_t>(e)].name; };
    if (m.swap) return "swap of " + name(m.moves[0].first) + " and " + name(m.moves[1].first) + " of " + print(space, parent);
    std::string note = "mutation of " + print(space, parent) + ":";
    for (int k = 0; k < m.n; ++k) {
      const auto [e, op] = m.moves[static_cast<std::size_t>(k)];
      note += " " + name(e) + "->" + positions[static_cast<std::size_t>(e)].choices[static_cast<std::size_t>(op)];
    }
    return note;
  };

  // Screening: the model, and the known (cost, accuracy) points a candidate must beat: the niche's
  // history, then the parents not in it (migrants), each architecture once. Where the history's
  // running statistics are exact they stand in for scans of it, so a generation costs O(parents +
  // new entries), not O(history) sorts, sets and pair scans; else every known entry is scanned.
  const bool screening = options_.screen_candidates > 1 && static_cast<bool>(state.cost);
  const NicheHistory::Stats* stats = nullptr;
  if (screening) {
    const auto& st = state.history.stats(space);
    if (st.front_exact() && !st.duplicates) stats = &st;
  }
  std::vector<const EvaluatedArch*> known;  // every known entry (no stats), else the migrants only
  if (screening) {
    std::set<ArchCode> codes;
    if (!stats)
      for (const auto& e : state.history)
        if (codes.insert(e.code).second) known.push_back(&e);
    for (const auto& e : state.parents)
      if (!(stats && stats->codes.count(e.code)) && codes.insert(e.code).second) known.push_back(&e);
  }
  const std::size_t n_history = stats ? stats->accuracy.size() : 0;
  // The model is fitted on the first candidate it scores, not up front: late in a long run most
  // calls find no usable candidate at all (their parents' neighbourhoods are used up), and a fit
  // costs O(history) (issue 14). Same data, same order, same model whenever it is used.
  const bool model_fits = screening && n_history + known.size() >= 3;  // AdditiveAccuracyModel::fit's condition
  std::optional<AdditiveAccuracyModel> fitted_model;
  auto model = [&]() -> const AdditiveAccuracyModel& {
    if (fitted_model) return *fitted_model;
    double floor = -1e300;
    if (n_history + known.size() > 0 && options_.screen_floor_quantile > 0) {
      std::vector<double> acc;
      for (const auto* k : known) acc.push_back(k->accuracy);
      std::sort(acc.begin(), acc.end());
      const auto at = static_cast<std::size_t>(options_.screen_floor_quantile * static_cast<double>(n_history + acc.size() - 1));
      floor = stats ? nth_of_merged(stats->sorted_accuracy, acc, at) : acc[at];
    }
    fitted_model = AdditiveAccuracyModel::fit(space, stats, known, options_.ridge, floor);
    return *fitted_model;
  };
  auto score = [&](const ArchCode& a) {
    const double predicted = model().predict(a);
    const auto c = state.cost(a);
    // More than two objectives: "no higher cost" means no higher in every cost.
    std::vector<std::optional<double>> extra;
    if (state.extra_costs) extra = state.extra_costs(a);
    auto no_costlier = [&](const EvaluatedArch& k) {
      if (!c || k.cost > *c) return false;
      for (std::size_t j = 0; j < extra.size() && j < k.extra_costs.size(); ++j)
        if (!extra[j] || k.extra_costs[j] > *extra[j]) return false;
      return true;
    };
    double best_below = -1e300;  // best accuracy known at no higher cost
    if (c) {
      if (stats && (extra.empty() || !stats->extra_costs)) {
        // Only the cost matters (entries without extra costs compare on the cost alone).
        if (const auto best = stats->best_accuracy_at_most(*c)) best_below = std::max(best_below, *best);
      } else if (stats) {
        for (const auto& k : state.history)
          if (no_costlier(k)) best_below = std::max(best_below, k.accuracy);
      }
      for (const auto* k : known)
        if (no_costlier(*k)) best_below = std::max(best_below, k->accuracy);
    }
    return best_below == -1e300 ? predicted : predicted - best_below;
  };

  const bool nb201 = space.name() == "nb201";
  // Parents whose mutation neighbourhood is used up (1), not known to be (0), or not tracked (-1).
  const std::function<bool(const ArchCode&)> live = open;
  NicheNeighbourhoods* neighbourhoods = nullptr;
  std::vector<signed char> used_up(parents.size(), -1);
  // A parent's neighbourhood is checked once its mutations were rejected a few times in this call:
  // early in a run few are, and a check costs a few draws.
  constexpr int kRejectionsBeforeCheck = 4;
  std::vector<int> rejected(parents.size(), 0);
  if (static_cast<bool>(state.seen) && NicheNeighbourhoods::trackable(space)) {
    neighbourhoods = &used_up_.niche(state.niche->id, state.generation, state.history.size());
    for (std::size_t i = 0; i < parents.size(); ++i)
      used_up[i] = neighbourhoods->known_used_up(parents[i].code) ? 1 : 0;
  }
  // A crossover's second parent must differ from the first: parents sharing a code (none in
  // practice) share an id, so the test compares ids rather than codes at every draw.
  std::vector<std::size_t> parent_id(parents.size());
  {
    std::map<ArchCode, std::size_t> first_of;
    for (std::size_t i = 0; i < parents.size(); ++i) parent_id[i] = first_of.emplace(parents[i].code, i).first->second;
  }
  std::vector<ProposedChild> out;
  for (int c = 0; c < state.children_wanted; ++c) {
    std::optional<ProposedChild> made;
    double made_score = 0;
    int drawn = 0;
    const int want = model_fits ? options_.screen_candidates : 1;
    // Declared once, emptied per attempt: a fresh optional is zero-filled (112 bytes) at every one of
    // the hundreds of attempts a late generation makes.
    std::optional<ProposedChild> cand;
    for (int attempt = 0; attempt < options_.max_attempts && drawn < want && !parents.empty(); ++attempt) {
      cand.reset();
      const std::size_t pi = parent_pick.pick(rng);
      const ArchCode& p1 = parents[pi].code;
      if (parents.size() >= 2 && rng.bernoulli(options_.crossover_probability)) {
        std::size_t p2i = pi;
        while (parent_id[p2i] == parent_id[pi]) p2i = parent_pick.pick(rng);
        const ArchCode* p2 = &parents[p2i].code;
        ArchCode child = p1;
        for (std::size_t e = 0; e < static_cast<std::size_t>(length); ++e) {
          // Branch-free: the coin is unpredictable, and a long run makes hundreds of draws per child.
          const std::uint8_t a = p1.choices[e], b = p2->choices[e];
          const auto first = static_cast<std::uint8_t>(rng.bernoulli(0.5));
          child.choices[e] = static_cast<std::uint8_t>(b ^ ((a ^ b) & static_cast<std::uint8_t>(0 - first)));
        }
        if (usable(child))
          cand = ProposedChild{child, "uniform crossover of " + print(space, p1) + " and " + print(space, *p2), "crossover"};
      } else if (used_up[pi] == 1) {
        // Every child a mutation of this parent can make is outside the niche or seen: take the
        // random numbers mutate() would (a coin, then a swap's pick or a coin and 1-2 moves' picks)
        // without making a child that would be rejected.
        if (rng.bernoulli(options_.swap_probability) && mutations.has_swaps(pi)) {
          (void)rng.next();
        } else {
          const int edges = rng.bernoulli(options_.two_edge_mutation_probability) ? 2 : 1;
          for (int k = 0; k < edges; ++k) (void)rng.next();
        }
      } else {
        const ParentMutations::Mutation m = mutations.mutate(pi, rng);
        if (usable(m.child)) cand = ProposedChild{m.child, describe(p1, m), "mutation"};
        else if (neighbourhoods && used_up[pi] == 0 && ++rejected[pi] >= kRejectionsBeforeCheck)
          used_up[pi] = neighbourhoods->used_up(space, p1, live) ? 1 : 0;
      }
      if (!cand) continue;
      ++drawn;
      if (want == 1) {
        made = std::move(cand);
        break;
      }
      const double sc = score(cand->code);
      if (!made || sc > made_score) {
        made = std::move(cand);
        made_score = sc;
      }
    }
    if (!made) {
      // The neighbourhood of the front is used up (or there are no parents): a random unseen member.
      // NB201 draws as Nb201Space::sample does (Arch::sample), without its Encoding allocation:
      // a nearly used-up niche takes thousands of draws.
      for (int attempt = 0; attempt < 20000 && !made; ++attempt) {
        const ArchCode a = nb201 ? ArchCode::from_nb201(Arch::sample(rng)) : ArchCode::from_encoding(space.sample(rng));
        if (usable(a)) made = ProposedChild{a, "random unseen architecture of the niche", "random"};
      }
    }
    if (!made) {
      count("exhausted");
      break;
    }
    count("proposed:" + made->origin);
    taken.insert(made->code);
    out.push_back(std::move(*made));
  }
  return out;
}

std::unique_ptr<Operator> make_evolution_operator(const nlohmann::json& options) {
  return std::make_unique<EvolutionOperator>(EvolutionOperatorOptions::from_json(options));
}

}  // namespace pelnas