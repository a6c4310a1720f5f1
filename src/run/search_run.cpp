// The entry points of a search run: start one in a new directory, resume one from its saved state.
#include "run/search_run.h"

#include <algorithm>
#include <iterator>
#include <spdlog/spdlog.h>

#include "common/error.h"
#include "run/run_directory.h"
#include "run/run_state_store.h"
#include "run/search_run_internal.h"
#include "search/llm_operator.h"

namespace pelnas {

using search_run_internal::execute;
using search_run_internal::finished_summary;
using search_run_internal::prepare;
using search_run_internal::RunSetup;

RunSummary start_search_run(const RunConfig& config, const std::string& out_dir, const RunHooks& hooks) {
  const RunSetup setup = prepare(config, out_dir, hooks);  // before anything is written
  auto dir = RunDirectory::create(out_dir);
  RunDirectoryLock lock(dir.path());
  RunStateStore store(dir);
  return execute(dir, config, store, nullptr, nlohmann::json::object(), hooks, setup);
}

RunSummary resume_search_run(const std::string& run_dir, const RunHooks& hooks, const ResumeOptions& resume) {
  auto dir = RunDirectory::open(run_dir);
  RunDirectoryLock lock(dir.path());  // before anything is read: a second resume of the same directory is refused
  RunConfig cfg;
  if (dir.read_json(RunDirectory::kConfig).contains("study"))
    throw Error(run_dir + " is an ask/tell study: continue it with pelnas.Study.resume(\"" + run_dir +
                "\") (Python) or Study::resume, which ask for what was pending");
  try {
    cfg = RunConfig::from_json(dir.read_json(RunDirectory::kConfig));
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    throw InputError(dir.file(RunDirectory::kConfig), 0, e.what());
  }
  if (dir.exists(RunDirectory::kSummary)) {
    if (!resume.operator_options.empty() || !resume.data_dir.empty() || resume.evaluator_timeout_seconds)
      spdlog::warn("run {} has already finished: the options given with --resume change nothing", run_dir);
    spdlog::info("run {} has already finished", run_dir);
    return finished_summary(dir, cfg);
  }
  // Overrides: applied, written back to config.json (so a later resume keeps them), and logged.
  nlohmann::json overrides = nlohmann::json::object();
  if (!resume.data_dir.empty() && resume.data_dir != cfg.data_dir) overrides["data_dir"] = cfg.data_dir = resume.data_dir;
  if (resume.evaluator_timeout_seconds) {
    if (!cfg.evaluator)
      throw Error("--resume: the run in " + run_dir + " has no external evaluator; --evaluator-timeout does not apply");
    overrides["evaluator.timeout_seconds"] = cfg.evaluator->timeout_seconds = *resume.evaluator_timeout_seconds;
  }
  if (!resume.operator_options.is_object()) throw Error("resume: operator_options must be a JSON object");
  for (const auto& [key, value] : resume.operator_options.items()) {
    if (std::find(std::begin(kResumableOperatorOptions), std::end(kResumableOperatorOptions), key) == std::end(kResumableOperatorOptions))
      throw Error("--resume: the operator option '" + key + "' cannot be changed when resuming (it would change the run's results)");
    if (cfg.search.operator_name != "llm")
      throw Error("--resume: the run in " + run_dir + " uses the '" + cfg.search.operator_name +
                  "' operator, which has no LLM connection; its '" + key + "' cannot be set");
    cfg.search.operator_options[key] = value;
    overrides["operator_options." + key] = value;
  }
  if (!overrides.empty()) {
    try {
      cfg.validate();
      if (cfg.search.operator_name == "llm")
        (void)LlmOperatorOptions::from_json(cfg.search.resolved_operator_options());  // checks the values, opens nothing
    } catch (const Error& e) {
      throw Error(std::string("--resume overrides: ") + e.what());
    }
    dir.write_json(RunDirectory::kConfig, cfg.to_json());
    spdlog::info("resuming {} with {}", run_dir, overrides.dump());
  }
  RunStateStore store(dir);
  if (store.empty()) {
    // Killed before the seeding was saved: nothing to keep, start over in the same directory.
    spdlog::info("run {} has no saved state yet: starting it from the beginning", run_dir);
    dir.truncate_events(0);
    return execute(dir, cfg, store, nullptr, overrides, hooks, prepare(cfg, run_dir, hooks));
  }
  const RunState state = store.load();
  return execute(dir, cfg, store, &state, overrides, hooks, prepare(cfg, run_dir, hooks));
}

}  // namespace pelnas
