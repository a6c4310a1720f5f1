#include "search/exhaustive_search.h"

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
  const auto& data = problem.evaluator().data();
  int generation = 0, in_batch = 0;
  for (int i = 0; i < data.size() && !problem.exhausted(); ++i) {
    if (!problem.evaluate(data.arch(i), generation)) continue;  // seen or outside the domain
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
