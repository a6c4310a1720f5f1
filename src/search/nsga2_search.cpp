#include "search/nsga2_search.h"

#include "search/domain_sampler.h"

#include <functional>

#include "common/error.h"
#include "common/pagmo_plugin.h"
#include "search/search_options.h"

// nsga2_pagmo.cpp: linked in (tests, Python) or in the pagmo plugin (the pelnas executable).
extern "C" int pelnas_pagmo_nsga2(const pelnas::Nsga2Options& options, pelnas::Problem& problem, pelnas::Rng& rng,
                                  const std::function<pelnas::CallbackAction(int)>& report, bool& stopped)
    __attribute__((weak));

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

void Nsga2Search::run(Problem& problem, Rng& rng, const GenerationCallback& callback) {
  if (problem.space().positions().size() > static_cast<std::size_t>(ArchCode::kMaxPositions))
    throw Error("nsga2: the " + problem.space().name() + " space has too many positions");
  const std::function<CallbackAction(int)> report = [&](int generation) {
    return callback ? callback({generation, problem.evaluations(), &problem.archive()}) : CallbackAction::Continue;
  };
  bool stopped = false;
  int generation =
      pagmo_entry(&pelnas_pagmo_nsga2, "pelnas_pagmo_nsga2")(options_, problem, rng, report, stopped);
  if (stopped) return;
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
