#pragma once
// NSGA-II (Deb et al. 2002) through pagmo2: the NB201 cell as 6 integer decision variables in [0, 4]
// (pagmo's integer crossover and mutation), objectives (100 - accuracy seen, cost), both minimised.
// Every evaluation goes through the pelnas Problem, so deduplication and the budget hold; pagmo sees
// a repeated architecture's cached objectives, and an architecture outside the domain (or any new
// one once the budget is spent) a penalty vector dominated by every real one.
#include <nlohmann/json.hpp>

#include "search/search.h"

namespace pelnas {

struct Nsga2Options {
  int population = 20;                      // pagmo requires a multiple of 4, at least 8
  double crossover_probability = 0.9;       // pagmo cr, in [0, 1)
  double eta_c = 10;                        // crossover distribution index, in [1, 100)
  double mutation_probability = 1.0 / 6.0;  // per variable: one edge per child on average
  double eta_m = 50;                        // mutation distribution index, in [1, 100)
  // Stop after this many consecutive generations that evaluated nothing new (the population has
  // converged onto seen architectures), so a run always ends.
  int stall_generations = 100;
  void validate() const;  // throws pelnas::Error naming the bad field
  nlohmann::json to_json() const;
  static Nsga2Options from_json(const nlohmann::json& j);  // unknown keys are errors
};

class Nsga2Search : public Search {
 public:
  explicit Nsga2Search(Nsga2Options options = {});
  std::string name() const override { return "nsga2"; }
  // Generation 0 is pagmo's random initial population; pagmo's seeds are drawn from `rng`.
  void run(Problem& problem, Rng& rng, const GenerationCallback& callback) override;

 private:
  Nsga2Options options_;
};

std::unique_ptr<Search> make_nsga2_search(const nlohmann::json& options);

}  // namespace pelnas
