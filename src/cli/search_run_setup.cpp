// `pelnas search` on this process: a new NB201 run from flags and --config, or --resume of any run.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "cli/search_cli.h"
#include "common/clock_text.h"
#include "common/error.h"
#include "data/data_dir.h"
#include "evaluate/accuracy_sources.h"
#include "metrics/evaluation_protocol.h"
#include "run/config_file.h"
#include "space/search_space.h"

namespace pelnas::cli {

namespace {

std::string default_out_dir(const RunConfig& c) {
  std::string base = fmt::format("runs/{}-{}-{}-s{}-{}", c.dataset, c.device, c.search.operator_name, c.seed, local_stamp_now());
  std::string dir = base;
  for (int i = 2; std::filesystem::exists(dir); ++i) dir = base + "-" + std::to_string(i);
  return dir;
}

// The space a run directory was made for ("nb201" when its config.json does not say).
std::string run_space(const std::string& dir) {
  std::ifstream in(dir + "/config.json");
  if (!in) return "nb201";
  try {
    const auto j = nlohmann::json::parse(in);
    if (j.is_object() && j.contains("space") && j["space"].is_string()) return j["space"].get<std::string>();
  } catch (const nlohmann::json::exception&) {
  }
  return "nb201";
}

}  // namespace

void run_search_here(SearchCliOptions& o, CLI::App* cmd, RunHooks& hooks) {
  if (!o.resume.empty() && run_space(o.resume) != "nb201") {
    for (const CLI::Option* opt : cmd->get_options()) {
      if (opt->count() == 0 || opt->get_lnames().empty()) continue;
      const std::string name = "--" + opt->get_lnames().front();
      if (name != "--resume" && name != "--json" && name != "--verbose" && name != "--threads" &&
          name != "--stop-after-generation")
        throw Error(name + " cannot be given with --resume: the run continues with the configuration recorded in " + o.resume +
                    "/config.json");
    }
    print_space_result(resume_space_search(o.resume, space_hooks(o, cmd)), o.json);
    return;
  }
  if (o.resume.empty()) {
    const auto spaces = SearchSpaceRegistry::instance().names();
    if (std::find(spaces.begin(), spaces.end(), o.space) == spaces.end()) {
      std::string valid;
      for (const auto& s : spaces) valid += (valid.empty() ? "" : ", ") + s;
      throw Error(fmt::format("--space: unknown space '{}' (valid: {})", o.space, valid));
    }
    if (o.space != "nb201") {
      run_space_search_here(o, cmd);
      return;
    }
    for (const char* name : {"--score-options", "--proxy-cache"})
      if (cmd->get_option(name)->count() > 0)
        throw Error(fmt::format("{} applies to the training-free score of --space fbnet; NB201 searches use its tables or "
                                "--accuracy predictor",
                                name));
    if (cmd->get_option("--algorithm-options")->count() > 0)
      throw Error("--algorithm-options applies to --space fbnet; NB201 PEL-NAS options have their own flags (or --config)");
    if (cmd->get_option("--algorithm")->count() > 0 && o.algorithm != "pelnas")
      throw Error(fmt::format("--algorithm {}: `pelnas search` on NB201 runs PEL-NAS; compare baselines on NB201 with "
                              "`pelnas bench --algos {}` (--algorithm applies to --space fbnet)",
                              o.algorithm, o.algorithm));
  }
  if (!o.resume.empty()) {
    // The run continues with the configuration in its config.json: an option that would change it
    // is refused by name rather than silently ignored; the few that cannot change results are applied.
    static const std::map<std::string, std::string> resumable = {
        {"--llm-base-url", "base_url"}, {"--llm-timeout", "timeout_seconds"}, {"--llm-concurrency", "concurrency"},
        {"--llm-allow-plain-http-key", "allow_plain_http_key"}};
    static const std::set<std::string> passive = {"--resume", "--data", "--json", "--verbose", "--help", "--threads",
                                                  "--stop-after-generation", "--generation-delay-ms"};
    ResumeOptions ro;
    const std::string allowed =
        "--data, --json, --threads, --llm-base-url, --llm-timeout, --llm-concurrency, --llm-allow-plain-http-key, "
        "--evaluator-timeout";
    for (const CLI::Option* opt : cmd->get_options()) {
      if (opt->count() == 0 || opt->get_lnames().empty()) continue;
      const std::string name = "--" + opt->get_lnames().front();
      if (passive.count(name)) continue;
      if (name == "--evaluator-timeout") {
        ro.evaluator_timeout_seconds = o.evaluator_timeout;
        continue;
      }
      if (auto it = resumable.find(name); it != resumable.end()) {
        if (name == "--llm-base-url") ro.operator_options[it->second] = o.llm_base_url;
        else if (name == "--llm-timeout") ro.operator_options[it->second] = o.llm_timeout;
        else if (name == "--llm-allow-plain-http-key") ro.operator_options[it->second] = o.llm_allow_plain_http_key;
        else ro.operator_options[it->second] = o.llm_concurrency;
        continue;
      }
      throw Error(name + " cannot be given with --resume: the run continues with the configuration recorded in " + o.resume +
                  "/config.json (options allowed with --resume: " + allowed + ")");
    }
    if (o.data.data_dir) ro.data_dir = std::filesystem::absolute(resolve_data_dir(o.data.data_dir)).string();
    print_summary(resume_search_run(o.resume, hooks, ro), o.json);
    return;
  }
  std::map<std::string, long> file_lines;
  if (!o.config.empty()) apply_config_file(o.config, cmd, &file_lines);
  if (o.space != "nb201" || o.algorithm != "pelnas")
    throw Error(o.config + ": 'space' and 'algorithm' are given on the command line (--space, --algorithm), not in --config, "
                "which holds NB201 search options");
  RunConfig c;
  try {
    c.dataset = o.dataset;
    c.device = o.device;
    c.metric = o.metric;
    if (!o.objectives.empty()) apply_objectives(o.objectives, cmd->get_option("--metric")->count() > 0, c.metric, c.extra_metrics);
    c.accuracy = o.accuracy;
    if (!o.evaluator.empty()) {
      if (cmd->get_option("--accuracy")->count() > 0 && o.accuracy != kExternalSignal)
        throw Error("--evaluator gives the accuracy signal 'external' (the program's answers); it cannot be combined with --accuracy " +
                    o.accuracy);
      c.accuracy = kExternalSignal;
      ExternalEvaluatorOptions e;
      e.command = o.evaluator;
      e.working_dir = std::filesystem::current_path().string();
      e.timeout_seconds = o.evaluator_timeout;
      c.evaluator = e;
    } else if (o.accuracy == kExternalSignal) {
      throw Error("--accuracy external needs the program that reports it: --evaluator 'CMD ARGS' (docs/EVALUATOR.md)");
    } else if (cmd->get_option("--evaluator-timeout")->count() > 0) {
      throw Error("--evaluator-timeout applies to --evaluator, which is not given");
    }
    c.include_degenerate = o.include_degenerate;
    c.seed = o.seed;
    c.budget = o.budget;
    if (!o.hv_ref.empty()) {
      c.hv_reference = parse_reference_point(o.hv_ref, "--hv-ref");
      if (c.hv_reference->size() != 2 + c.extra_metrics.size())
        throw Error("--hv-ref: " + std::to_string(c.hv_reference->size()) + " numbers for " +
                    std::to_string(2 + c.extra_metrics.size()) + " objectives (" + c.objectives().str() +
                    "); give one per objective, e.g. " + (c.extra_metrics.empty() ? "1.1,1.1" : "1.1,1.1,1.1"));
    }
    c.data_dir = std::filesystem::absolute(resolve_data_dir(o.data.data_dir)).string();
    c.search.generations = o.generations;
    c.search.seeds_per_niche = o.seeds_per_niche;
    c.search.children_per_call = o.children_per_call;
    c.search.partition = o.partition;
    c.search.no_partition = o.no_partition;
    const char* env_model = std::getenv("PELNAS_LLM_MODEL");
    const bool model_configured = !o.llm_model.empty() || (env_model && *env_model);
    if (o.op.empty()) {
      c.search.operator_name = model_configured ? "llm" : "evolution";
      c.operator_defaulted = !model_configured;
    } else {
      c.search.operator_name = o.op;
    }
    if (!o.operator_options.empty()) {
      try {
        c.search.operator_options = nlohmann::json::parse(o.operator_options);
      } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("--operator-options: expected a JSON object: ") + e.what());
      }
      if (!c.search.operator_options.is_object()) throw Error("--operator-options: expected a JSON object like {\"swap_probability\": 0.3}");
    }
    if (c.search.operator_name == "llm") add_llm_flags(o, c.search.operator_options);
    c.validate();
    c.cli = resolved_options(*cmd);
    const std::string out = o.out.empty() ? default_out_dir(c) : o.out;
    if (c.search.operator_name == "llm" && !c.search.operator_options.contains("transcript_path"))
      c.search.operator_options["transcript_path"] = std::filesystem::absolute(std::filesystem::path(out) / "llm_transcript.jsonl").string();
    if (c.search.operator_name == "llm" && !c.search.operator_options.contains("cache_path"))
      c.search.operator_options["cache_path"] = std::filesystem::absolute(std::filesystem::path(out) / "llm_cache.sqlite").string();
    print_summary(start_search_run(c, out, hooks), o.json);
  } catch (const Error&) {
    // Values that are checked together or later (a device name, --hv-ref, ...) point back to
    // their line when they came from --config.
    if (o.config.empty()) throw;
    rethrow_with_config_line(o.config, file_lines);
  }
}

}  // namespace pelnas::cli
