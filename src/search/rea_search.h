#pragma once
// Multi-objective regularized evolution (Real et al. 2019, with NSGA-II's ordering as fitness): an
// aging population; each step samples `sample_size` members, the one with the best Pareto rank
// (ties: larger crowding distance, then the older member) is the parent, its child differs on one
// edge, joins the population and the oldest member dies.
#include <nlohmann/json.hpp>

#include "search/search.h"

namespace pelnas {

struct ReaOptions {
  int population = 50;   // aging population size (also the random initial population)
  int sample_size = 10;  // tournament size, in [2, population]
  void validate() const;  // throws pelnas::Error naming the bad field
  nlohmann::json to_json() const;
  static ReaOptions from_json(const nlohmann::json& j);  // unknown keys are errors
};

class ReaSearch : public Search {
 public:
  explicit ReaSearch(ReaOptions options = {});
  std::string name() const override { return "rea"; }
  // Generation 0 is the random initial population; each later generation is `population` children.
  // A parent whose 24 neighbours are all seen or outside the domain is replaced by a random unseen
  // architecture (so the budget is always spendable while the domain has unseen architectures).
  void run(Problem& problem, Rng& rng, const GenerationCallback& callback) override;

 private:
  ReaOptions options_;
};

std::unique_ptr<Search> make_rea_search(const nlohmann::json& options);

}  // namespace pelnas
