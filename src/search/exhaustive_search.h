#pragma once
// Exhaustive search: every architecture of the domain in NB201 index order (all 15,625 on a fully
// covered device). With the budget at the domain size it finds the whole true front: the sanity
// check of the evaluation protocol (HV ratio 1, IGD 0 with table test accuracy).
#include <nlohmann/json.hpp>

#include "search/search.h"

namespace pelnas {

struct ExhaustiveSearchOptions {
  int batch_size = 100;  // evaluations between two callback reports
  void validate() const;
  nlohmann::json to_json() const;
  static ExhaustiveSearchOptions from_json(const nlohmann::json& j);  // unknown keys are errors
};

class ExhaustiveSearch : public Search {
 public:
  explicit ExhaustiveSearch(ExhaustiveSearchOptions options = {});
  std::string name() const override { return "exhaustive"; }
  // The Rng is not used: the order is fixed.
  void run(Problem& problem, Rng& rng, const GenerationCallback& callback) override;

 private:
  ExhaustiveSearchOptions options_;
};

std::unique_ptr<Search> make_exhaustive_search(const nlohmann::json& options);

}  // namespace pelnas
