// The one list of built-in searches. Add a new search here (one line) after writing it.
#include "search/search.h"

namespace pelnas {

void register_builtin_searches(SearchRegistry& registry) {
  (void)registry;
}

}  // namespace pelnas
