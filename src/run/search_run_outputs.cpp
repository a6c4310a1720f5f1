// A search run's outputs: archive/front CSV, stats.json, summary.json, and a finished run's read back.
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <limits>
#include <spdlog/spdlog.h>
#include <sstream>

#include "common/csv.h"
#include "common/error.h"
#include "common/json_fields.h"
#include "run/search_run_internal.h"

namespace pelnas {

namespace search_run_internal {

namespace {

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

}  // namespace

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

void write_run_outputs(const RunDirectory& dir, const RunConfig& cfg, const RunSummary& s, const Problem& problem,
                       const Evaluator& evaluator, const PelnasSearch& search, const RunSetup& setup, int budget,
                       int planned_generations, double wall) {
  const std::shared_ptr<CostSource>& cost = setup.cost;
  const std::shared_ptr<AccuracySource>& accuracy = setup.accuracy;
  const EvaluationProtocol& protocol = *setup.protocol;
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
}

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

}  // namespace search_run_internal

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

}  // namespace pelnas
