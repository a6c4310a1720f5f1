// execute: a search run's generations, each recorded (metrics row, event, knowledge history, checkpoint).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <set>
#include <spdlog/spdlog.h>
#include <sstream>
#include <thread>
#include <tuple>

#include "common/clock_text.h"
#include "common/json_fields.h"
#include "common/error.h"
#include "common/progress_line.h"
#include "metrics/incremental_archive_score.h"
#include "run/knowledge_log.h"
#include "run/search_run_internal.h"
#include "search/niche_map.h"

namespace pelnas::search_run_internal {

namespace {

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

constexpr const char* kMetricsHeader = "generation,evaluations,hv_ratio,igd,igd_plus,hv,front_size,llm_calls\n";

std::string metrics_csv_row(const nlohmann::json& r) {
  std::ostringstream os;
  os.precision(17);
  os << json_fields::get_integral<int>(r["generation"]) << ',' << json_fields::get_integral<int>(r["evaluations"]) << ',' << r["hv_ratio"].get<double>() << ','
     << r["igd"].get<double>() << ',' << r["igd_plus"].get<double>() << ',' << r["hv"].get<double>() << ','
     << json_fields::get_integral<int>(r["front_size"]) << ',' << r.value("llm_calls", std::int64_t{0}) << '\n';
  return os.str();
}

}  // namespace

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
    nlohmann::json resumed = {{"event", "run_resumed"}, {"time", utc_iso_now()}, {"from_generation", ck.generation},
                              {"evaluations", static_cast<int>(ck.archive.size())}};
    if (!overrides.empty()) resumed["overrides"] = overrides;
    log_event(resumed);
    spdlog::info("resuming {} after generation {}", dir.path(), ck.generation);
  } else {
    dir.write_json(RunDirectory::kConfig, cfg.to_json());
    dir.write(RunDirectory::kMetrics, kMetricsHeader);
    knowledge_log.keep_until(-1, 0);
    log_event({{"event", "run_started"}, {"time", utc_iso_now()}, {"operator", cfg.search.operator_name},
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
    log_event({{"event", "generation_done"}, {"time", utc_iso_now()}, {"generation", report.generation},
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

  write_run_outputs(dir, cfg, s, problem, evaluator, search, setup, budget, planned_generations, wall);
  log_event({{"event", "run_finished"}, {"time", utc_iso_now()}, {"evaluations", s.evaluations}, {"hv_ratio", s.hv_ratio},
                    {"igd", s.igd}, {"igd_plus", s.igd_plus}, {"front_size", s.front_size}, {"wall_seconds", wall}});
  return s;
}

}  // namespace pelnas::search_run_internal
