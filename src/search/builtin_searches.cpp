// The one list of built-in searches. Add a new search here (one line) after writing it.
#include "search/pelnas_search.h"
#include "search/search.h"

namespace pelnas {

void register_builtin_searches(SearchRegistry& registry) {
  (void)registry;
  registry.add("pelnas", "PEL-NAS: partitioned niches, knowledge-base co-evolution, a variation operator per niche", make_pelnas_search);
}

}  // namespace pelnas
