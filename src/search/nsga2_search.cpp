#include "search/nsga2_search.h"

#include "search/domain_sampler.h"

#include <cmath>
#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>
#include <unordered_map>

#include "common/error.h"
#include "search/search_options.h"

namespace pelnas {

void Nsga2Options::validate() const {
  auto bad = [](const std::string& field, const std::string& what) { throw Error("nsga2 options: " + field + " " + what); };
  if (population < 8 || population % 4 != 0)
    bad("population", "must be a multiple of 4 and at least 8 (pagmo's NSGA-II), got " + std::to_string(population));
  if (!(crossover_probability >= 0 && crossover_probability < 1))
    bad("crossover_probability", "must be in [0, 1), got " + std::to_string(crossover_probability));
  if (!(mutation_probability >= 0 && mutation_probability <= 1))
    bad("mutation_probability", "must be in [0, 1], got " + std::to_string(mutation_probability));
  if (!(eta_c >= 1 && eta_c < 100)) bad("eta_c", "must be in [1, 100), got " + std::to_string(eta_c));
  if (!(eta_m >= 1 && eta_m < 100)) bad("eta_m", "must be in [1, 100), got " + std::to_string(eta_m));
  if (stall_generations < 1) bad("stall_generations", "must be >= 1, got " + std::to_string(stall_generations));
}

nlohmann::json Nsga2Options::to_json() const {
  return {{"population", population}, {"crossover_probability", crossover_probability}, {"eta_c", eta_c},
          {"mutation_probability", mutation_probability}, {"eta_m", eta_m}, {"stall_generations", stall_generations}};
}

Nsga2Options Nsga2Options::from_json(const nlohmann::json& j) {
  JsonOptionReader r("nsga2 options", j);
  Nsga2Options o;
  o.population = r.get_int("population", o.population);
  o.crossover_probability = r.get_double("crossover_probability", o.crossover_probability);
  o.eta_c = r.get_double("eta_c", o.eta_c);
  o.mutation_probability = r.get_double("mutation_probability", o.mutation_probability);
  o.eta_m = r.get_double("eta_m", o.eta_m);
  o.stall_generations = r.get_int("stall_generations", o.stall_generations);
  r.finish();
  o.validate();
  return o;
}

Nsga2Search::Nsga2Search(Nsga2Options options) : options_(options) { options_.validate(); }

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

void Nsga2Search::run(Problem& problem, Rng& rng, const GenerationCallback& callback) {
  auto bridge = std::make_shared<EvaluationBridge>();
  bridge->problem = &problem;
  for (const auto& pos : problem.space().positions()) bridge->choices.push_back(static_cast<int>(pos.choices.size()));
  if (bridge->choices.size() > static_cast<std::size_t>(ArchCode::kMaxPositions))
    throw Error("nsga2: the " + problem.space().name() + " space has too many positions");
  bridge->objectives = 2 + problem.evaluator().extra_cost_sources().size();
  // Architectures already in the archive (a resumed problem) keep the objectives the search saw.
  for (const auto& e : problem.archive().entries()) bridge->known[e.code] = minimised_objectives(e);
  auto report = [&](int generation) {
    return callback ? callback({generation, problem.evaluations(), &problem.archive()}) : CallbackAction::Continue;
  };
  // pagmo's own generators are seeded from the pelnas stream, so the run is a function of `rng`.
  const auto population_seed = static_cast<unsigned>(rng.next());
  const auto algorithm_seed = static_cast<unsigned>(rng.next());
  pagmo::problem udp{SpaceUdp{bridge}};
  pagmo::population pop(udp, static_cast<pagmo::population::size_type>(options_.population), population_seed);
  if (report(0) == CallbackAction::Stop) return;
  pagmo::nsga2 algorithm(1u, options_.crossover_probability, options_.eta_c, options_.mutation_probability,
                         options_.eta_m, algorithm_seed);
  int stalled = 0, generation = 1;
  for (; !problem.exhausted() && stalled < options_.stall_generations; ++generation) {
    bridge->generation = generation;
    const int before = problem.evaluations();
    pop = algorithm.evolve(pop);
    stalled = problem.evaluations() == before ? stalled + 1 : 0;
    if (report(generation) == CallbackAction::Stop) return;
  }
  // The population stopped producing unseen cells with budget left (it converged, or little of the
  // domain is left): the rest goes to uniformly drawn unseen cells, one generation per population,
  // so that a budget as large as the domain still ends with every cell evaluated.
  if (problem.exhausted()) return;
  DomainSampler sampler(problem);
  int in_batch = 0;
  while (!problem.exhausted()) {
    const auto arch = sampler.draw(problem, rng);
    if (!arch) break;
    if (problem.evaluate(*arch, generation) && ++in_batch == options_.population) {
      in_batch = 0;
      if (report(generation++) == CallbackAction::Stop) return;
    }
  }
  if (in_batch > 0) report(generation);
}

std::unique_ptr<Search> make_nsga2_search(const nlohmann::json& options) {
  return std::make_unique<Nsga2Search>(Nsga2Options::from_json(options));
}

}  // namespace pelnas
