#include "search/rea_search.h"

#include <algorithm>
#include <deque>

#include "common/error.h"
#include "metrics/crowding_distance.h"
#include "search/domain_sampler.h"
#include "search/search_options.h"

namespace pelnas {

void ReaOptions::validate() const {
  if (population < 2) throw Error("rea options: population must be >= 2, got " + std::to_string(population));
  if (sample_size < 2 || sample_size > population)
    throw Error("rea options: sample_size must be in [2, population = " + std::to_string(population) + "], got " +
                std::to_string(sample_size));
}

nlohmann::json ReaOptions::to_json() const { return {{"population", population}, {"sample_size", sample_size}}; }

ReaOptions ReaOptions::from_json(const nlohmann::json& j) {
  JsonOptionReader r("rea options", j);
  ReaOptions o;
  o.population = r.get_int("population", o.population);
  o.sample_size = r.get_int("sample_size", o.sample_size);
  r.finish();
  o.validate();
  return o;
}

ReaSearch::ReaSearch(ReaOptions options) : options_(options) { options_.validate(); }

namespace {

struct Member {
  ArchCode code;
  ObjectiveVector objectives;  // (100 - accuracy seen, cost[, extra costs]), minimised
};

// Pareto-based, not scalarised: every objective enters the non-dominated sort and crowding.
ObjectiveVector objectives_of(const EvaluatedArch& e) { return minimised_objectives(e); }

// Pareto rank and crowding distance (within the member's front) of every population member.
void rank_population(const std::deque<Member>& pop, std::vector<int>& rank, std::vector<double>& crowding) {
  std::vector<ObjectiveVector> pts;
  for (const auto& m : pop) pts.push_back(m.objectives);
  const auto sorting = non_dominated_sort(pts);
  rank = sorting.ranks;
  crowding.assign(pop.size(), 0.0);
  for (const auto& front : sorting.fronts) {
    std::vector<ObjectiveVector> f;
    for (auto i : front) f.push_back(pts[i]);
    const auto d = crowding_distance(f);
    for (std::size_t k = 0; k < front.size(); ++k) crowding[front[k]] = d[k];
  }
}

}  // namespace

void ReaSearch::run(Problem& problem, Rng& rng, const GenerationCallback& callback) {
  DomainSampler sampler(problem);
  std::deque<Member> pop;
  auto report = [&](int generation) {
    return callback ? callback({generation, problem.evaluations(), &problem.archive()}) : CallbackAction::Continue;
  };
  // Generation 0: a random initial population.
  // Drawn first and evaluated as one batch (draws do not depend on evaluations): the same archs
  // and results as drawing and evaluating one at a time.
  while (static_cast<int>(pop.size()) < options_.population && !problem.exhausted()) {
    std::vector<ArchCode> draws;
    const int wanted = std::min(options_.population - static_cast<int>(pop.size()), problem.remaining());
    while (static_cast<int>(draws.size()) < wanted) {
      const auto arch = sampler.draw(problem, rng);
      if (!arch) break;
      draws.push_back(*arch);
    }
    if (draws.empty()) break;
    for (const auto& e : problem.evaluate_many(std::span<const ArchCode>(draws), 0))
      if (e) pop.push_back({e->code, objectives_of(*e)});
  }
  if (report(0) == CallbackAction::Stop || pop.size() < 2) return;

  std::vector<int> rank;
  std::vector<double> crowding;
  std::vector<std::size_t> positions(pop.size());
  int generation = 1, children = 0;
  while (!problem.exhausted()) {
    rank_population(pop, rank, crowding);
    // Tournament over a uniform sample without replacement (partial Fisher-Yates).
    positions.resize(pop.size());
    for (std::size_t i = 0; i < positions.size(); ++i) positions[i] = i;
    const std::size_t sample = std::min<std::size_t>(options_.sample_size, pop.size());
    for (std::size_t i = 0; i < sample; ++i)
      std::swap(positions[i], positions[static_cast<std::size_t>(rng.uniform_int(
                                  static_cast<std::int64_t>(i), static_cast<std::int64_t>(positions.size()) - 1))]);
    std::size_t parent = positions[0];
    for (std::size_t i = 1; i < sample; ++i) {
      const std::size_t c = positions[i];
      if (rank[c] != rank[parent] ? rank[c] < rank[parent]
                                  : crowding[c] != crowding[parent] ? crowding[c] > crowding[parent] : c < parent)
        parent = c;
    }
    // Mutation: a random unseen in-domain neighbour (one position changed; NB201: one edge).
    std::vector<ArchCode> neighbours;
    for (const Encoding& n : problem.space().neighbours(pop[parent].code.encoding()))
      neighbours.push_back(ArchCode::from_encoding(n));
    rng.shuffle(neighbours);
    std::optional<ArchCode> child;
    for (const auto& n : neighbours)
      if (!problem.seen(n) && problem.in_domain(n)) {
        child = n;
        break;
      }
    if (!child) child = sampler.draw(problem, rng);
    if (!child) break;  // nothing unseen is left in the domain
    if (auto e = problem.evaluate(*child, generation)) {
      pop.push_back({e->code, objectives_of(*e)});
      pop.pop_front();  // aging: the oldest dies, whatever its fitness
      if (++children == options_.population) {
        children = 0;
        if (report(generation) == CallbackAction::Stop) return;
        ++generation;
      }
    }
  }
  if (children > 0) report(generation);
}

std::unique_ptr<Search> make_rea_search(const nlohmann::json& options) {
  return std::make_unique<ReaSearch>(ReaOptions::from_json(options));
}

}  // namespace pelnas
