#include "search/exhaustive_search.h"

#include <fmt/format.h>

#include "common/error.h"
#include "search/search_options.h"

namespace pelnas {

void ExhaustiveSearchOptions::validate() const {
  if (batch_size < 1) throw Error("exhaustive options: batch_size must be >= 1, got " + std::to_string(batch_size));
}

nlohmann::json ExhaustiveSearchOptions::to_json() const { return {{"batch_size", batch_size}}; }

ExhaustiveSearchOptions ExhaustiveSearchOptions::from_json(const nlohmann::json& j) {
  JsonOptionReader r("exhaustive options", j);
  ExhaustiveSearchOptions o;
  o.batch_size = r.get_int("batch_size", o.batch_size);
  r.finish();
  o.validate();
  return o;
}

ExhaustiveSearch::ExhaustiveSearch(ExhaustiveSearchOptions options) : options_(options) { options_.validate(); }

void ExhaustiveSearch::run(Problem& problem, Rng&, const GenerationCallback& callback) {
  const auto members = problem.domain_members();
  if (!members)
    throw Error(fmt::format("exhaustive: the {} space has about 10^{:.1f} architectures and cannot be listed; use random, "
                            "rea, nsga2 or pelnas",
                            problem.space().name(), problem.space().log10_size()));
  int generation = 0, in_batch = 0;
  for (std::size_t i = 0; i < members->size() && !problem.exhausted(); ++i) {
    if (!problem.evaluate((*members)[i], generation)) continue;  // seen
    if (++in_batch == options_.batch_size) {
      in_batch = 0;
      if (callback && callback({generation, problem.evaluations(), &problem.archive()}) == CallbackAction::Stop) return;
      ++generation;
    }
  }
  if (in_batch > 0 && callback) callback({generation, problem.evaluations(), &problem.archive()});
}

std::unique_ptr<Search> make_exhaustive_search(const nlohmann::json& options) {
  return std::make_unique<ExhaustiveSearch>(ExhaustiveSearchOptions::from_json(options));
}

}  // namespace pelnas
