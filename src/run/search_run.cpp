#include "run/search_run.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <set>
#include <spdlog/spdlog.h>
#include <sstream>
#include <thread>

#include "common/csv.h"
#include "common/error.h"
#include "common/progress_line.h"
#include "common/json_fields.h"
#include "data/benchmark_data.h"
#include "evaluate/accuracy_sources.h"
#include "hardware/cost_source.h"
#include "hardware/searchable_space.h"
#include "metrics/evaluation_protocol.h"
#include "metrics/incremental_archive_score.h"
#include "run/knowledge_log.h"
#include "run/run_directory.h"
#include "run/run_state_store.h"
#include "search/llm_operator.h"

namespace pelnas {

namespace {

std::string now_iso() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Rule identity without the statistics suffix " (...)" the evolution operator appends.
std::string rule_key(const std::string& text) {
  const auto p = text.find(" (");
  return p == std::string::npos ? text : text.substr(0, p);
}

nlohmann::json knowledge_changes(const KnowledgeBase& before, const KnowledgeBase& after) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [label, b, a] : {std::tuple{"positive", &before.positive, &after.positive},
                                     std::tuple{"negative", &before.negative, &after.negative}}) {
    std::set<std::string> old_keys, new_keys;
    for (const auto& r : *b) old_keys.insert(rule_key(r.text));
    for (const auto& r : *a) new_keys.insert(rule_key(r.text));
    nlohmann::json added = nlohmann::json::array(), removed = nlohmann::json::array();
    for (const auto& k : new_keys)
      if (!old_keys.count(k)) added.push_back(k);
    for (const auto& k : old_keys)
      if (!new_keys.count(k)) removed.push_back(k);
    out[label] = {{"added", added}, {"removed", removed}};
  }
  return out;
}

const nlohmann::json kNoKnowledgeChange = knowledge_changes({}, {});

// The run's dataset, device and seed end every row, so archives of several runs concatenate
// without a join.
std::string csv_rows(const std::vector<EvaluatedArch>& entries, const Evaluator& ev, const RunConfig& cfg) {
  std::ostringstream os;
  os.precision(17);
  // seen_accuracy: the run's accuracy_signal (what the search saw); true_accuracy: 200-epoch test.
  // More than two objectives: one column per cost objective after `cost` (= the first one), named
  // by its metric (e.g. latency, energy).
  os << "order,generation,niche,index,arch_str,seen_accuracy,cost,";
  if (!cfg.extra_metrics.empty()) {
    os << cfg.metric << ',';
    for (const auto& m : cfg.extra_metrics) os << m << ',';
  }
  os << "true_accuracy,dataset,device,seed\n";
  const std::string run_key = fmt::format(",{},{},{}\n", cfg.dataset, cfg.device, cfg.seed);
  for (const auto& e : entries) {
    const auto t = ev.true_objectives(e.arch);
    os << e.order << ',' << e.generation << ',' << e.niche << ',' << e.index << ',' << e.arch.str() << ',' << e.accuracy
       << ',' << e.cost << ',';
    if (!cfg.extra_metrics.empty()) {
      os << e.cost << ',';
      for (double c : e.extra_costs) os << c << ',';
    }
    if (t.accuracy) os << *t.accuracy;
    os << run_key;
  }
  return os.str();
}

// "<metric>_<unit>" per cost objective (latency_ms, energy_mj): the text summary's column labels.
std::vector<std::string> cost_labels(const RunConfig& cfg) {
  std::vector<std::string> out;
  std::vector<std::string> metrics{cfg.metric};
  metrics.insert(metrics.end(), cfg.extra_metrics.begin(), cfg.extra_metrics.end());
  for (const auto& m : metrics) {
    std::string u(unit(hw_metric_from_string(m)));
    for (char& ch : u) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out.push_back(m + "_" + u);
  }
  return out;
}

constexpr const char* kMetricsHeader = "generation,evaluations,hv_ratio,igd,igd_plus,hv,front_size,llm_calls\n";

std::string metrics_csv_row(const nlohmann::json& r) {
  std::ostringstream os;
  os.precision(17);
  os << r["generation"].get<int>() << ',' << r["evaluations"].get<int>() << ',' << r["hv_ratio"].get<double>() << ','
     << r["igd"].get<double>() << ',' << r["igd_plus"].get<double>() << ',' << r["hv"].get<double>() << ','
     << r["front_size"].get<int>() << ',' << r.value("llm_calls", std::int64_t{0}) << '\n';
  return os.str();
}

// Everything a run needs before it writes anything: a bad dataset, device, accuracy source,
// operator or reference point fails here, before the run directory exists.
struct RunSetup {
  std::shared_ptr<const BenchmarkData> data;
  Dataset dataset = Dataset::Cifar10;
  std::shared_ptr<CostSource> cost;
  std::vector<std::shared_ptr<CostSource>> extra_costs;  // 3+ objectives
  std::shared_ptr<AccuracySource> accuracy;
  std::shared_ptr<const EvaluationProtocol> protocol;
};

RunSetup prepare(const RunConfig& cfg, const std::string& run_dir, const RunHooks& hooks) {
  cfg.validate();
  RunSetup r;
  r.data = BenchmarkData::load(cfg.data_dir);
  r.dataset = dataset_from_string(cfg.dataset);
  // The accuracy signal's name first (cheap, and the most likely typo), then device, budget, source.
  const std::string signal =
      resolve_accuracy_signal(cfg.accuracy_signal.empty() ? cfg.accuracy : cfg.accuracy_signal, r.dataset, *r.data);
  if (hooks.remote_proxies && signal != "predictor")
    throw Error("--accuracy " + signal + ": " + hooks.remote_refusal);
  const auto costs = make_objective_costs(r.data, r.dataset, cfg.device, cfg.objectives(),
                                         SpaceOptions{cfg.include_degenerate});
  r.cost = costs.front();
  r.extra_costs.assign(costs.begin() + 1, costs.end());
  // The budget: below the seeding cost, more than fixed generations can spend, or more than the
  // space holds is refused here.
  Budget{cfg.resolved_budget(r.cost->coverage())}.validate(r.cost->coverage());
  AccuracySourceOptions aopts;
  aopts.data = r.data;
  aopts.dataset = r.dataset;
  if (cfg.evaluator) {
    aopts.evaluator = *cfg.evaluator;
    aopts.evaluator->run_dir = std::filesystem::absolute(run_dir).lexically_normal().string();
  }
  aopts.threads = hooks.proxy_threads;
  aopts.remote_proxies = hooks.remote_proxies;
  r.accuracy = make_accuracy_source(cfg.accuracy_signal.empty() ? cfg.accuracy : cfg.accuracy_signal, aopts);
  // The operator and its options, built once without the files it would open in the run directory
  // (a replay cache lives elsewhere and is only read).
  PelnasSearchOptions probe = cfg.search;
  probe.operator_options.erase("transcript_path");
  if (!probe.operator_options.value("replay", false)) probe.operator_options.erase("cache_path");
  (void)PelnasSearch(probe);
  std::vector<const CostSource*> extras;
  for (const auto& c : r.extra_costs) extras.push_back(c.get());
  r.protocol = std::make_shared<EvaluationProtocol>(
      compute_true_front(*r.data, r.dataset, *r.cost, extras), ProtocolOptions{cfg.hv_reference});
  return r;
}

RunSummary execute(const RunDirectory& dir, RunConfig cfg, RunStateStore& store, const RunState* state,
                   const nlohmann::json& overrides, const RunHooks& hooks, const RunSetup& setup) {
  const auto wall_start = std::chrono::steady_clock::now();
  const auto& data = setup.data;
  const Dataset dataset = setup.dataset;
  const std::shared_ptr<CostSource>& cost = setup.cost;
  const std::shared_ptr<AccuracySource>& accuracy = setup.accuracy;
  cfg.accuracy_signal = accuracy->name();
  Evaluator evaluator(data, dataset, accuracy, cost, setup.extra_costs);
  PelnasSearch search(cfg.search);
  const int budget = cfg.resolved_budget(evaluator.domain_size());
  Problem problem(evaluator, Budget{budget});
  const EvaluationProtocol& protocol = *setup.protocol;

  std::vector<nlohmann::json> metric_rows;
  double wall_before = 0;
  std::vector<KnowledgeBase> last_kb;
  KnowledgeLog knowledge_log(dir);
  // Lines of events.jsonl, counted here instead of re-reading the log every generation.
  std::int64_t events = 0;
  auto log_event = [&](const nlohmann::json& e) {
    dir.append_event(e);
    ++events;
  };
  if (state) {
    const auto& ck = state->search;
    // Cross-references before anything is trusted (PelnasSearch::run checks the search part again).
    try {
      const NicheMap niches(cfg.search.resolve_partition(), PartitionContext{data, dataset, cost.get()});
      CheckpointExpectations expect;
      expect.niches = niches.partition().size();
      expect.generations = cfg.search.max_generations(budget, expect.niches);
      expect.budget = budget;
      expect.niche_of = [&niches](const ArchCode& a) { return niches.niche_of(a); };
      expect.index_of = [&data](const ArchCode& a) { return data->index_of(a.nb201()); };
      expect.cost_of = [&cost, &data](const ArchCode& a) { return cost->cost(data->index_of(a.nb201())); };
      expect.extra_costs_of = [&evaluator, &data](const ArchCode& a) { return evaluator.extra_costs(data->index_of(a.nb201())); };
      for (const auto& c : evaluator.extra_cost_sources()) expect.extra_cost_names.push_back(c->name());
      ck.validate(expect, "state.search");
      state->check_metrics("state");
    } catch (const CheckpointError& e) {
      throw InputError(store.source(), 0, e.what());
    }
    for (const auto& n : ck.niches) last_kb.push_back(n.knowledge);
    search.resume_from(ck);
    metric_rows = state->metrics;
    wall_before = state->wall_seconds;
    const auto logged = static_cast<std::int64_t>(dir.events().size());
    if (state->events > logged)
      throw InputError(store.source(), 0, "state.events: expected at most " + std::to_string(logged) + " (the lines of " +
                                              dir.file(RunDirectory::kEvents) + "), got " + std::to_string(state->events));
    dir.truncate_events(static_cast<std::size_t>(state->events));
    knowledge_log.keep_until(ck.generation, ck.niches.size());  // lines after the checkpoint are redone
    events = state->events;
    std::string csv = kMetricsHeader;
    for (const auto& r : metric_rows) csv += metrics_csv_row(r);
    dir.write(RunDirectory::kMetrics, csv);  // rows written after the saved state are dropped
    nlohmann::json resumed = {{"event", "run_resumed"}, {"time", now_iso()}, {"from_generation", ck.generation},
                              {"evaluations", static_cast<int>(ck.archive.size())}};
    if (!overrides.empty()) resumed["overrides"] = overrides;
    log_event(resumed);
    spdlog::info("resuming {} after generation {}", dir.path(), ck.generation);
  } else {
    dir.write_json(RunDirectory::kConfig, cfg.to_json());
    dir.write(RunDirectory::kMetrics, kMetricsHeader);
    knowledge_log.keep_until(-1, 0);
    log_event({{"event", "run_started"}, {"time", now_iso()}, {"operator", cfg.search.operator_name},
               {"operator_defaulted", cfg.operator_defaulted}, {"accuracy_signal", accuracy->name()},
               {"cost", cost->name()}, {"budget", budget}, {"seed", cfg.seed},
               {"excluded_degenerate", cost->excluded()}});
  }
  if (cfg.operator_defaulted)
    spdlog::info("no LLM model configured (--llm-model / PELNAS_LLM_MODEL): using the 'evolution' operator (no model: the without-LLM variant; see docs/RUN_DIRECTORY.md for what it adds to the paper's)");
  const int planned_generations =
      cfg.search.generations_for_budget(budget, search.options().resolve_partition().size());
  spdlog::info("pelnas search: {} on {} ({}), operator {}, accuracy signal {}{}, budget {} evaluations ({} generations), "
               "seed {}{}",
               cfg.dataset, cost->name(), cost->unit(), cfg.search.operator_name, accuracy->name(),
               is_oracle_signal(accuracy->name()) ? " (the true test accuracy: an oracle upper bound)" : "", budget,
               planned_generations, cfg.seed,
               cost->excluded() ? fmt::format("; {} degenerate cells excluded", cost->excluded()) : std::string());

  // The progress line: shown from the start, HV ratio only once a generation has been scored,
  // ETA from this process's pace (evaluations since it started or resumed).
  double current_hv = state && !metric_rows.empty() ? metric_rows.back()["hv_ratio"].get<double>() : std::nan("");
  const int evaluations_at_start = problem.evaluations();
  const auto progress_line = [&](int generation, int niche, int niches, int evaluations, long long tokens) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    const int done_here = evaluations - evaluations_at_start;
    const std::string eta = done_here > 0 ? fmt::format("{:.0f}s", elapsed / done_here * std::max(0, budget - evaluations)) : "?";
    const std::string hv = std::isnan(current_hv) ? "-" : fmt::format("{:.4f}", current_hv);
    const std::string where = niches > 0 ? fmt::format("  niche {}/{}", niche + 1, niches) : std::string();
    ProgressLine::instance().show(fmt::format("  generation {}/{}{}  evaluations {}/{}  HV ratio {}  tokens {}  {:.0f}s, ETA {}",
                                              generation, planned_generations, where, evaluations, budget, hv, tokens,
                                              elapsed, eta));
  };
  if (hooks.terminal_progress) progress_line(state ? state->search.generation + 1 : 0, 0, 0, problem.evaluations(), 0);
  search.on_progress = [&](const PelnasProgress& p) {
    if (hooks.terminal_progress) progress_line(p.generation, p.niche, p.niches, p.evaluations, static_cast<long long>(p.tokens));
  };

  bool stopped = false;
  // Scored incrementally: the found front (hence HV, IGD) changes only when an entry enters it, so
  // a generation costs what it added, not the archive's size (equal to score_archive's result).
  IncrementalArchiveScore scored(protocol, evaluator);
  auto callback = [&](const GenerationReport& report) {
    const auto& entries = report.archive->entries();
    for (std::size_t i = scored.size(); i < entries.size(); ++i) scored.add(entries[i]);
    const ProtocolResult r = scored.score();
    current_hv = r.hv_ratio;
    const std::size_t front_size = scored.front_positions().size();
    metric_rows.push_back({{"generation", report.generation}, {"evaluations", report.evaluations}, {"hv_ratio", r.hv_ratio},
                           {"igd", r.igd}, {"igd_plus", r.igd_plus}, {"hv", r.hv}, {"front_size", static_cast<int>(front_size)},
                           // model calls so far (0 for operators without a model), for HV-against-calls curves
                           {"llm_calls", cfg.search.operator_name == "llm" ? search.operator_stats().counters["calls"] : 0}});
    // Knowledge bases of this generation: what changed goes to the history file and the event.
    const auto& niches = search.niches();
    const auto& descs = search.niche_map()->niches();
    nlohmann::json per_niche = nlohmann::json::array(), changes = nlohmann::json::array();
    if (last_kb.size() != niches.size()) last_kb.assign(niches.size(), {});
    for (std::size_t k = 0; k < niches.size(); ++k) {
      per_niche.push_back({{"niche", k}, {"name", descs[k].name}, {"children", niches[k].last_children.size()},
                           {"archive", niches[k].members.size()}, {"front", search.niche_front_size(static_cast<int>(k))}});
      const bool same = last_kb[k] == niches[k].knowledge;
      auto ch = same ? kNoKnowledgeChange : knowledge_changes(last_kb[k], niches[k].knowledge);
      ch["niche"] = k;
      changes.push_back(std::move(ch));
      if (!same) last_kb[k] = niches[k].knowledge;
    }
    knowledge_log.append(report.generation, descs, niches);
    dir.append(RunDirectory::kMetrics, metrics_csv_row(metric_rows.back()));
    log_event({{"event", "generation_done"}, {"time", now_iso()}, {"generation", report.generation},
               {"evaluations", report.evaluations}, {"niches", per_niche}, {"hv_ratio", r.hv_ratio},
               {"igd", r.igd}, {"igd_plus", r.igd_plus}, {"knowledge_changes", changes}});
    const double wall = wall_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    store.save(search, *report.archive, metric_rows, events, wall);
    spdlog::info("generation {}/{}: {} evaluations, HV ratio {:.4f}, IGD {:.4f}, front {}", report.generation,
                 planned_generations, report.evaluations, r.hv_ratio, r.igd, front_size);
    if (hooks.after_generation) hooks.after_generation(report.generation);
    if (hooks.generation_delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hooks.generation_delay_ms));
    if (report.generation == hooks.stop_after_generation) {
      stopped = true;
      return CallbackAction::Stop;
    }
    return CallbackAction::Continue;
  };

  Rng rng(cfg.seed);
  try {
    search.run(problem, rng, callback);
  } catch (const CheckpointError& e) {  // the saved state contradicts itself or the run: never resume from it
    throw InputError(store.source(), 0, e.what());
  }
  ProgressLine::instance().finish();
  if (search.counters().count("stopped:no_unseen_cells"))
    spdlog::warn("the search stopped after generation {}: no niche has an unseen architecture left that can be evaluated "
                 "({} of the {} budgeted evaluations spent)", search.generation_done(), problem.evaluations(), budget);


  RunSummary s;
  s.run_dir = std::filesystem::absolute(dir.path()).lexically_normal().string();
  s.evaluations = problem.evaluations();
  s.generations_completed = search.checkpoint().generation;
  s.accuracy_signal = accuracy->name();
  s.cost_labels = cost_labels(cfg);
  s.front = search.final_front();
  for (const auto& e : s.front) s.front_test_accuracy.push_back(evaluator.true_objectives(e.arch).accuracy);
  s.front_size = static_cast<int>(s.front.size());
  if (stopped) return s;
  if (problem.archive().empty()) throw Error("the search evaluated nothing (budget or domain empty)");
  const auto r = protocol.score_archive(problem.archive(), evaluator);
  s.hv_ratio = r.hv_ratio;
  s.igd = r.igd;
  s.igd_plus = r.igd_plus;
  s.hv = r.hv;
  s.finished = true;
  const double wall = wall_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  dir.write(RunDirectory::kArchive, csv_rows(problem.archive().entries(), evaluator, cfg));
  dir.write(RunDirectory::kFront, csv_rows(s.front, evaluator, cfg));
  const OperatorStats ops = search.operator_stats();
  nlohmann::json stats = {{"operator", search.op()->name()}, {"operator_stats", ops.to_json()},
                          {"search", search.counters()}, {"wall_seconds", wall},
                          {"evaluator", {{"requests", evaluator.counts().requests}, {"unique", evaluator.counts().unique},
                                         {"proxy_evaluations", evaluator.counts().proxy_evaluations}}}};
  if (ops.counters.count("llm_calls") || ops.prompt_tokens || ops.completion_tokens || cfg.search.operator_name == "llm")
    stats["llm"] = {{"calls", ops.counters.count("llm_calls") ? ops.counters.at("llm_calls") : (ops.counters.count("calls") ? ops.counters.at("calls") : 0)},
                    {"prompt_tokens", ops.prompt_tokens}, {"completion_tokens", ops.completion_tokens}};
  dir.write_json(RunDirectory::kStats, stats);
  nlohmann::json summary = s.to_json();
  summary.erase("front");
  if (!problem.exhausted())
    spdlog::warn("the search spent {} of its budget of {} evaluations: {}", s.evaluations, budget,
                 search.counters().count("extra_generations") || cfg.search.generations < 0
                     ? "its last generation found no new valid children"
                     : "its generations found too few new valid children");
  summary.update({{"operator", cfg.search.operator_name}, {"operator_defaulted", cfg.operator_defaulted},
                  {"seed", cfg.seed}, {"dataset", cfg.dataset},
                  {"device", cfg.device}, {"metric", cfg.metric}, {"objectives", cfg.objectives().names()},
                  {"cost", cost->name()}, {"cost_unit", cost->unit()},
                  {"partition", cfg.search.no_partition ? "none" : search.niche_map()->to_json().at("name").get<std::string>()},
                  {"niches", search.niche_map()->size()}, {"budget", budget},
                  {"planned_generations", planned_generations}, {"excluded_degenerate", cost->excluded()},
                  {"include_degenerate", cfg.include_degenerate}, {"wall_seconds", wall},
                  {"protocol", accuracy_signal_description(accuracy->name()) + " " + protocol.describe()}});
  dir.write_json(RunDirectory::kSummary, summary);
  log_event({{"event", "run_finished"}, {"time", now_iso()}, {"evaluations", s.evaluations}, {"hv_ratio", s.hv_ratio},
                    {"igd", s.igd}, {"igd_plus", s.igd_plus}, {"front_size", s.front_size}, {"wall_seconds", wall}});
  return s;
}

}  // namespace

void RunConfig::validate() const {
  (void)dataset_from_string(dataset);
  (void)hw_metric_from_string(metric);
  (void)objectives();
  if (device.empty()) throw Error("run config: 'device' is empty");
  if (budget < 0) throw Error("run config: 'budget' must be >= 0 (0 = planned by the search options)");
  if (accuracy.empty()) throw Error("run config: 'accuracy' is empty (e.g. valid, table:test, predictor)");
  if ((accuracy == kExternalSignal) != evaluator.has_value())
    throw Error(evaluator ? "run config: an 'evaluator' is given but 'accuracy' is '" + accuracy + "', not 'external'"
                          : "run config: accuracy 'external' needs an 'evaluator' (the program, --evaluator 'CMD')");
  if (evaluator) evaluator->validate();
  if (hv_reference && !is_valid_reference_point(*hv_reference))
    throw Error("run config: 'hv_reference' must be finite numbers > 0, one per objective");
  if (hv_reference && hv_reference->size() != 2 + extra_metrics.size())
    throw Error("run config: 'hv_reference' has " + std::to_string(hv_reference->size()) + " coordinates for " +
                std::to_string(2 + extra_metrics.size()) + " objectives (" + objectives().str() + ")");
  search.validate();
}

ObjectiveList RunConfig::objectives() const {
  std::vector<std::string> names{"accuracy", metric};
  names.insert(names.end(), extra_metrics.begin(), extra_metrics.end());
  return ObjectiveList::from_names(names, "run config: 'objectives'");
}

int RunConfig::resolved_budget(int domain_size) const {
  const int niches = search.resolve_partition().size();
  const int b = budget > 0 ? budget : std::min(search.planned_evaluations(niches), domain_size);
  search.check_budget(b, niches);
  return b;
}

nlohmann::json RunConfig::to_json() const {
  nlohmann::json s = search.to_json();
  if (!search.no_partition) s["partition_table"] = search.resolve_partition().to_json();
  return {{"dataset", dataset}, {"device", device},   {"metric", metric}, {"objectives", objectives().names()},
          {"accuracy", accuracy},
          {"accuracy_signal", accuracy_signal}, {"include_degenerate", include_degenerate},
          {"evaluator", evaluator ? evaluator->to_json() : nlohmann::json(nullptr)},
          {"seed", seed},       {"budget", budget},   {"data_dir", data_dir}, {"search", s},
          {"hv_reference", hv_reference ? nlohmann::json(*hv_reference) : nlohmann::json(nullptr)},
          {"operator_defaulted", operator_defaulted}, {"cli", cli}, {"pelnas_version", PELNAS_VERSION}};
}

RunConfig RunConfig::from_json(const nlohmann::json& j) {
  namespace jf = json_fields;
  RunConfig c;
  jf::object(j, "(document)");
  c.dataset = jf::string(jf::member(j, "", "dataset"), "dataset", false);
  c.device = jf::string(jf::member(j, "", "device"), "device", false);
  c.metric = jf::string(jf::member(j, "", "metric"), "metric", false);
  c.accuracy = jf::string(jf::member(j, "", "accuracy"), "accuracy", false);
  if (j.contains("objectives")) {  // absent in runs before 2026-11-30: accuracy and `metric`
    const auto& a = jf::array(j["objectives"], "objectives");
    std::vector<std::string> names;
    for (std::size_t k = 0; k < a.size(); ++k) names.push_back(jf::string(a[k], jf::join("objectives", k), false));
    const ObjectiveList list = ObjectiveList::from_names(names, "objectives");
    if (to_string(list.costs.front()) != c.metric)
      throw Error("objectives: the first cost '" + std::string(to_string(list.costs.front())) + "' differs from metric '" +
                  c.metric + "'");
    for (std::size_t k = 1; k < list.costs.size(); ++k) c.extra_metrics.emplace_back(to_string(list.costs[k]));
  }
  // Runs before 2026-11-30 have neither key: they searched the whole space (degenerate cells
  // included) and "table" meant the true test accuracy; resolve_accuracy_signal still reads it.
  c.accuracy_signal = j.contains("accuracy_signal") ? jf::string(j["accuracy_signal"], "accuracy_signal") : std::string();
  if (j.contains("evaluator") && !j["evaluator"].is_null()) c.evaluator = ExternalEvaluatorOptions::from_json(j["evaluator"]);
  c.include_degenerate = j.contains("include_degenerate") ? jf::boolean(j["include_degenerate"], "include_degenerate") : true;
  c.seed = jf::unsigned_integer(jf::member(j, "", "seed"), "seed");
  c.budget = static_cast<int>(jf::integer(jf::member(j, "", "budget"), "budget", 0, kNumArchs));
  c.data_dir = jf::string(jf::member(j, "", "data_dir"), "data_dir", false);
  try {
    c.search = PelnasSearchOptions::from_json(jf::object(jf::member(j, "", "search"), "search"));
  } catch (const Error& e) {
    throw Error(std::string("search: ") + e.what());
  }
  if (j.contains("hv_reference") && !j.at("hv_reference").is_null()) {  // absent in runs before 2026-11-28
    const auto& h = jf::array(j["hv_reference"], "hv_reference");
    if (h.size() != 2 + c.extra_metrics.size()) jf::fail("hv_reference", "one number per objective or null", h);
    constexpr double kBig = std::numeric_limits<double>::max();
    ObjectiveVector ref;
    for (std::size_t k = 0; k < h.size(); ++k) ref.push_back(jf::number(h[k], jf::join("hv_reference", k), -kBig, kBig));
    c.hv_reference = ref;
  }
  c.operator_defaulted = j.contains("operator_defaulted") ? jf::boolean(j["operator_defaulted"], "operator_defaulted") : false;
  if (j.contains("cli")) c.cli = j["cli"].is_null() ? j["cli"] : jf::object(j["cli"], "cli");  // null: a run started by the library
  else c.cli = nlohmann::json::object();
  c.validate();
  return c;
}

nlohmann::json RunSummary::to_json() const {
  nlohmann::json f = nlohmann::json::array();
  for (std::size_t i = 0; i < front.size(); ++i) {
    const auto& e = front[i];
    const auto t = i < front_test_accuracy.size() ? front_test_accuracy[i] : std::nullopt;
    f.push_back({{"arch", e.arch.str()}, {"index", e.index}, {"seen_accuracy", e.accuracy},
                 {"true_accuracy", t ? nlohmann::json(*t) : nlohmann::json(nullptr)}, {"cost", e.cost},
                 {"niche", e.niche}, {"generation", e.generation}, {"order", e.order}});
    if (!e.extra_costs.empty()) f.back()["extra_costs"] = e.extra_costs;
  }
  return {{"run_dir", run_dir}, {"accuracy_signal", accuracy_signal}, {"hv_ratio", hv_ratio}, {"igd", igd}, {"igd_plus", igd_plus}, {"hv", hv},
          {"front_size", front_size}, {"evaluations", evaluations}, {"generations_completed", generations_completed},
          {"finished", finished}, {"front", f}};
}

RunSummary start_search_run(const RunConfig& config, const std::string& out_dir, const RunHooks& hooks) {
  const RunSetup setup = prepare(config, out_dir, hooks);  // before anything is written
  auto dir = RunDirectory::create(out_dir);
  RunDirectoryLock lock(dir.path());
  RunStateStore store(dir);
  return execute(dir, config, store, nullptr, nlohmann::json::object(), hooks, setup);
}

namespace {

// A finished run's summary.json and front.csv, read back strictly.
RunSummary finished_summary(const RunDirectory& dir, const RunConfig& cfg) {
  namespace jf = json_fields;
  const auto s = dir.read_json(RunDirectory::kSummary);
  RunSummary r;
  r.run_dir = std::filesystem::absolute(dir.path()).lexically_normal().string();
  try {
    constexpr double kBig = std::numeric_limits<double>::max();
    r.hv_ratio = jf::number(jf::member(s, "", "hv_ratio"), "hv_ratio", -kBig, kBig);
    r.igd = jf::number(jf::member(s, "", "igd"), "igd", -kBig, kBig);
    r.igd_plus = jf::number(jf::member(s, "", "igd_plus"), "igd_plus", -kBig, kBig);
    r.hv = jf::number(jf::member(s, "", "hv"), "hv", -kBig, kBig);
    r.front_size = static_cast<int>(jf::integer(jf::member(s, "", "front_size"), "front_size", 0, kNumArchs));
    r.evaluations = static_cast<int>(jf::integer(jf::member(s, "", "evaluations"), "evaluations", 1, kNumArchs));
    r.generations_completed =
        static_cast<int>(jf::integer(jf::member(s, "", "generations_completed"), "generations_completed", 0, std::numeric_limits<int>::max()));
    r.accuracy_signal = s.contains("accuracy_signal") ? jf::string(s["accuracy_signal"], "accuracy_signal", false)
                        : s.contains("accuracy_source") ? jf::string(s["accuracy_source"], "accuracy_source", false)
                                                         : cfg.accuracy_signal;
  } catch (const Error& e) {
    throw InputError(dir.file(RunDirectory::kSummary), 0, e.what());
  }
  r.finished = true;
  r.cost_labels = cost_labels(cfg);
  const std::string front_file = dir.file(RunDirectory::kFront);
  const auto front = CsvTable::parse(dir.read(RunDirectory::kFront), front_file);
  const auto seen = front.find_column("seen_accuracy");  // "accuracy" before 2026-11-30
  const std::size_t accuracy_column = seen ? *seen : front.column("accuracy");
  const auto true_column = front.find_column("true_accuracy");
  for (std::size_t i = 0; i < front.rows(); ++i) {
    EvaluatedArch e;
    e.order = static_cast<int>(front.integer(i, front.column("order")));
    e.generation = static_cast<int>(front.integer(i, front.column("generation")));
    e.niche = static_cast<int>(front.integer(i, front.column("niche")));
    e.index = static_cast<int>(front.integer(i, front.column("index")));
    try {
      e.arch = Arch::parse(front.cell(i, front.column("arch_str")));
      e.code = ArchCode::from_nb201(e.arch);
    } catch (const Error& ex) {
      throw InputError(front_file, static_cast<long>(i) + 2, std::string("arch_str: ") + ex.what());
    }
    if (e.index < 0 || e.index >= kNumArchs || Arch::from_lex_code(e.arch.lex_code()) != e.arch)
      throw InputError(front_file, static_cast<long>(i) + 2, "index: expected an NB201 index in [0, 15624], got " + std::to_string(e.index));
    e.accuracy = front.number(i, accuracy_column);
    e.cost = front.number(i, front.column("cost"));
    for (const auto& m : cfg.extra_metrics) e.extra_costs.push_back(front.number(i, front.column(m)));
    const double ta = true_column ? front.number_or_nan(i, *true_column) : NAN;
    r.front_test_accuracy.push_back(std::isnan(ta) ? std::nullopt : std::optional<double>(ta));
    if (e.order < 1 || e.order > r.evaluations)
      throw InputError(front_file, static_cast<long>(i) + 2, "order: expected an evaluation number in [1, " + std::to_string(r.evaluations) +
                                                                 "], got " + std::to_string(e.order));
    r.front.push_back(e);
  }
  if (static_cast<int>(r.front.size()) != r.front_size)
    throw InputError(front_file, 0, "expected " + std::to_string(r.front_size) + " rows (summary.json front_size), got " +
                                        std::to_string(r.front.size()));
  return r;
}

}  // namespace

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
