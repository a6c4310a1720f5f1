#include "experiment/benchmark_grid.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <mutex>
#include <spdlog/spdlog.h>
#include <thread>

#include "common/error.h"
#include "common/json_fields.h"
#include "distributed/fingerprint.h"
#include "distributed/work_farm.h"
#include "evaluate/accuracy_sources.h"
#include "evaluate/evaluator.h"
#include "hardware/searchable_space.h"
#include "metrics/incremental_archive_score.h"
#include "search/search.h"

namespace pelnas {

void BenchmarkGridOptions::validate() const {
  auto bad = [](const std::string& field, const std::string& what) { throw Error("bench: " + field + " " + what); };
  if (algorithms.empty()) bad("algorithms", "must name at least one search");
  if (datasets.empty()) bad("datasets", "must name at least one dataset");
  if (devices.empty()) bad("devices", "must name at least one device");
  if (seeds < 1) bad("seeds", "must be >= 1, got " + std::to_string(seeds));
  if (threads < 1) bad("threads", "must be >= 1, got " + std::to_string(threads));
  if (proxy_threads < 1 || proxy_threads > 256)
    bad("proxy_threads", "must be in 1..256, got " + std::to_string(proxy_threads));
  if (curve_step < 1) bad("curve_step", "must be >= 1, got " + std::to_string(curve_step));
  if (hv_reference && !is_valid_reference_point(*hv_reference))
    bad("hv_reference", "must be finite numbers > 0, one per objective");
  if (hv_reference && hv_reference->size() != 2 + extra_metrics.size())
    bad("hv_reference", "has " + std::to_string(hv_reference->size()) + " coordinates for " +
                            std::to_string(2 + extra_metrics.size()) + " objectives");
  (void)objectives();
  if (!algorithm_options.is_object()) bad("algorithm options", "must be a JSON object keyed by algorithm name");
  if (accuracy.empty()) bad("accuracy", "must name an accuracy signal (e.g. valid, table:test, predictor)");
  for (const auto& [name, value] : algorithm_options.items())
    if (std::find(algorithms.begin(), algorithms.end(), name) == algorithms.end())
      bad("algorithm options", "has options for '" + name + "', which is not among the algorithms run");
}

ObjectiveList BenchmarkGridOptions::objectives() const {
  ObjectiveList l;
  l.costs = {metric};
  l.costs.insert(l.costs.end(), extra_metrics.begin(), extra_metrics.end());
  std::vector<std::string> names = l.names();
  return ObjectiveList::from_names(names, "bench options: objectives");
}

nlohmann::json BenchmarkGridOptions::to_json() const {
  nlohmann::json ds = nlohmann::json::array();
  for (Dataset d : datasets) ds.push_back(to_string(d));
  return {{"algorithms", algorithms},   {"datasets", ds},         {"devices", devices},
          {"metric", to_string(metric)}, {"objectives", objectives().names()}, {"accuracy", accuracy}, {"include_degenerate", include_degenerate}, {"seeds", seeds},
          {"budget", budget},           {"threads", threads},     {"proxy_threads", proxy_threads}, {"curve_step", curve_step},
          {"algorithm_options", algorithm_options},
          {"hv_reference", hv_reference ? nlohmann::json(*hv_reference) : nlohmann::json(nullptr)}};
}

AlgorithmSpec AlgorithmSpec::parse(const std::string& entry, const nlohmann::json& algorithm_options) {
  AlgorithmSpec a;
  a.label = entry;
  if (algorithm_options.is_object() && algorithm_options.contains(entry)) a.options = algorithm_options.at(entry);
  if (!a.options.is_object()) throw Error("bench: algorithm options for '" + entry + "' must be a JSON object");
  std::size_t pos = entry.find(':');
  a.search = entry.substr(0, pos);
  if (a.search.empty()) throw Error("bench: algorithm '" + entry + "' has no search name before ':'");
  while (pos != std::string::npos) {
    const std::size_t next = entry.find(':', pos + 1);
    const std::string kv = entry.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    const std::size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error("bench: algorithm '" + entry + "': expected key=value after ':', got '" + kv + "'");
    const std::string key = kv.substr(0, eq), text = kv.substr(eq + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) value = text;
    a.options[key] = value;
    pos = next;
  }
  return a;
}

namespace {

// FNV-1a: a platform-independent id of a run's setting, so a run's random stream does not depend
// on which other algorithms or devices are in the grid.
std::uint64_t stable_id(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// One accuracy source serves every run of a dataset (a predictor is trained once); runs on other
// threads call it, so calls are serialised. Values do not depend on call order (memoised, seeded).
class SynchronizedAccuracy : public AccuracySource {
 public:
  explicit SynchronizedAccuracy(std::shared_ptr<AccuracySource> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  std::optional<double> accuracy(int index, const Arch& arch) override {
    std::lock_guard lock(mutex_);
    return inner_->accuracy(index, arch);
  }
  // Forwarded, so a predictor computes a generation's proxies as one batch in a grid too.
  std::vector<std::optional<double>> accuracies(std::span<const int> indices, std::span<const Arch> archs) override {
    std::lock_guard lock(mutex_);
    return inner_->accuracies(indices, archs);
  }
  std::int64_t paid_evaluations() const override {
    std::lock_guard lock(mutex_);
    return inner_->paid_evaluations();
  }

 private:
  std::shared_ptr<AccuracySource> inner_;
  mutable std::mutex mutex_;
};

struct Task {
  std::size_t setting;
  std::string algorithm;
  int seed;
};

GridRun run_task(const std::shared_ptr<const BenchmarkData>& data_ptr, const GridSetting& s,
                 const Task& t, const BenchmarkGridOptions& o) {
  // Each run has its own evaluator (memo and counters); the cost source and protocol are read-only.
  std::vector<std::shared_ptr<CostSource>> extras;
  for (const auto& c : s.extra_costs) extras.push_back(std::const_pointer_cast<CostSource>(c));
  Evaluator evaluator(data_ptr, s.dataset, s.accuracy, std::const_pointer_cast<CostSource>(s.cost), extras);
  Problem problem(evaluator, Budget{o.budget});
  const AlgorithmSpec spec = AlgorithmSpec::parse(t.algorithm, o.algorithm_options);
  auto search = SearchRegistry::instance().make(spec.search, spec.options);
  const std::string key = fmt::format("{}/{}/{}", to_string(s.dataset), s.cost_name, t.algorithm);
  Rng rng = Rng(static_cast<std::uint64_t>(t.seed)).split(stable_id(key));
  const auto start = std::chrono::steady_clock::now();
  search->run(problem, rng, [](const GenerationReport&) { return CallbackAction::Continue; });
  GridRun run;
  run.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  run.setting = t.setting;
  run.algorithm = t.algorithm;
  run.seed = t.seed;
  run.evaluations = problem.evaluations();
  if (problem.archive().empty())
    throw Error(fmt::format("bench: {} evaluated nothing on {} (seed {})", t.algorithm, key, t.seed));
  // Learning curve: the answer (and so every metric) only changes when an entry enters the front,
  // so the archive is fed once, in order, and re-scored only at curve points where it changed.
  const auto& entries = problem.archive().entries();
  IncrementalArchiveScore curve_score(*s.protocol, evaluator);
  std::size_t fed = 0;
  for (int k = o.curve_step;; k += o.curve_step) {
    const int n = std::min(k, run.evaluations);
    for (; fed < std::min(static_cast<std::size_t>(n), entries.size()); ++fed) curve_score.add(entries[fed]);
    const auto& r = curve_score.score();
    run.curve.push_back({n, r.hv, r.hv_ratio, r.igd, r.igd_plus});
    if (n == run.evaluations) break;
  }
  for (; fed < entries.size(); ++fed) curve_score.add(entries[fed]);
  run.result = curve_score.score();  // identical to protocol->score_archive(problem.archive(), evaluator)
  run.archive = entries;
  run.true_accuracy.reserve(entries.size());
  for (const auto& e : entries) run.true_accuracy.push_back(evaluator.true_objectives(e.arch).accuracy.value_or(std::nan("")));
  run.front = curve_score.front_positions();
  return run;
}

}  // namespace

// What a rank's runs depend on: the contents of the benchmark tables it loaded.
static std::string data_fingerprint(const BenchmarkData& data) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : std::filesystem::directory_iterator(data.dir()))
    if (entry.is_regular_file() && entry.path().extension() == ".csv")
      files.emplace_back(entry.path().filename().string(), entry.path().string());
  std::sort(files.begin(), files.end());
  return distributed::fingerprint_files(files);
}

nlohmann::json grid_run_to_json(const GridRun& r) {
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& c : r.curve) curve.push_back({c.evaluations, c.hv, c.hv_ratio, c.igd, c.igd_plus});
  // Archive entries as arrays (arch, index, accuracy, cost, order, generation, niche); a missing true
  // accuracy (NaN) travels as null.
  nlohmann::json archive = nlohmann::json::array();
  for (const auto& e : r.archive) {
    archive.push_back({e.arch.str(), e.index, e.accuracy, e.cost, e.order, e.generation, e.niche});
    if (!e.extra_costs.empty()) archive.back().push_back(e.extra_costs);  // 3+ objectives
  }
  nlohmann::json truth = nlohmann::json::array();
  for (double a : r.true_accuracy) truth.push_back(std::isnan(a) ? nlohmann::json(nullptr) : nlohmann::json(a));
  return {{"setting", r.setting},
          {"algorithm", r.algorithm},
          {"seed", r.seed},
          {"evaluations", r.evaluations},
          {"result", {r.result.hv, r.result.hv_ratio, r.result.igd, r.result.igd_plus, r.result.found, r.result.found_front}},
          {"wall_ms", r.wall_ms},
          {"curve", std::move(curve)},
          {"archive", std::move(archive)},
          {"true_accuracy", std::move(truth)},
          {"front", r.front}};
}

GridRun grid_run_from_json(const nlohmann::json& j) {
  try {
    GridRun r;
    r.setting = json_fields::get_integral<std::size_t>(j.at("setting"));
    r.algorithm = j.at("algorithm").get<std::string>();
    r.seed = json_fields::get_integral<int>(j.at("seed"));
    r.evaluations = json_fields::get_integral<int>(j.at("evaluations"));
    const auto& p = j.at("result");
    r.result = {p.at(0).get<double>(), p.at(1).get<double>(), p.at(2).get<double>(), p.at(3).get<double>(),
                json_fields::get_integral<int>(p.at(4)),    json_fields::get_integral<int>(p.at(5))};
    r.wall_ms = j.at("wall_ms").get<double>();
    for (const auto& c : j.at("curve"))
      r.curve.push_back({json_fields::get_integral<int>(c.at(0)), c.at(1).get<double>(), c.at(2).get<double>(), c.at(3).get<double>(),
                         c.at(4).get<double>()});
    for (const auto& e : j.at("archive")) {
      EvaluatedArch a;
      a.arch = Arch::parse(e.at(0).get<std::string>());
      a.code = ArchCode::from_nb201(a.arch);
      a.index = json_fields::get_integral<int>(e.at(1));
      a.accuracy = e.at(2).get<double>();
      a.cost = e.at(3).get<double>();
      a.order = json_fields::get_integral<int>(e.at(4));
      a.generation = json_fields::get_integral<int>(e.at(5));
      a.niche = json_fields::get_integral<int>(e.at(6));
      if (e.size() > 7) a.extra_costs = e.at(7).get<std::vector<double>>();
      r.archive.push_back(std::move(a));
    }
    for (const auto& a : j.at("true_accuracy")) r.true_accuracy.push_back(a.is_null() ? std::nan("") : a.get<double>());
    r.front = j.at("front").get<std::vector<std::size_t>>();
    return r;
  } catch (...) {  // a library error or an integer that does not fit; anything else passes through
    throw Error(std::string("bench: malformed run document: ") + json_fields::malformed_document_message());
  }
}

BenchmarkGridResult run_benchmark_grid(std::shared_ptr<const BenchmarkData> data, const BenchmarkGridOptions& o,
                                       const std::function<void(std::size_t runs)>& on_start,
                                       distributed::WorkFarm* farm) {
  o.validate();
  BenchmarkGridResult result;
  result.options = o;
  // Settings and every check first, so bad input fails before any run.
  for (const auto& name : o.algorithms) {
    const AlgorithmSpec spec = AlgorithmSpec::parse(name, o.algorithm_options);
    // Built without the files an llm operator would open in the output directory (its response
    // cache, unless replayed from an existing one; its transcript), so a failed start creates nothing.
    nlohmann::json probe = spec.options;
    if (probe.contains("operator_options") && probe["operator_options"].is_object()) {
      auto& oo = probe["operator_options"];
      oo.erase("transcript_path");
      if (!oo.value("replay", false)) oo.erase("cache_path");
    }
    auto search = SearchRegistry::instance().make(spec.search, probe);  // unknown name or bad options -> Error
    try {
      search->check_budget(o.budget);  // never under-spend silently
    } catch (const Error& e) {
      throw Error(fmt::format("bench: --budget {} does not fit {}: {}", o.budget, name, e.what()));
    }
  }
  for (Dataset d : o.datasets) (void)resolve_accuracy_signal(o.accuracy, d, *data);  // bad names fail before any work
  for (Dataset d : o.datasets)
    for (const auto& device : o.devices) {
      GridSetting s;
      s.dataset = d;
      s.device = device;
      std::shared_ptr<CostSource> cost = make_searchable_cost(data, d, {device, o.metric}, SpaceOptions{o.include_degenerate});
      std::vector<const CostSource*> extras;
      for (HwMetric m : o.extra_metrics) {
        auto x = make_searchable_cost(data, d, {device, m}, SpaceOptions{o.include_degenerate});
        extras.push_back(x.get());
        s.extra_cost_names.push_back(x->name());
        s.extra_cost_units.push_back(x->unit());
        s.extra_costs.push_back(std::move(x));
      }
      s.cost_name = cost->name();
      s.cost_unit = cost->unit();
      s.coverage = cost->coverage();
      if (!extras.empty()) {  // the domain: architectures with every cost
        s.coverage = 0;
        for (int i = 0; i < data->size(); ++i) {
          bool all = cost->cost(i).has_value();
          for (const auto* x : extras) all = all && x->cost(i).has_value();
          s.coverage += all;
        }
      }
      s.excluded = cost->excluded();
      s.space_size = data->size();
      try {
        Budget{o.budget}.validate(s.coverage);
      } catch (const Error& e) {
        throw Error(fmt::format("bench: --budget {} is invalid for {} / {}: {}", o.budget, to_string(d), s.cost_name,
                                e.what()));
      }
      s.protocol = std::make_shared<EvaluationProtocol>(compute_true_front(*data, d, *cost, extras), ProtocolOptions{o.hv_reference});
      s.cost = std::move(cost);
      result.settings.push_back(std::move(s));
    }
  // Accuracy sources last (a predictor takes seconds to train): one per dataset, shared by its runs.
  std::map<Dataset, std::shared_ptr<AccuracySource>> sources;
  for (Dataset d : o.datasets) {
    AccuracySourceOptions a;
    a.data = data;
    a.dataset = d;
    a.threads = o.proxy_threads;
    sources[d] = std::make_shared<SynchronizedAccuracy>(make_accuracy_source(o.accuracy, a));
  }
  for (auto& s : result.settings) {
    s.accuracy = sources.at(s.dataset);
    s.accuracy_signal = s.accuracy->name();
  }
  std::vector<Task> tasks;
  for (std::size_t s = 0; s < result.settings.size(); ++s)
    for (const auto& a : o.algorithms)
      for (int seed = 0; seed < o.seeds; ++seed) tasks.push_back({s, a, seed});

  // Runs are handed to whichever slot is free, here or on another rank; rank 0 collects them by task id.
  std::unique_ptr<distributed::WorkFarm> own_farm;
  if (!farm) {
    own_farm = distributed::make_local_farm();
    farm = own_farm.get();
  }
  distributed::FarmJob job;
  job.name = "bench";
  job.slots = o.threads;
  job.threads_note = fmt::format("{} run(s) at a time (--threads)", o.threads);
  job.fingerprint = [&] { return data_fingerprint(*data); };
  job.work = [&](const std::string& payload) {
    const std::size_t i = std::stoul(payload);
    if (i >= tasks.size()) throw Error("bench: run id " + payload + " out of range");
    return grid_run_to_json(run_task(data, result.settings[tasks[i].setting], tasks[i], o)).dump();
  };
  if (farm->coordinator()) {
    result.runs.resize(tasks.size());
    for (std::size_t i = 0; i < tasks.size(); ++i) job.payloads.push_back(std::to_string(i));
    job.describe = [&](std::size_t i) {
      const GridSetting& s = result.settings[tasks[i].setting];
      return fmt::format("run {}/{}/{} seed {}", to_string(s.dataset), s.cost_name, tasks[i].algorithm, tasks[i].seed);
    };
    job.on_result = [&](std::size_t i, const std::string& text) {
      const auto j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_discarded()) throw Error("bench: a worker's result for run " + std::to_string(i) + " is not JSON");
      result.runs[i] = grid_run_from_json(j);
    };
  }
  if (on_start && farm->coordinator()) on_start(tasks.size());
  const auto start = std::chrono::steady_clock::now();
  farm->run(job);
  result.total_wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!farm->coordinator()) return BenchmarkGridResult{};

  for (std::size_t s = 0; s < result.settings.size(); ++s)
    for (const auto& a : o.algorithms) {
      GridCell c;
      c.setting = s;
      c.algorithm = a;
      std::vector<double> hv, ratio, igd, igdp, ev, ms;
      for (const auto& r : result.runs)
        if (r.setting == s && r.algorithm == a) {
          hv.push_back(r.result.hv);
          ratio.push_back(r.result.hv_ratio);
          igd.push_back(r.result.igd);
          igdp.push_back(r.result.igd_plus);
          ev.push_back(r.evaluations);
          ms.push_back(r.wall_ms);
        }
      c.runs = static_cast<int>(hv.size());
      for (double e : ev)
        if (e < o.budget) {
          spdlog::warn("bench: {} on {} / {} spent {} of the budget of {} evaluations in some run (the search stopped "
                       "early: nothing new left to try)",
                       a, to_string(result.settings[s].dataset), result.settings[s].cost_name, e, o.budget);
          break;
        }
      c.hv = mean_and_std(hv);
      c.hv_ratio = mean_and_std(ratio);
      c.igd = mean_and_std(igd);
      c.igd_plus = mean_and_std(igdp);
      c.evaluations = mean_and_std(ev);
      c.wall_ms = mean_and_std(ms);
      result.cells.push_back(c);
    }
  return result;
}

Stat mean_and_std(const std::vector<double>& v) {
  Stat s;
  if (v.empty()) return s;
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  return s;
}

}  // namespace pelnas
