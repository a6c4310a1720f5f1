#include "search/random_search.h"

#include <algorithm>

#include "common/error.h"
#include "search/domain_sampler.h"
#include "search/search_options.h"

namespace pelnas {

void RandomSearchOptions::validate() const {
  if (batch_size < 1) throw Error("random options: batch_size must be >= 1, got " + std::to_string(batch_size));
}

nlohmann::json RandomSearchOptions::to_json() const { return {{"batch_size", batch_size}}; }

RandomSearchOptions RandomSearchOptions::from_json(const nlohmann::json& j) {
  JsonOptionReader r("random options", j);
  RandomSearchOptions o;
  o.batch_size = r.get_int("batch_size", o.batch_size);
  r.finish();
  o.validate();
  return o;
}

RandomSearch::RandomSearch(RandomSearchOptions options) : options_(options) { options_.validate(); }

void RandomSearch::run(Problem& problem, Rng& rng, const GenerationCallback& callback) {
  DomainSampler sampler(problem);
  int generation = 0, in_batch = 0;
  while (!problem.exhausted()) {
    // The rest of this batch is drawn first (draws do not depend on evaluations) and evaluated as
    // one batch: the same archs, order and results as drawing and evaluating one at a time.
    std::vector<ArchCode> draws;
    const int wanted = std::min(options_.batch_size - in_batch, problem.remaining());
    while (static_cast<int>(draws.size()) < wanted) {
      const auto arch = sampler.draw(problem, rng);
      if (!arch) break;
      draws.push_back(*arch);
    }
    if (draws.empty()) break;  // the whole domain was evaluated
    for (const auto& e : problem.evaluate_many(std::span<const ArchCode>(draws), generation))
      if (e) ++in_batch;
    if (in_batch == options_.batch_size) {
      in_batch = 0;
      if (callback && callback({generation, problem.evaluations(), &problem.archive()}) == CallbackAction::Stop) return;
      ++generation;
    }
  }
  if (in_batch > 0 && callback) callback({generation, problem.evaluations(), &problem.archive()});
}

std::unique_ptr<Search> make_random_search(const nlohmann::json& options) {
  return std::make_unique<RandomSearch>(RandomSearchOptions::from_json(options));
}

}  // namespace pelnas
