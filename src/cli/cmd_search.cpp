// `pelnas search`: a PEL-NAS run (partitioned niches, knowledge-base co-evolution) into a run
// directory; `--resume RUN_DIR` continues a killed run. Without a configured LLM model the
// `evolution` operator is used, and the run says so.
// This file holds its flags and the dispatch (this process, or rank 0 under mpirun).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "cli/search_cli.h"
#include "common/error.h"
#include "data/data_dir.h"
#include "evaluate/accuracy_sources.h"
#include "distributed/launch.h"
#include "distributed/proxy_batches.h"
#include "distributed/work_farm.h"
#include "run/config_file.h"

namespace pelnas::cli {

namespace {

void run_search(SearchCliOptions& o, CLI::App* cmd) {
  RunHooks hooks;
  hooks.stop_after_generation = o.stop_after_generation;
  hooks.generation_delay_ms = o.generation_delay_ms;
  hooks.terminal_progress = ::isatty(STDERR_FILENO) != 0;
  std::string threads_note;
  hooks.proxy_threads =
      distributed::resolve_threads(cmd->get_option("--threads")->count() > 0, o.threads, 2, &threads_note);
  const distributed::Launch launch = distributed::launch();
  if (launch.size <= 1) {
    run_search_here(o, cmd, hooks);
    return;
  }
  // Under mpirun the search runs on rank 0; every rank (rank 0 too) computes the proxies of its
  // batches: each generation's children whose proxies are not in the table or cache.
  auto farm = distributed::make_work_farm();
  std::string data_dir;  // this rank's own, when it has one (else rank 0's; the images digest is compared)
  try {
    data_dir = resolve_data_dir(o.data.data_dir);
  } catch (const Error&) {
  }
  distributed::ProxyBatchFarm batches(*farm, hooks.proxy_threads, threads_note, data_dir);
  if (!farm->coordinator()) {
    batches.serve();
    return;
  }
  hooks.remote_proxies = [&batches](const ProxyOptions& options, const std::vector<Arch>& archs,
                                    const std::function<void(std::size_t, ProxyValues)>& done) {
    batches.compute(options, archs, done);
  };
  hooks.remote_refusal = fmt::format(
      "under mpirun with {} ranks only `--accuracy predictor` searches run, their proxies spread over the ranks; "
      "this signal costs nothing to evaluate, so run the search without mpirun (or with -n 1)",
      launch.size);
  try {
    run_search_here(o, cmd, hooks);
  } catch (...) {
    try {
      batches.close();  // the other ranks stop waiting for batches; then this rank reports the error
    } catch (const std::exception& e) {
      spdlog::error("search: ending the other ranks failed too: {}", e.what());
    }
    throw;
  }
  batches.close();
}

}  // namespace

PELNAS_REGISTER_COMMAND(50, [](CLI::App& root) {
  auto o = std::make_shared<SearchCliOptions>();
  auto* cmd = root.add_subcommand("search", "run a PEL-NAS search into a run directory (or --resume one)");
  add_data_option(cmd, o->data);
  add_config_option(cmd, o->config);
  cmd->add_option("--space", o->space, "search space: nb201 (default) or fbnet (HW-NAS-Bench's FBNet; see docs/FBNET.md)")->capture_default_str();
  cmd->add_option("--algorithm", o->algorithm, "--space fbnet only: random, rea, nsga2 or pelnas")->capture_default_str();
  cmd->add_option("--algorithm-options", o->algorithm_options,
                  "--space fbnet only: the algorithm's options as a JSON object, e.g. {\"population\": 16, "
                  "\"sample_size\": 4} for rea (as in `pelnas bench --algos`)");
  cmd->add_option("--dataset", o->dataset, "cifar10, cifar100 or ImageNet16-120")->capture_default_str();
  cmd->add_option("--device", o->device, "target device (see `pelnas data devices`)")->capture_default_str();
  cmd->add_option("--metric", o->metric, "hardware cost: latency or energy")->check(CLI::IsMember({"latency", "energy"}))->capture_default_str();
  add_objectives_option(cmd, o->objectives);
  cmd->add_option("--seed", o->seed, "random seed")->capture_default_str();
  cmd->add_option("--generations", o->generations,
                  "generations after seeding (-1 = as many as the budget pays for; without --budget that is 10); a "
                  "fixed number that cannot spend --budget is refused")
      ->check(CLI::Range(-1, 100000))->capture_default_str();
  cmd->add_option("--budget", o->budget,
                  "unique evaluated architectures, all spent (0 = niches x (seeds + 10 x children), 324 by default); "
                  "at least the seeding cost (niches x seeds per niche)")
      ->check(CLI::Range(0, 15625))->capture_default_str();
  cmd->add_option("--seeds-per-niche", o->seeds_per_niche, "random cells seeding each niche archive")->check(CLI::Range(1, 15625))->capture_default_str();
  cmd->add_option("--children-per-call", o->children_per_call, "children proposed per niche per generation")->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--partition", o->partition, "niches: paper, conv3x3, or a CSV table (see docs/RUN_DIRECTORY.md)")->capture_default_str();
  cmd->add_flag("--no-partition", o->no_partition, "one niche for the whole space (ablation)");
  cmd->add_option("--operator", o->op, "variation operator: llm or evolution (default: llm if a model is configured, else evolution)");
  cmd->add_option("--operator-options", o->operator_options, "operator options as a JSON object (see docs/RUN_DIRECTORY.md)");
  cmd->add_option("--hv-ref", o->hv_ref,
                  "HV reference point X,Y in the normalised objective space (test error, cost), where the true "
                  "front spans 0..1 (default 1,1: its nadir); e.g. 1.1,1.1 also credits the front's extremes; one "
                  "number per objective with --objectives (X,Y,Z for three)");
  cmd->add_option("--accuracy", o->accuracy,
                  accuracy_signal_help() +
                      "\n  --space fbnet: score (default there): the training-free score (0-100, rank of jacov and "
                      "synflow against a fixed seeded reference sample; NOT an accuracy), or external (--evaluator)")
      ->capture_default_str();
  cmd->add_option("--evaluator", o->evaluator,
                  "your program that scores candidates (accuracy signal 'external'): started once with /bin/sh -c, "
                  "spoken to in JSON lines on stdin/stdout, stderr to RUN_DIR/evaluator.log (docs/EVALUATOR.md)");
  cmd->add_option("--score-options", o->score_options,
                  "--space fbnet, training-free score (the default signal there; a score, not an accuracy): JSON "
                  "object with proxies (default [\"jacov\", \"synflow\"]), reference_size (256), reference_seed (0), "
                  "batch_size (64), proxy_seed (0); docs/FBNET.md");
  cmd->add_option("--proxy-cache", o->proxy_cache,
                  "--space fbnet, training-free score: SQLite proxy cache (default $PELNAS_PROXY_CACHE or "
                  "~/.cache/pelnas/proxies.sqlite)");
  cmd->add_option("--evaluator-timeout", o->evaluator_timeout, "seconds the evaluator may take for one batch")
      ->check(CLI::Range(0.001, 604800.0))->capture_default_str();
  cmd->add_flag("--include-degenerate", o->include_degenerate,
                "keep the 341 degenerate cells (no input->output path, zero output) in the searchable space and the "
                "true front (excluded by default)");
  cmd->add_option("--out", o->out, "run directory (default runs/<dataset>-<device>-<operator>-s<seed>-<time>)");
  cmd->add_option("--resume", o->resume, "continue the killed run in this directory (other options come from its config.json)");
  cmd->add_option("--llm-base-url", o->llm_base_url, "OpenAI-compatible endpoint (default $PELNAS_LLM_BASE_URL)");
  cmd->add_option("--llm-model", o->llm_model, "chat model name (default $PELNAS_LLM_MODEL); the key comes from $PELNAS_LLM_API_KEY or $OPENAI_API_KEY");
  cmd->add_flag("--llm-replay", o->llm_replay, "answer LLM calls from the response cache only (no network)");
  cmd->add_option("--llm-concurrency", o->llm_concurrency, "niches whose LLM calls run at once (0 = operator default)")->check(CLI::Range(0, 64));
  cmd->add_option("--llm-timeout", o->llm_timeout, "deadline in seconds of one whole LLM HTTP attempt (default 120)")->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--llm-max-reply-bytes", o->llm_max_reply_bytes, "largest LLM response body accepted (default 4 MiB)")
      ->check(CLI::Range(std::int64_t{1024}, std::int64_t{1} << 30));
  cmd->add_flag("--llm-allow-plain-http-key", o->llm_allow_plain_http_key,
                "allow sending the API key over plain http:// to a host that is not loopback (it can be read on the way)");
  cmd->add_option("--llm-cache", o->llm_cache, "LLM response cache (SQLite; default RUN_DIR/llm_cache.sqlite; with --llm-replay, the recorded run's)");
  cmd->add_option("--prompts", o->prompts_dir, "directory of prompt templates (default: the source tree's prompts/ or $PELNAS_PROMPTS_DIR)");
  // Test hooks: hidden from --help (empty group) and from the TOML key list (config_file.cpp).
  cmd->add_option("--stop-after-generation", o->stop_after_generation, "test hook: stop after this generation's checkpoint")->group("");
  cmd->add_option("--generation-delay-ms", o->generation_delay_ms, "test hook: pause after each checkpoint")->group("");
  cmd->add_option("--threads", o->threads,
                  "torch threads for the proxies --accuracy predictor (or, on --space fbnet, the training-free score) "
                  "computes (default $OMP_NUM_THREADS, else 2; under mpirun per rank)")
      ->check(CLI::Range(1, 256));
  add_json_flag(cmd, o->json);
  cmd->callback([o, cmd] { run_search(*o, cmd); });
  distributed::declare_distributed_command("search");
});

}  // namespace pelnas::cli
