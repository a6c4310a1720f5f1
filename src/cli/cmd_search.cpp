// `pelnas search`: a PEL-NAS run (partitioned niches, knowledge-base co-evolution) into a run
// directory; `--resume RUN_DIR` continues a killed run. Without a configured LLM model the
// `evolution` operator is used, and the run says so.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <fstream>
#include <iostream>
#include <sstream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "evaluate/accuracy_sources.h"
#include "metrics/evaluation_protocol.h"
#include "common/error.h"
#include "data/data_dir.h"
#include "evaluate/accuracy_sources.h"
#include "run/config_file.h"
#include "distributed/launch.h"
#include "distributed/proxy_batches.h"
#include "distributed/work_farm.h"
#include "run/search_run.h"
#include "run/space_search_run.h"
#include "space/search_space.h"

namespace pelnas::cli {

namespace {

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

std::string default_out_dir(const RunConfig& c) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::string base = fmt::format("runs/{}-{}-{}-s{}-{}", c.dataset, c.device, c.search.operator_name, c.seed, stamp);
  std::string dir = base;
  for (int i = 2; std::filesystem::exists(dir); ++i) dir = base + "-" + std::to_string(i);
  return dir;
}

void print_summary(const RunSummary& s, bool as_json) {
  if (as_json) {
    std::cout << s.to_json().dump(2) << "\n";
    return;
  }
  if (!s.finished) {
    std::cout << fmt::format("stopped after generation {} ({} evaluations); continue with: pelnas search --resume {}\n",
                             s.generations_completed, s.evaluations, s.run_dir);
    return;
  }
  std::cout << fmt::format("run directory: {}\nevaluations: {}  front: {}  HV ratio: {:.4f}  IGD: {:.4f}  IGD+: {:.4f}\n",
                           s.run_dir, s.evaluations, s.front_size, s.hv_ratio, s.igd, s.igd_plus);
  std::cout << fmt::format("seen = the accuracy the search saw ({}); test = true 200-epoch test accuracy (scoring)\n\n",
                           s.accuracy_signal);
  // More than two objectives: one more column per extra cost, every cost labelled by its objective
  // and unit (latency_ms, energy_mj).
  const std::size_t extras = s.front.empty() ? 0 : s.front.front().extra_costs.size();
  auto label = [&](std::size_t k) { return k < s.cost_labels.size() ? s.cost_labels[k] : fmt::format("cost{}", k + 1); };
  std::string extra_header;
  for (std::size_t k = 0; k < extras; ++k) extra_header += fmt::format("  {:>12}", label(k + 1));
  std::cout << fmt::format("{:>5}  {:>6}  {:>10}  {:>10}  {:>12}{}  {}\n", "niche", "index", "seen", "test",
                           extras ? label(0) : std::string("cost"), extra_header, "architecture");
  for (std::size_t i = 0; i < s.front.size(); ++i) {
    const auto& e = s.front[i];
    const auto t = i < s.front_test_accuracy.size() ? s.front_test_accuracy[i] : std::nullopt;
    std::string extra_values;
    for (double c : e.extra_costs) extra_values += fmt::format("  {:>12.6g}", c);
    std::cout << fmt::format("{:>5}  {:>6}  {:>10.4f}  {:>10}  {:>12.6g}{}  {}\n", e.niche, e.index, e.accuracy,
                             t ? fmt::format("{:.4f}", *t) : std::string("-"), e.cost, extra_values, e.arch.str());
  }
}

// Options that only mean something on NB201 (its tables, partitions, true front, config file).
const std::vector<std::string>& nb201_only_options() {
  static const std::vector<std::string> v = {
      "--partition", "--include-degenerate", "--hv-ref", "--config", "--generation-delay-ms"};
  return v;
}

// LLM operator options (keys of LlmOperatorOptions) from the --llm-* flags; the API key is read from
// the environment by the client and never passes through here.
void add_llm_flags(const SearchCliOptions& o, nlohmann::json& oo) {
  if (oo.is_null()) oo = nlohmann::json::object();
  if (!oo.is_object()) throw Error("--operator-options: expected a JSON object");
  if (!o.llm_base_url.empty()) oo["base_url"] = o.llm_base_url;
  if (!o.llm_model.empty()) oo["model"] = o.llm_model;
  if (o.llm_replay) oo["replay"] = true;
  if (o.llm_concurrency > 0) oo["concurrency"] = o.llm_concurrency;
  if (o.llm_timeout > 0) oo["timeout_seconds"] = o.llm_timeout;
  if (o.llm_max_reply_bytes > 0) oo["max_reply_bytes"] = o.llm_max_reply_bytes;
  if (o.llm_allow_plain_http_key) oo["allow_plain_http_key"] = true;
  if (!o.prompts_dir.empty()) oo["prompts_dir"] = std::filesystem::absolute(o.prompts_dir).string();
  if (!o.llm_cache.empty()) oo["cache_path"] = std::filesystem::absolute(o.llm_cache).string();
  if (o.llm_replay && !oo.contains("cache_path")) throw Error("--llm-replay: give the recorded run's response cache with --llm-cache FILE");
  if (o.llm_replay && !std::filesystem::exists(oo["cache_path"].get<std::string>()))
    throw Error("--llm-cache " + oo["cache_path"].get<std::string>() + ": no such file (a replay needs a recorded cache)");
}

// The --llm-* flags plus, as on NB201, the response cache and transcript in the run directory.
void add_llm_options(const SearchCliOptions& o, nlohmann::json& oo, const std::string& out) {
  add_llm_flags(o, oo);
  if (!oo.contains("transcript_path")) oo["transcript_path"] = std::filesystem::absolute(std::filesystem::path(out) / "llm_transcript.jsonl").string();
  if (!oo.contains("cache_path")) oo["cache_path"] = std::filesystem::absolute(std::filesystem::path(out) / "llm_cache.sqlite").string();
}

void print_space_result(const SpaceRunResult& r, bool as_json) {
  if (r.stopped) {
    if (as_json)
      std::cout << nlohmann::json{{"finished", false}, {"run_dir", r.dir}, {"generation", r.generation}, {"evaluations", r.evaluations}}.dump(2) << "\n";
    else
      std::cout << fmt::format("stopped after generation {} ({} evaluations); continue with: pelnas search --resume {}\n",
                               r.generation, r.evaluations, r.dir);
    return;
  }
  const auto summary = nlohmann::json::parse(
      [&] {
        std::ifstream in(r.dir + "/summary.json");
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
      }());
  if (as_json) {
    nlohmann::json j = summary;
    j["run_dir"] = r.dir;
    std::cout << j.dump(2) << "\n";
    return;
  }
  const std::string signal = summary.value("accuracy_signal", "") == kScoreSignal ? "score" : "accuracy";
  std::cout << fmt::format("run directory: {}\nspace: {} ({})  cost: {}  algorithm: {}\nevaluations: {}  front: {}  HV: {:.4f}\n",
                           r.dir, summary.value("space", ""), summary.value("dataset", ""), summary.value("cost", ""),
                           summary.value("algorithm", ""), r.evaluations, r.front_size, r.hv);
  std::cout << summary.value("protocol", "") << "\n\n";
  // One column per cost objective, labelled "<metric>_<unit>" (latency_ms, energy_mj).
  std::string header;
  if (summary.contains("cost_objectives"))
    for (const auto& c : summary["cost_objectives"]) {
      std::string unit = c.value("unit", "");
      std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      header += fmt::format("  {:>12}", c.value("metric", "cost") + "_" + unit);
    }
  else
    header = fmt::format("  {:>12}", summary.value("cost_unit", "cost"));
  std::cout << fmt::format("{:>10}{}  {}\n", signal, header, "architecture");
  for (const auto& f : summary["front"]) {
    std::string costs = fmt::format("  {:>12.6g}", f["cost"].get<double>());
    if (f.contains("extra_costs"))
      for (const auto& x : f["extra_costs"]) costs += fmt::format("  {:>12.6g}", x.get<double>());
    std::cout << fmt::format("{:>10.4f}{}  {}\n", f[signal].get<double>(), costs, f["arch"].get<std::string>());
  }
}

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
    } catch (const nlohmann::json::parse_error& e) {
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
      } catch (const nlohmann::json::parse_error& e) {
        throw Error(std::string("--operator-options: expected a JSON object: ") + e.what());
      }
    }
    c.algorithm_options = a;
  }
  if (!o.algorithm_options.empty()) {
    nlohmann::json given;
    try {
      given = nlohmann::json::parse(o.algorithm_options);
    } catch (const nlohmann::json::parse_error& e) {
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
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    out = fmt::format("runs/{}-{}-{}-s{}-{}", c.space, c.device, c.algorithm, c.seed, stamp);
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

// The space a run directory was made for ("nb201" when its config.json does not say).
std::string run_space(const std::string& dir) {
  std::ifstream in(dir + "/config.json");
  if (!in) return "nb201";
  try {
    const auto j = nlohmann::json::parse(in);
    if (j.is_object() && j.contains("space") && j["space"].is_string()) return j["space"].get<std::string>();
  } catch (const nlohmann::json::parse_error&) {
  }
  return "nb201";
}

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
      } catch (const nlohmann::json::parse_error& e) {
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
