// `pelnas search --space NAME` (not nb201): flags checked and turned into a SpaceRunConfig.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/search_cli.h"
#include "common/clock_text.h"
#include "common/error.h"
#include "data/data_dir.h"
#include "distributed/launch.h"
#include "evaluate/accuracy_sources.h"

namespace pelnas::cli {

namespace {

// Options that only mean something on NB201 (its tables, partitions, true front, config file).
const std::vector<std::string>& nb201_only_options() {
  static const std::vector<std::string> v = {
      "--partition", "--include-degenerate", "--hv-ref", "--config", "--generation-delay-ms"};
  return v;
}

}  // namespace

// `--space` other than nb201: the space-generic run (run/space_search_run.h).
SpaceRunHooks space_hooks(const SearchCliOptions& o, CLI::App* cmd) {
  SpaceRunHooks h;
  std::string note;
  h.proxy_threads = distributed::resolve_threads(cmd->get_option("--threads")->count() > 0, o.threads, 2, &note);
  h.stop_after_generation = o.stop_after_generation;
  return h;
}

void run_space_search_here(SearchCliOptions& o, CLI::App* cmd) {
  for (const auto& name : nb201_only_options())
    if (cmd->get_option(name)->count() > 0)
      throw Error(fmt::format("{} does not apply to --space {}: it is about NB201's tables, partitions or config file", name, o.space));
  if (cmd->get_option("--accuracy")->count() > 0 && o.accuracy != kExternalSignal && o.accuracy != kScoreSignal)
    throw Error(fmt::format("--accuracy {} does not apply to --space {}: that signal is read from NB201's benchmark tables; "
                            "use --evaluator 'CMD' (external) or --accuracy score",
                            o.accuracy, o.space));
  SpaceRunConfig c;
  c.space = o.space;
  c.dataset = cmd->get_option("--dataset")->count() > 0 ? o.dataset : "";
  c.device = cmd->get_option("--device")->count() > 0 ? o.device : "pixel3";
  c.metric = o.metric;
  if (!o.objectives.empty()) apply_objectives(o.objectives, cmd->get_option("--metric")->count() > 0, c.metric, c.extra_metrics);
  c.algorithm = o.algorithm;
  c.budget = o.budget;
  c.seed = o.seed;
  // The training-free score by default; --evaluator brings the user's (trained) accuracies.
  c.accuracy = !o.evaluator.empty() ? kExternalSignal : cmd->get_option("--accuracy")->count() > 0 ? o.accuracy : kScoreSignal;
  for (const char* name : {"--score-options", "--proxy-cache"})
    if (c.accuracy != kScoreSignal && cmd->get_option(name)->count() > 0)
      throw Error(fmt::format("{} applies to the training-free score (--accuracy score), not to the signal '{}'", name, c.accuracy));
  if (!o.score_options.empty()) {
    try {
      c.score = TrainingFreeScoreOptions::from_json(nlohmann::json::parse(o.score_options));
    } catch (const nlohmann::json::exception& e) {
      throw Error(std::string("--score-options: expected a JSON object: ") + e.what());
    }
  }
  if (!o.proxy_cache.empty()) c.proxy_cache = std::filesystem::absolute(o.proxy_cache).string();
  if (!o.evaluator.empty()) {
    if (cmd->get_option("--accuracy")->count() > 0 && o.accuracy != kExternalSignal)
      throw Error("--evaluator gives the accuracy signal 'external' (the program's answers); it cannot be combined with --accuracy " + o.accuracy);
    ExternalEvaluatorOptions e;
    e.command = o.evaluator;
    e.working_dir = std::filesystem::current_path().string();
    e.timeout_seconds = o.evaluator_timeout;
    c.evaluator = e;
  }
  if (o.data.data_dir) c.data_dir = std::filesystem::absolute(resolve_data_dir(o.data.data_dir)).string();
  const bool pelnas = o.algorithm == "pelnas";
  for (const char* name : {"--generations", "--seeds-per-niche", "--children-per-call", "--no-partition", "--operator", "--operator-options"})
    if (!pelnas && cmd->get_option(name)->count() > 0)
      throw Error(fmt::format("{} applies to --algorithm pelnas, not {}", name, o.algorithm));
  if (pelnas) {
    nlohmann::json a = nlohmann::json::object();
    if (cmd->get_option("--generations")->count() > 0) a["generations"] = o.generations;
    if (cmd->get_option("--seeds-per-niche")->count() > 0) a["seeds_per_niche"] = o.seeds_per_niche;
    if (cmd->get_option("--children-per-call")->count() > 0) a["children_per_call"] = o.children_per_call;
    if (o.no_partition) a["no_partition"] = true;
    if (!o.op.empty()) a["operator"] = o.op;
    if (!o.operator_options.empty()) {
      try {
        a["operator_options"] = nlohmann::json::parse(o.operator_options);
      } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("--operator-options: expected a JSON object: ") + e.what());
      }
    }
    c.algorithm_options = a;
  }
  if (!o.algorithm_options.empty()) {
    nlohmann::json given;
    try {
      given = nlohmann::json::parse(o.algorithm_options);
    } catch (const nlohmann::json::exception& e) {
      throw Error(std::string("--algorithm-options: expected a JSON object: ") + e.what());
    }
    if (!given.is_object()) throw Error("--algorithm-options: expected a JSON object");
    if (c.algorithm_options.is_null()) c.algorithm_options = nlohmann::json::object();
    for (const auto& item : given.items()) {
      if (c.algorithm_options.contains(item.key()))
        throw Error("--algorithm-options: '" + item.key() + "' is also given by its own flag");
      c.algorithm_options[item.key()] = item.value();
    }
  }
  std::string out = o.out;
  if (out.empty()) {
    out = fmt::format("runs/{}-{}-{}-s{}-{}", c.space, c.device, c.algorithm, c.seed, local_stamp_now());
  }
  if (pelnas && o.op == "llm") {
    add_llm_options(o, c.algorithm_options["operator_options"], out);
  } else {
    for (const char* name : {"--llm-base-url", "--llm-model", "--llm-replay", "--llm-concurrency", "--llm-timeout",
                             "--llm-max-reply-bytes", "--llm-allow-plain-http-key", "--llm-cache", "--prompts"})
      if (cmd->get_option(name)->count() > 0) throw Error(fmt::format("{} applies to --algorithm pelnas --operator llm", name));
  }
  c.validate();
  print_space_result(run_space_search(c, out, space_hooks(o, cmd)), o.json);
}

}  // namespace pelnas::cli
