// The one list of built-in searches. Add a new search here (one line) after writing it.
#include "search/exhaustive_search.h"
#include "search/nsga2_search.h"
#include "search/pelnas_search.h"
#include "search/random_search.h"
#include "search/rea_search.h"
#include "search/search.h"

namespace pelnas {

void register_builtin_searches(SearchRegistry& registry) {
  (void)registry;
  registry.add("random", "random search: uniform sampling without replacement inside the device's domain", make_random_search);
  registry.add("rea", "multi-objective regularized evolution: aging population, Pareto-rank/crowding tournament, 1-edge mutation", make_rea_search);
  registry.add("nsga2", "NSGA-II (pagmo2) on the 6-integer cell encoding", make_nsga2_search);
  registry.add("exhaustive", "every architecture of the domain in NB201 index order", make_exhaustive_search);
  registry.add("pelnas", "PEL-NAS: partitioned niches, knowledge-base co-evolution, a variation operator per niche", make_pelnas_search);
}

}  // namespace pelnas
