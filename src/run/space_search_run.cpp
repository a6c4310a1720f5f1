// A search run on a space without NB201's tables: setup checked before writing, the run's outputs, resume.
#include "run/space_search_run.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <sstream>

#include "common/error.h"
#include "common/rng.h"
#include "data/data_dir.h"
#include "evaluate/evaluator.h"
#include "evaluate/training_free_score_source.h"
#include "predictor/proxy_table.h"
#include "hardware/space_cost.h"
#include "metrics/non_dominated_sort.h"
#include "run/run_directory.h"
#include "search/feature_bins.h"
#include "search/llm_operator.h"
#include "search/pelnas_search.h"
#include "search/problem.h"
#include "search/search.h"
#include "space/search_space.h"

namespace pelnas {

namespace fs = std::filesystem;

namespace {

constexpr int kDefaultSpaceBudget = 300;

// What the run searches with, built before anything is written.
struct SpaceSetup {
  std::shared_ptr<const SearchSpace> space;
  std::shared_ptr<SpaceCost> cost;
  std::vector<std::shared_ptr<SpaceCost>> extra_costs;  // 3+ objectives
  std::shared_ptr<AccuracySource> accuracy;
  nlohmann::json algorithm_options;
  int budget = 0;
  SpaceHvNormalisation norm;
};

// The training-free score's source; the LibTorch back end is required before anything is written.
std::shared_ptr<AccuracySource> make_score_source(const SpaceRunConfig& cfg, const std::shared_ptr<const SearchSpace>& space,
                                                  const std::string& data_dir, int threads) {
  const auto& fb = dynamic_cast<const FbnetSpace&>(*space);
  if (fb.fbnet_dataset() != FbnetDataset::Cifar100)
    throw Error(fmt::format("--accuracy score on the {} space for {}: the proxies need that dataset's images at its input "
                            "size ({}x{}), and the data has only CIFAR-10/100 and ImageNet16-120 samples; search --dataset "
                            "cifar100, or score {} networks with --evaluator 'CMD' (docs/EVALUATOR.md)",
                            space->name(), space->dataset(), fbnet_macro(fb.fbnet_dataset()).input_size,
                            fbnet_macro(fb.fbnet_dataset()).input_size, space->dataset()));
  try {
    require_space_proxy_backend();
  } catch (const Error& e) {
    throw Error(fmt::format("--accuracy score (the training-free score, the default signal of --space {}) computes the "
                            "jacov and synflow proxies on the real networks with the LibTorch back end, which is not "
                            "available: {}\nWithout it, score networks with your own program: --evaluator 'CMD' "
                            "(docs/EVALUATOR.md)",
                            space->name(), e.what()));
  }
  ProxyOptions po;
  po.dataset = Dataset::Cifar100;
  po.batch_size = cfg.score.batch_size;
  po.seed = cfg.score.proxy_seed;
  po.data_dir = data_dir;
  po.threads = threads;
  return std::make_shared<TrainingFreeScoreSource>(space, cfg.score, po,
                                                   cfg.proxy_cache.empty() ? default_proxy_cache_path() : cfg.proxy_cache);
}

SpaceSetup prepare(const SpaceRunConfig& cfg, const std::string& run_dir, const SpaceRunHooks& hooks) {
  cfg.validate();
  SpaceSetup s;
  SpaceRunCosts costs = make_space_run_costs(cfg);
  s.space = costs.space;
  s.cost = costs.costs.front();
  s.extra_costs.assign(costs.costs.begin() + 1, costs.costs.end());
  const std::string data_dir = resolve_data_dir(cfg.data_dir.empty() ? std::nullopt : std::optional<std::string>(cfg.data_dir));
  if (cfg.accuracy == kExternalSignal) {
    ExternalEvaluatorOptions o = *cfg.evaluator;
    o.run_dir = fs::absolute(run_dir).lexically_normal().string();
    s.accuracy = std::make_shared<ExternalAccuracy>(o, s.space);
  } else {
    s.accuracy = make_score_source(cfg, s.space, data_dir, hooks.proxy_threads);
  }
  s.algorithm_options = cfg.algorithm_options.is_null() ? nlohmann::json::object() : cfg.algorithm_options;
  if (cfg.algorithm == "pelnas") {
    PelnasSearchOptions p = PelnasSearchOptions::from_json(s.algorithm_options);
    if (!p.partition_table.is_null() || p.partition != PelnasSearchOptions{}.partition)
      throw Error(fmt::format("algorithm option 'partition' is NB201's rule tables; the {} space is split by "
                              "feature_bins (e.g. {{\"feature_bins\": {{\"feature\": \"flops\", \"bins\": 6}}}})",
                              s.space->name()));
    // The llm operator's templates for this space (prompts/<space>/) are checked before anything is evaluated.
    if (p.operator_name == "llm") check_llm_prompts(p.resolved_operator_options(), s.space->name());
    if (p.feature_bins.is_null()) p.feature_bins = FeatureBinOptions{}.to_json();
    s.algorithm_options = p.to_json();
    s.budget = cfg.budget > 0 ? cfg.budget : p.planned_evaluations(p.niche_count(s.space->name()));
  } else {
    s.budget = cfg.budget > 0 ? cfg.budget : kDefaultSpaceBudget;
  }
  // Its options, checked; without the llm response cache and transcript, which would be created in
  // the run directory before RunDirectory::create refuses an existing one.
  nlohmann::json checked = s.algorithm_options;
  if (checked.contains("operator_options") && checked["operator_options"].is_object())
    for (const char* key : {"cache_path", "transcript_path"}) checked["operator_options"].erase(key);
  auto search = SearchRegistry::instance().make(cfg.algorithm, checked);
  search->check_budget(s.budget);
  s.norm = space_hv_normalisation(*s.space, *s.cost, s.extra_costs);
  return s;
}

std::string signal_column(const SpaceRunConfig& cfg) { return cfg.accuracy == kScoreSignal ? "score" : "accuracy"; }

// More than two objectives: one column per cost objective after `cost` (= the first one), named by
// its metric (latency, energy), as in NB201 run directories.
std::string archive_csv(const std::vector<EvaluatedArch>& entries, const SearchSpace& space, const SpaceRunConfig& cfg,
                        const std::string& cost_name) {
  std::ostringstream os;
  os.precision(17);
  os << "order,generation,niche,arch_str," << signal_column(cfg) << ",cost,";
  if (!cfg.extra_metrics.empty()) {
    os << cfg.metric << ',';
    for (const auto& m : cfg.extra_metrics) os << m << ',';
  }
  os << "space,dataset,device,cost_metric,seed\n";
  const std::string tail = fmt::format(",{},{},{},{},{}\n", space.name(), space.dataset(), cfg.device, cost_name, cfg.seed);
  for (const auto& e : entries) {
    os << e.order << ',' << e.generation << ',' << e.niche << ',' << space.print(e.code.encoding()) << ',' << e.accuracy << ','
       << e.cost;
    if (!cfg.extra_metrics.empty()) {
      os << ',' << e.cost;
      for (double c : e.extra_costs) os << ',' << c;
    }
    os << tail;
  }
  return os.str();
}

SpacePoint point_of(const EvaluatedArch& e) {
  SpacePoint p{e.accuracy, e.cost};
  p.insert(p.end(), e.extra_costs.begin(), e.extra_costs.end());
  return p;
}

double archive_hv(const Archive& a, const SpaceHvNormalisation& n) {
  std::vector<SpacePoint> pts;
  for (const auto& e : a.entries()) pts.push_back(point_of(e));
  return n.hv(pts);
}

SpaceRunResult execute(const RunDirectory& dir, const SpaceRunConfig& cfg, const SpaceSetup& setup, const SpaceRunHooks& hooks) {
  const auto start = std::chrono::steady_clock::now();
  Evaluator evaluator(setup.space, setup.accuracy, setup.cost, setup.extra_costs);
  Problem problem(evaluator, Budget{setup.budget});
  auto search = SearchRegistry::instance().make(cfg.algorithm, setup.algorithm_options);
  std::string metrics = "generation,evaluations,hv,front_size\n";
  int last_generation = 0;
  bool stopped = false;
  auto callback = [&](const GenerationReport& r) {
    last_generation = r.generation;
    metrics += fmt::format("{},{},{:.17g},{}\n", r.generation, r.evaluations, archive_hv(*r.archive, setup.norm),
                           r.archive->pareto_front_positions().size());
    dir.write("metrics.csv", metrics);
    dir.write("archive.csv", archive_csv(r.archive->entries(), *setup.space, cfg, setup.cost->name()));
    if (r.generation == hooks.stop_after_generation) {
      stopped = true;
      return CallbackAction::Stop;
    }
    return CallbackAction::Continue;
  };
  Rng rng(cfg.seed);
  search->run(problem, rng, callback);
  const Archive& archive = problem.archive();
  const auto front = archive.pareto_front();
  SpaceRunResult res;
  res.dir = dir.path();
  res.generation = last_generation;
  if (stopped) {  // the outputs so far stay; --resume re-runs the seeded search to its end
    res.stopped = true;
    res.evaluations = static_cast<int>(archive.size());
    return res;
  }
  res.evaluations = static_cast<int>(archive.size());
  res.front_size = static_cast<int>(front.size());
  res.hv = archive_hv(archive, setup.norm);
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  dir.write("archive.csv", archive_csv(archive.entries(), *setup.space, cfg, setup.cost->name()));
  dir.write("front.csv", archive_csv(front, *setup.space, cfg, setup.cost->name()));
  dir.write("metrics.csv", metrics);
  nlohmann::json front_json = nlohmann::json::array();
  for (const auto& e : front) {
    front_json.push_back({{"arch", setup.space->print(e.code.encoding())}, {signal_column(cfg), e.accuracy}, {"cost", e.cost}});
    if (!e.extra_costs.empty()) front_json.back()["extra_costs"] = e.extra_costs;
  }
  nlohmann::json cost_objectives = nlohmann::json::array();
  cost_objectives.push_back({{"metric", cfg.metric}, {"name", setup.cost->name()}, {"unit", setup.cost->unit()}});
  for (std::size_t k = 0; k < setup.extra_costs.size(); ++k)
    cost_objectives.push_back({{"metric", cfg.extra_metrics[k]}, {"name", setup.extra_costs[k]->name()}, {"unit", setup.extra_costs[k]->unit()}});
  std::string cost_max_text = fmt::format("{} {:.6g} {}", setup.cost->name(), setup.norm.cost_max, setup.cost->unit());
  for (std::size_t k = 0; k < setup.extra_costs.size(); ++k)
    cost_max_text += fmt::format(", {} {:.6g} {}", setup.extra_costs[k]->name(), setup.norm.extra_costs[k].max, setup.extra_costs[k]->unit());
  const bool score = cfg.accuracy == kScoreSignal;
  nlohmann::json summary = {{"finished", true},
                  {"space", setup.space->name()},
                  {"dataset", setup.space->dataset()},
                  {"device", cfg.device},
                  {"metric", cfg.metric},
                  {"objectives", cfg.objectives().names()},
                  {"cost_objectives", cost_objectives},
                  {"cost", setup.cost->name()},
                  {"cost_unit", setup.cost->unit()},
                  {"cost_provenance", setup.cost->provenance()},
                  {"algorithm", cfg.algorithm},
                  {"seed", cfg.seed},
                  {"budget", setup.budget},
                  {"evaluations", res.evaluations},
                  {"accuracy_signal", cfg.accuracy},
                  {"signal_label", score ? TrainingFreeScore::kLabel : "accuracy (from the external evaluator)"},
                  {"front_size", res.front_size},
                  {"front", front_json},
                  {"hv", res.hv},
                  {"hv_normalisation", setup.norm.to_json()},
                  {"true_front", false},
                  {"protocol", fmt::format("{} space has no true front: {}HV of the run's archive against the fixed reference point "
                                           "({} 0, {}) in the normalisation hv_normalisation; no HV ratio or IGD",
                                           setup.space->name(),
                                           setup.extra_costs.empty() ? "" : fmt::format("exact {}-objective (pagmo2) ", setup.norm.objectives()),
                                           signal_column(cfg), cost_max_text)},
                  {"evaluator_calls", evaluator.counts().proxy_evaluations},
                  {"wall_seconds", res.wall_seconds}};
  // PEL-NAS: its operator's counters (for llm: calls, tokens, and every rejected proposal by cause).
  if (const auto* pelnas = dynamic_cast<const PelnasSearch*>(search.get())) summary["operator_stats"] = pelnas->operator_stats().to_json();
  if (auto* tfs = dynamic_cast<TrainingFreeScoreSource*>(setup.accuracy.get())) {
    // The score's definition (ranks against a fixed seeded reference sample) and what this process paid.
    summary["training_free_score"] = {{"options", cfg.score.to_json()},
                                      {"formula", "100 x mean over the proxies of the percentile in the reference sample"},
                                      {"proxy_cache_key", {{"code_version", tfs->key().code_version},
                                                           {"dataset", to_string(tfs->key().dataset)},
                                                           {"batch_size", tfs->key().batch_size},
                                                           {"seed", tfs->key().seed}}},
                                      {"reference_values_dropped", tfs->score().dropped()}};
  }
  dir.write_json("summary.json", summary);
  return res;
}

}  // namespace

SpaceRunResult run_space_search(const SpaceRunConfig& cfg, const std::string& out_dir, const SpaceRunHooks& hooks) {
  const SpaceSetup setup = prepare(cfg, out_dir, hooks);  // bad input fails before the directory exists
  auto dir = RunDirectory::create(out_dir);
  RunDirectoryLock lock(dir.path());
  nlohmann::json config = cfg.to_json();
  config["budget_resolved"] = setup.budget;
  config["algorithm_options_resolved"] = setup.algorithm_options;
  config["hv_normalisation"] = setup.norm.to_json();
  dir.write_json(RunDirectory::kConfig, config);
  return execute(dir, cfg, setup, hooks);
}

SpaceRunResult resume_space_search(const std::string& path, const SpaceRunHooks& hooks) {
  auto dir = RunDirectory::open(path);
  RunDirectoryLock lock(dir.path());
  const SpaceRunConfig cfg = SpaceRunConfig::from_json(dir.read_json(RunDirectory::kConfig));
  const SpaceSetup setup = prepare(cfg, dir.path(), hooks);
  return execute(dir, cfg, setup, hooks);
}

}  // namespace pelnas
