#pragma once
// `pelnas search`'s options and the pieces of the command that its files share (private to src/cli/).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.h"
#include "evaluate/accuracy_sources.h"
#include "run/search_run.h"
#include "run/space_search_run.h"

namespace pelnas::cli {

struct SearchCliOptions {
  DataOptions data;
  std::string space = "nb201";
  std::string algorithm = "pelnas";  // other spaces only; NB201 baselines run through `pelnas bench`
  std::string dataset = "cifar10", device = "fpga", metric = "latency", accuracy = kDefaultAccuracySignal;
  bool include_degenerate = false;
  std::uint64_t seed = 0;
  int generations = PelnasSearchOptions::kGenerationsFromBudget, budget = 0, seeds_per_niche = 4, children_per_call = 5;
  std::string partition = "paper";
  bool no_partition = false;
  std::string op;  // "" = llm if a model is configured, else evolution
  std::string operator_options;  // JSON object
  std::string algorithm_options;  // --space fbnet: the algorithm's options as a JSON object
  std::string out, resume, config;
  std::string hv_ref;  // "X,Y" in the normalised space; "" = (1, 1)
  std::vector<std::string> objectives;  // "" = accuracy and --metric
  std::string llm_base_url, llm_model;
  bool llm_replay = false;
  int llm_concurrency = 0;
  double llm_timeout = 0;        // seconds; 0 = the client's default
  std::int64_t llm_max_reply_bytes = 0;  // 0 = the client's default
  bool llm_allow_plain_http_key = false;
  std::string llm_cache, prompts_dir;
  std::string evaluator;            // the user's program (accuracy "external")
  std::string score_options;        // --space fbnet, signal score: TrainingFreeScoreOptions as JSON
  std::string proxy_cache;          // --space fbnet, signal score: the SQLite proxy cache
  double evaluator_timeout = 600;   // seconds per batch
  int stop_after_generation = -1;
  int generation_delay_ms = 0;
  int threads = 2;
  bool json = false;
};

// search_output.cpp: the result table (or JSON) of a finished or stopped run.
void print_summary(const RunSummary& s, bool as_json);
void print_space_result(const SpaceRunResult& r, bool as_json);
// search_llm_flags.cpp
// LLM operator options (keys of LlmOperatorOptions) from the --llm-* flags; the API key is read from
// the environment by the client and never passes through here.
void add_llm_flags(const SearchCliOptions& o, nlohmann::json& oo);
// The --llm-* flags plus, as on NB201, the response cache and transcript in the run directory.
void add_llm_options(const SearchCliOptions& o, nlohmann::json& oo, const std::string& out);
// search_space_setup.cpp: `--space` other than nb201, the space-generic run (run/space_search_run.h).
SpaceRunHooks space_hooks(const SearchCliOptions& o, CLI::App* cmd);
void run_space_search_here(SearchCliOptions& o, CLI::App* cmd);
// search_run_setup.cpp: a new NB201 run or a resumed run of any space, on this process.
void run_search_here(SearchCliOptions& o, CLI::App* cmd, RunHooks& hooks);

}  // namespace pelnas::cli
