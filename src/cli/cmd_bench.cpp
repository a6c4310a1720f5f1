// `pelnas bench`: the benchmark grid of baseline searches against the true fronts.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/error.h"
#include "evaluate/accuracy_sources.h"
#include "data/data_dir.h"
#include "distributed/launch.h"
#include "distributed/work_farm.h"
#include "experiment/benchmark_grid.h"
#include "experiment/space_benchmark_grid.h"
#include "report/space_bench_report.h"
#include "run/run_directory.h"
#include "metrics/evaluation_protocol.h"

namespace pelnas::cli {

namespace {

struct BenchCliOptions {
  DataOptions data;
  std::vector<std::string> algos = {"random", "rea", "nsga2"};
  std::vector<std::string> datasets = {"cifar10"};
  std::vector<std::string> devices = {"fpga", "eyeriss", "raspi4", "pixel3"};
  std::string metric = "latency";
  std::string accuracy = kDefaultAccuracySignal;
  bool include_degenerate = false;
  int seeds = 10;
  int budget = 600;
  int threads = 2;
  int proxy_threads = 2;  // resolved in the callback: --proxy-threads, else $OMP_NUM_THREADS, else 2
  int curve_step = 10;
  std::string algo_options = "{}";
  std::string hv_ref;
  std::vector<std::string> objectives;  // empty = accuracy and --metric
  bool metric_given = false;
  std::string out;
  bool overwrite = false;
  bool json = false;
  // The `llm` operator in a grid (an entry like pelnas:operator=llm): one response cache for every
  // run, so a grid can be replayed without the model.
  std::string llm_base_url, llm_model, llm_cache;
  bool llm_replay = false;
  double llm_timeout = 0;
  // --space fbnet (experiment/space_benchmark_grid.h)
  std::string space = "nb201";
  std::string evaluator, score_options, proxy_cache;
};

// `pelnas bench --space fbnet`: the grid of space runs, compared against the union of its runs.
void run_space_bench(const BenchCliOptions& c, CLI::App* cmd) {
  auto given = [&](const char* name) { return cmd->get_option(name)->count() > 0; };
  for (const char* name : {"--include-degenerate", "--hv-ref", "--curve-step", "--threads", "--llm-base-url", "--llm-model",
                           "--llm-cache", "--llm-replay", "--llm-timeout"})
    if (given(name))
      throw Error(fmt::format("{} does not apply to bench --space {}: it is about NB201's tables, true fronts or the llm "
                              "operator's grids (runs of a space go one after another; --proxy-threads sets the torch threads)",
                              name, c.space));
  if (c.out.empty()) throw Error(fmt::format("bench --space {}: give --out DIR (every run is a run directory under DIR/runs)", c.space));
  SpaceGridOptions o;
  o.space = c.space;
  if (given("--datasets")) {
    if (c.datasets.size() != 1) throw Error("bench --space: --datasets: give one dataset of the space (e.g. cifar100)");
    o.dataset = c.datasets.front();
  }
  if (given("--devices")) o.devices = c.devices;
  if (given("--algos")) o.algorithms = c.algos;
  if (given("--seeds")) o.seeds = c.seeds;
  if (given("--budget")) o.budget = c.budget;
  o.metric = c.metric;
  if (!c.objectives.empty()) apply_objectives(c.objectives, c.metric_given, o.metric, o.extra_metrics);
  try {
    o.algorithm_options = nlohmann::json::parse(c.algo_options);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("bench: --algo-options is not valid JSON: ") + e.what());
  }
  SpaceRunConfig& sig = o.signal;
  if (!c.evaluator.empty()) {
    if (given("--accuracy") && c.accuracy != kExternalSignal)
      throw Error("--evaluator gives the accuracy signal 'external'; it cannot be combined with --accuracy " + c.accuracy);
    sig.accuracy = kExternalSignal;
    ExternalEvaluatorOptions e;
    e.command = c.evaluator;
    e.working_dir = std::filesystem::current_path().string();
    sig.evaluator = e;
  } else {
    sig.accuracy = given("--accuracy") ? c.accuracy : kScoreSignal;
  }
  for (const char* name : {"--score-options", "--proxy-cache"})
    if (sig.accuracy != kScoreSignal && given(name))
      throw Error(fmt::format("{} applies to the training-free score (--accuracy score), not to the signal '{}'", name, sig.accuracy));
  if (!c.score_options.empty()) {
    try {
      sig.score = TrainingFreeScoreOptions::from_json(nlohmann::json::parse(c.score_options));
    } catch (const nlohmann::json::exception& e) {
      throw Error(std::string("--score-options: expected a JSON object: ") + e.what());
    }
  }
  if (!c.proxy_cache.empty()) sig.proxy_cache = std::filesystem::absolute(c.proxy_cache).string();
  if (c.data.data_dir) sig.data_dir = std::filesystem::absolute(resolve_data_dir(c.data.data_dir)).string();
  o.validate();
  SpaceRunHooks hooks;
  hooks.proxy_threads = c.proxy_threads;  // resolved: --proxy-threads, else $OMP_NUM_THREADS, else 2
  const auto result = run_space_benchmark_grid(o, c.out, hooks, [](int i, int n, const std::string& name) {
    spdlog::info("bench --space: run {}/{}: {}", i, n, name);
  });
  result.write(c.out);
  write_file_atomic((std::filesystem::path(c.out) / "report.html").string(), report::render_space_bench_report(result));
  spdlog::info("bench: wrote results.csv, union_fronts.csv, summary.json, summary.md, report.html to {}", c.out);
  if (c.json) {
    std::cout << result.summary_json().dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("{} benchmark grid: budget {}, {} seed(s), signal: {}; {:.1f} s.\n\n", o.space, o.budget, o.seeds,
                           sig.accuracy == kScoreSignal ? "training-free score (not an accuracy)" : "external evaluator's accuracy",
                           result.wall_seconds);
  std::cout << result.text_table();
  std::cout << fmt::format("\nHV in the fixed normalisation of each device; HV ratio and IGD are {}.\n", kUnionFrontLabel);
}

// Adds the --llm-* settings to the operator options of every entry that runs the llm operator;
// returns how many entries do.
int configure_llm_entries(const BenchCliOptions& c, BenchmarkGridOptions& o) {
  namespace fs = std::filesystem;
  int n = 0;
  for (const auto& label : o.algorithms) {
    const AlgorithmSpec spec = AlgorithmSpec::parse(label, o.algorithm_options);
    if (spec.search != "pelnas" || spec.options.value("operator", std::string()) != "llm") continue;
    ++n;
    nlohmann::json& entry = o.algorithm_options[label];
    if (!entry.is_object()) entry = nlohmann::json::object();
    nlohmann::json& oo = entry["operator_options"];
    if (!oo.is_object()) oo = nlohmann::json::object();
    if (!c.llm_base_url.empty()) oo["base_url"] = c.llm_base_url;
    if (!c.llm_model.empty()) oo["model"] = c.llm_model;
    if (c.llm_timeout > 0) oo["timeout_seconds"] = c.llm_timeout;
    if (c.llm_replay) oo["replay"] = true;
    std::string cache = c.llm_cache;
    if (cache.empty() && !c.out.empty()) cache = (fs::path(c.out) / "llm_cache.sqlite").string();
    if (c.llm_replay && (cache.empty() || !fs::exists(cache)))
      throw Error("bench: --llm-replay needs the recorded grid's response cache (--llm-cache FILE" +
                  (cache.empty() ? std::string(")") : ", not found: " + cache + ")"));
    if (!cache.empty()) oo["cache_path"] = fs::absolute(cache).string();
  }
  if (n == 0 && (c.llm_replay || !c.llm_cache.empty() || !c.llm_model.empty() || !c.llm_base_url.empty()))
    throw Error("bench: --llm-* options given but no algorithm uses the llm operator (e.g. --algos pelnas:operator=llm)");
  return n;
}

// A grid's output directory is never silently replaced: it must be new or empty unless --overwrite.
void check_out_dir(const std::string& out, bool overwrite) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (out.empty() || !fs::exists(out, ec)) return;
  if (!fs::is_directory(out, ec)) throw Error("bench: --out " + out + " exists and is not a directory");
  if (!overwrite && !fs::is_empty(out, ec))
    throw Error("bench: --out " + out + " is not empty (it may hold an earlier grid); choose a new directory or add "
                "--overwrite to replace its files");
}

void run_bench(const BenchCliOptions& c, CLI::App* cmd) {
  if (c.space != "nb201") {
    run_space_bench(c, cmd);
    return;
  }
  for (const char* name : {"--evaluator", "--score-options", "--proxy-cache"})
    if (cmd->get_option(name)->count() > 0)
      throw Error(fmt::format("{} applies to bench --space fbnet (NB201 grids read the tables or --accuracy predictor)", name));
  BenchmarkGridOptions o;
  o.algorithms = c.algos;
  o.datasets.clear();
  for (const auto& d : c.datasets) o.datasets.push_back(dataset_from_string(d));
  o.devices = c.devices;
  o.metric = hw_metric_from_string(c.metric);
  if (!c.objectives.empty()) {
    std::string metric = c.metric;
    std::vector<std::string> extra;
    apply_objectives(c.objectives, c.metric_given, metric, extra);
    o.metric = hw_metric_from_string(metric);
    for (const auto& m : extra) o.extra_metrics.push_back(hw_metric_from_string(m));
  }
  o.accuracy = c.accuracy;
  if (!c.hv_ref.empty()) {
    o.hv_reference = parse_reference_point(c.hv_ref, "--hv-ref");
    if (o.hv_reference->size() != 2 + o.extra_metrics.size())
      throw Error("--hv-ref: " + std::to_string(o.hv_reference->size()) + " numbers for " +
                  std::to_string(2 + o.extra_metrics.size()) + " objectives (" + o.objectives().str() +
                  "); give one per objective");
  }
  o.include_degenerate = c.include_degenerate;
  o.seeds = c.seeds;
  o.budget = c.budget;
  o.threads = c.threads;
  o.proxy_threads = c.proxy_threads;
  o.curve_step = c.curve_step;

  try {
    o.algorithm_options = nlohmann::json::parse(c.algo_options);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("bench: --algo-options is not valid JSON: ") + e.what());
  }
  check_out_dir(c.out, c.overwrite);
  const bool llm = configure_llm_entries(c, o) > 0;
  auto data = BenchmarkData::load(resolve_data_dir(c.data.data_dir));
  // Under mpirun every rank runs this; runs go to whichever rank is free and only rank 0 writes.
  auto farm = distributed::make_work_farm();
  const auto result = run_benchmark_grid(
      data, o,
      [&](std::size_t runs) {  // announced once every check passed; nothing is created before
        if (llm && !c.out.empty()) std::filesystem::create_directories(c.out);  // the response cache lives there
        spdlog::info("bench: {} runs on {} thread(s){}", runs, o.threads,
                     farm->size() > 1 ? fmt::format(" per rank, {} MPI ranks", farm->size()) : "");
      },
      farm.get());
  if (!farm->coordinator()) return;
  if (!c.out.empty()) {
    result.write(c.out);
    spdlog::info("bench: wrote results.csv, curves.csv, archives.csv, fronts.csv, summary.json, summary.md to {}", c.out);
  }
  if (c.json) {
    auto j = result.summary_json();
    j["total_wall_ms"] = result.total_wall_ms;
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::string signals;
  for (const auto& s : result.settings)
    if (signals.find(s.accuracy_signal) == std::string::npos) signals += (signals.empty() ? "" : ", ") + s.accuracy_signal;
  std::cout << fmt::format("Benchmark grid: budget {}, {} seed(s), accuracy signal the searches see: {}{}; {:.2f} s on {} "
                           "thread(s).\n\n",
                           o.budget, o.seeds, signals, signals == "table:test" ? " (true test accuracy: an oracle)" : "",
                           result.total_wall_ms / 1000.0, o.threads);
  std::cout << result.text_table();
  for (const auto& s : result.settings)
    if (s.coverage + s.excluded < s.space_size)
      std::cout << fmt::format("\nNote: {} / {} has a value for {} of {} architectures; searched and scored over those only.",
                               to_string(s.dataset), s.cost_name, s.coverage + s.excluded, s.space_size);
  const ObjectiveVector ref = o.hv_reference.value_or(ObjectiveVector(2 + o.extra_metrics.size(), 1.0));
  std::string ref_text, objectives_text = "test error %, cost";
  for (double v : ref) ref_text += fmt::format("{}{:g}", ref_text.empty() ? "" : ", ", v);
  for (HwMetric m : o.extra_metrics) objectives_text += ", " + std::string(to_string(m));
  std::cout << fmt::format("\n\nProtocol (per setting in summary.md / --json): objectives ({}) normalised by the true "
                           "front's ideal and nadir; HV reference ({}); hv_ratio = HV(found) / HV(true front); IGD/IGD+ "
                           "in the same space; found sets re-scored with true test accuracy{}.\n",
                           objectives_text, ref_text,
                           result.settings.empty() || result.settings[0].excluded == 0
                               ? std::string()
                               : fmt::format("; {} degenerate (zero-output) cells excluded from the space and the true "
                                             "front (--include-degenerate keeps them)",
                                             result.settings[0].excluded));
}

void setup(CLI::App& root) {
  auto o = std::make_shared<BenchCliOptions>();
  auto* cmd = root.add_subcommand("bench", "run baseline searches over (dataset, device, algorithm, seed) and score them");
  cmd->add_option("--algos", o->algos, "comma-separated searches (random, rea, nsga2, exhaustive, pelnas, ...); inline options: pelnas:no_partition=true:generations=5")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--datasets", o->datasets, "comma-separated datasets")->delimiter(',')->capture_default_str();
  cmd->add_option("--devices", o->devices, "comma-separated cost devices")->delimiter(',')->capture_default_str();
  cmd->add_option("--metric", o->metric, "latency | energy | arithmetic_intensity")->capture_default_str();
  add_objectives_option(cmd, o->objectives);
  cmd->add_option("--accuracy", o->accuracy, accuracy_signal_help())->capture_default_str();
  cmd->add_flag("--include-degenerate", o->include_degenerate,
                "keep the 341 degenerate cells (zero output) in the searchable space and the true fronts");
  cmd->add_option("--seeds", o->seeds, "runs per (dataset, device, algorithm), seeds 0..N-1")->capture_default_str();
  cmd->add_option("--budget", o->budget,
                  "unique evaluated architectures per run, all spent (pelnas derives its generations from it)")
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "worker threads (results do not depend on it)")->capture_default_str();
  cmd->add_option("--proxy-threads", o->proxy_threads,
                  "--accuracy predictor: torch threads per proxy computation (default $OMP_NUM_THREADS, else 2)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--curve-step", o->curve_step, "curves.csv point every N evaluations")->capture_default_str();
  cmd->add_option("--algo-options", o->algo_options, R"(JSON options per algorithm, e.g. {"rea":{"population":50}})")
      ->capture_default_str();
  cmd->add_option("--hv-ref", o->hv_ref, "HV reference point X,Y in the normalised space (default 1,1: the true front's nadir)");
  cmd->add_option("--out", o->out, "directory for results.csv, curves.csv, archives.csv, fronts.csv, summary.json, "
                                   "summary.md (docs/BENCH_OUTPUT.md); must be new or empty");
  cmd->add_flag("--overwrite", o->overwrite, "write into a non-empty --out directory, replacing its grid files");
  cmd->add_option("--llm-base-url", o->llm_base_url, "llm operator entries: OpenAI-compatible endpoint (default $PELNAS_LLM_BASE_URL)");
  cmd->add_option("--llm-model", o->llm_model, "llm operator entries: chat model (default $PELNAS_LLM_MODEL)");
  cmd->add_option("--llm-cache", o->llm_cache, "llm operator entries: response cache shared by every run (default OUT/llm_cache.sqlite)");
  cmd->add_flag("--llm-replay", o->llm_replay, "llm operator entries: answer from --llm-cache only (no network)");
  cmd->add_option("--llm-timeout", o->llm_timeout, "llm operator entries: seconds per LLM attempt")->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--space", o->space,
                  "search space: nb201 (default; scored against true fronts) or fbnet (defaults there: --algos "
                  "random,rea,nsga2,pelnas, --devices pixel3,fpga, --seeds 5, --budget 300, the training-free score; "
                  "scored against the union of the grid's runs, not a true front; --out required)")
      ->capture_default_str();
  cmd->add_option("--evaluator", o->evaluator, "--space fbnet: your program that reports accuracies (signal 'external', docs/EVALUATOR.md)");
  cmd->add_option("--score-options", o->score_options, "--space fbnet, training-free score: its options as JSON (see pelnas search --help)");
  cmd->add_option("--proxy-cache", o->proxy_cache, "--space fbnet, training-free score: SQLite proxy cache shared by every run");
  add_json_flag(cmd, o->json);
  add_data_option(cmd, o->data);
  cmd->callback([o, cmd] {
    o->metric_given = cmd->get_option("--metric")->count() > 0;
    o->proxy_threads =
        distributed::resolve_threads(cmd->get_option("--proxy-threads")->count() > 0, o->proxy_threads, 2, nullptr);
    run_bench(*o, cmd);
  });
  distributed::declare_distributed_command("bench");
}

}  // namespace

PELNAS_REGISTER_COMMAND(30, setup);

}  // namespace pelnas::cli
