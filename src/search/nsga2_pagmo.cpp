// NSGA-II's generations through pagmo2, in the pagmo plugin (common/pagmo_plugin.h);
// search/nsga2_search.cpp drives it and fills a converged run's remaining budget.
#include <algorithm>
#include <cmath>
#include <functional>
#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>
#include <unordered_map>

#include "search/archive.h"
#include "search/nsga2_search.h"

namespace pelnas {
namespace {

constexpr double kPenalty = 1e12;  // worse than any error (%) or cost

// State shared by every copy of the UDP (pagmo copies problems by value).
struct EvaluationBridge {
  Problem* problem = nullptr;
  int generation = 0;
  std::vector<int> choices;  // per position of the space
  std::size_t objectives = 2;  // 2 + the evaluator's extra costs
  std::unordered_map<ArchCode, pagmo::vector_double> known;  // objectives pagmo saw
};

// The pagmo user-defined problem: one integer variable per position of the space (NB201: one op
// code per edge), 2 objectives (error, cost) or more (the extra costs after them): pagmo's NSGA-II
// sorts and crowds in n-D.
struct SpaceUdp {
  std::shared_ptr<EvaluationBridge> bridge;

  pagmo::vector_double fitness(const pagmo::vector_double& x) const {
    ArchCode code;
    code.length = static_cast<std::uint8_t>(bridge->choices.size());
    for (std::size_t k = 0; k < bridge->choices.size(); ++k)
      code.choices[k] = static_cast<std::uint8_t>(std::clamp(static_cast<int>(std::lround(x[k])), 0, bridge->choices[k] - 1));
    if (auto it = bridge->known.find(code); it != bridge->known.end()) return it->second;
    Problem& p = *bridge->problem;
    const pagmo::vector_double penalty(bridge->objectives, kPenalty);
    if (p.exhausted()) return penalty;  // not cached: the run ends with this generation
    pagmo::vector_double f = penalty;   // illegal, outside the domain, no accuracy
    if (p.space().legal(code.encoding()))
      if (auto e = p.evaluate(code, bridge->generation)) f = minimised_objectives(*e);
    bridge->known.emplace(code, f);
    return f;
  }
  std::pair<pagmo::vector_double, pagmo::vector_double> get_bounds() const {
    pagmo::vector_double hi;
    for (int c : bridge->choices) hi.push_back(c - 1.0);
    return {pagmo::vector_double(bridge->choices.size(), 0.0), hi};
  }
  pagmo::vector_double::size_type get_nobj() const { return bridge->objectives; }
  pagmo::vector_double::size_type get_nix() const { return bridge->choices.size(); }
  std::string get_name() const { return "search space (one integer per position)"; }
};

}  // namespace
}  // namespace pelnas

// Runs generation 0 (pagmo's random initial population) and the evolved generations until the
// budget is spent or `stall_generations` in a row evaluated nothing new. Returns the next generation
// number; `stopped` = the callback asked to stop.
extern "C" int pelnas_pagmo_nsga2(const pelnas::Nsga2Options& options, pelnas::Problem& problem, pelnas::Rng& rng,
                                  const std::function<pelnas::CallbackAction(int)>& report, bool& stopped) {
  using namespace pelnas;
  auto bridge = std::make_shared<EvaluationBridge>();
  bridge->problem = &problem;
  for (const auto& pos : problem.space().positions()) bridge->choices.push_back(static_cast<int>(pos.choices.size()));
  bridge->objectives = 2 + problem.evaluator().extra_cost_count();
  // Architectures already in the archive (a resumed problem) keep the objectives the search saw.
  for (const auto& e : problem.archive().entries()) bridge->known[e.code] = minimised_objectives(e);
  stopped = false;
  // pagmo's own generators are seeded from the pelnas stream, so the run is a function of `rng`.
  const auto population_seed = static_cast<unsigned>(rng.next());
  const auto algorithm_seed = static_cast<unsigned>(rng.next());
  pagmo::problem udp{SpaceUdp{bridge}};
  pagmo::population pop(udp, static_cast<pagmo::population::size_type>(options.population), population_seed);
  if (report(0) == CallbackAction::Stop) return stopped = true, 1;
  pagmo::nsga2 algorithm(1u, options.crossover_probability, options.eta_c, options.mutation_probability,
                         options.eta_m, algorithm_seed);
  int stalled = 0, generation = 1;
  for (; !problem.exhausted() && stalled < options.stall_generations; ++generation) {
    bridge->generation = generation;
    const int before = problem.evaluations();
    pop = algorithm.evolve(pop);
    stalled = problem.evaluations() == before ? stalled + 1 : 0;
    if (report(generation) == CallbackAction::Stop) return stopped = true, generation + 1;
  }
  return generation;
}
