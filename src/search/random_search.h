#pragma once
// Random search: architectures drawn uniformly without replacement from the domain (the
// architectures with a cost on the device) until the budget is spent.
#include <nlohmann/json.hpp>

#include "search/search.h"

namespace pelnas {

struct RandomSearchOptions {
  int batch_size = 10;  // evaluations between two callback reports ("generations")
  void validate() const;  // throws pelnas::Error naming the bad field
  nlohmann::json to_json() const;
  static RandomSearchOptions from_json(const nlohmann::json& j);  // unknown keys are errors
};

class RandomSearch : public Search {
 public:
  explicit RandomSearch(RandomSearchOptions options = {});
  std::string name() const override { return "random"; }
  void run(Problem& problem, Rng& rng, const GenerationCallback& callback) override;

 private:
  RandomSearchOptions options_;
};

std::unique_ptr<Search> make_random_search(const nlohmann::json& options);

}  // namespace pelnas
