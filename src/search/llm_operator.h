#pragma once
// The `llm` operator (PEL-NAS part 2): a chat model rewrites each niche's rule base from last round's
// children, then proposes children by crossover (p = 0.5, drawn from the niche's Rng) or mutation of
// the niche's Pareto parents. Replies that are not JSON, name an illegal cell, leave the niche or
// repeat a seen cell get a corrective message in the same conversation, a bounded number of times;
// every outcome is counted. Prompts are the template files in prompts/ (see docs/LLM.md): NB201's at
// the top of that directory, another space's in prompts/<space>/, with the same placeholders plus
// {{space_description}} and {{example}}, which the space supplies.
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "llm/chat_service.h"
#include "llm/prompt_template.h"
#include "search/operator.h"

namespace pelnas {

// The four templates of one space. NB201's are <dir>/*.md (unchanged since before spaces were
// generic); space S's are <dir>/S/{system,knowledge_update,guided_evolution}.md, and
// <dir>/S/corrective.md if present, else the space-neutral <dir>/corrective.md. Throws naming the
// missing file.
struct LlmPromptSet {
  llm::PromptTemplate system, update, evolve, corrective;
  static LlmPromptSet load(const std::string& prompts_dir, const std::string& space);
};

struct LlmOperatorOptions {
  llm::ChatServiceOptions chat;
  std::string prompts_dir;             // "" = llm::resolve_prompts_dir()
  int max_corrections = 3;             // corrective follow-ups per call
  double crossover_probability = 0.5;
  int concurrency = 6;                 // niches the loop may run at once (the calls are thread-safe)
  int max_seen_listed = 60;            // already evaluated cells of the niche listed in the prompt

  void validate() const;  // throws pelnas::Error naming the field
  // Keys: base_url, model, temperature, max_tokens, timeout_seconds, max_attempts,
  // backoff_base_seconds, backoff_max_seconds, max_retry_after_seconds, seed, replay, cache_path,
  // transcript_path, prompts_dir, max_corrections, crossover_probability, concurrency,
  // max_seen_listed. base_url and model default to $PELNAS_LLM_BASE_URL / $PELNAS_LLM_MODEL.
  // Unknown keys are errors naming the key.
  static LlmOperatorOptions from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;  // never contains the API key
};

class LlmOperator : public Operator {
 public:
  explicit LlmOperator(LlmOperatorOptions options);
  std::string name() const override { return "llm"; }
  void update_knowledge(NicheState& state, Rng& rng) override;
  std::vector<ProposedChild> propose(const NicheState& state, Rng& rng) override;
  // Read it when no call is in flight (the loop does so between phases).
  const OperatorStats& stats() const override { return stats_; }
  int preferred_concurrency() const override { return options_.concurrency; }

  const LlmOperatorOptions& options() const { return options_; }
  llm::ChatService& chat() { return *chat_; }

 private:
  void merge(const OperatorStats& local);
  std::map<std::string, std::string> common_values(const NicheState& state) const;
  const LlmPromptSet& prompts_for(const SearchSpace& space);

  LlmOperatorOptions options_;
  std::unique_ptr<llm::ChatService> chat_;
  std::mutex prompts_mutex_;
  std::map<std::string, std::unique_ptr<const LlmPromptSet>> prompts_;  // by space name, loaded on first use
  mutable std::mutex mutex_;
  OperatorStats stats_;
};

std::unique_ptr<Operator> make_llm_operator(const nlohmann::json& options);
// Throws (naming the file) unless the options' prompts directory holds the space's templates; lets a
// run refuse before it evaluates anything.
void check_llm_prompts(const nlohmann::json& options, const std::string& space);

}  // namespace pelnas
