// The one list of built-in PEL-NAS variation operators. Add a new operator here (one line).
#include "search/evolution_operator.h"
#include "search/llm_operator.h"
#include "search/operator.h"

namespace pelnas {

void register_builtin_operators(OperatorRegistry& registry) {
  registry.add("evolution", "mutation and crossover inside the niche, rules learned from archive statistics (no model)",
               [](const nlohmann::json& options) { return make_evolution_operator(options); });
  registry.add("llm", "a chat model (OpenAI-compatible API) updates the rule base and proposes children (docs/LLM.md)",
               [](const nlohmann::json& options) { return make_llm_operator(options); });
}

}  // namespace pelnas
