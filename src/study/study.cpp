#include "study/study.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sstream>

#include "common/clock_text.h"
#include "common/error.h"
#include "data/data_dir.h"
#include "evaluate/accuracy_sources.h"
#include "hardware/searchable_space.h"
#include "metrics/evaluation_protocol.h"
#include "metrics/reference_point_score.h"
#include "run/run_directory.h"
#include "search/niche_map.h"
#include "search/partition.h"
#include "search/pelnas_search.h"
#include "search/search.h"

namespace pelnas {

namespace {

constexpr int kDefaultBaselineBudget = 300;
constexpr const char* kMetricsHeader = "generation,evaluations,hv_ratio,igd,igd_plus,hv,front_size,llm_calls\n";

}  // namespace

struct Study::Impl {
  StudyOptions options;
  std::shared_ptr<const BenchmarkData> data;
  Dataset dataset = Dataset::Cifar10;
  std::shared_ptr<AccuracySource> accuracy;  // TellAccuracy
  std::shared_ptr<CostSource> cost;          // TellCost or the device's searchable cost
  std::shared_ptr<const EvaluationProtocol> protocol;  // null when the cost is told (no true front)
  std::shared_ptr<NicheMap> niches;          // pelnas only
  nlohmann::json search_options;             // resolved algorithm options
  int budget = 0;
  std::unique_ptr<RunDirectory> dir;
  std::unique_ptr<RunDirectoryLock> lock;
  std::unique_ptr<TellJournal> journal;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  // Everything that can fail on the options or data, before a file is written.
  void prepare(const std::shared_ptr<TellBridge>& bridge) {
    options.validate();
    if (options.data_dir.empty()) options.data_dir = resolve_data_dir(std::nullopt);
    data = BenchmarkData::load(options.data_dir);
    dataset = dataset_from_string(options.dataset);
    std::shared_ptr<AccuracySource> signal;
    if (!options.accuracy_told()) {
      AccuracySourceOptions a;
      a.data = data;
      a.dataset = dataset;
      signal = make_accuracy_source(options.accuracy, a);
    }
    accuracy = std::make_shared<TellAccuracy>(bridge, signal);
    const SpaceOptions space{options.include_degenerate};
    if (options.cost_told()) {
      // The domain: the searchable NB201 space (every cell has FLOPs); never read as a cost.
      auto domain = make_searchable_cost(data, dataset, CostSpec{"flops", HwMetric::Latency}, space);
      cost = std::make_shared<TellCost>(bridge, domain, options.cost_name, options.cost_unit);
    } else {
      cost = make_searchable_cost(data, dataset, CostSpec{options.cost, hw_metric_from_string(options.metric)}, space);
      protocol = std::make_shared<EvaluationProtocol>(
          EvaluationProtocol::for_cost_source(*data, dataset, *cost, ProtocolOptions{options.hv_reference}));
    }
    search_options = options.algorithm_options;
    if (options.algorithm == "pelnas") {
      PelnasSearchOptions p = PelnasSearchOptions::from_json(search_options);
      const Partition partition = p.resolve_partition();
      if (options.cost_told() && partition.uses_cost())
        throw Error("study: partition '" + partition.name() + "' splits by cost, which a told cost cannot do before it is "
                    "told; use the paper or conv3x3 partition");
      niches = std::make_shared<NicheMap>(partition, PartitionContext{data, dataset, cost.get()});
      budget = options.budget > 0 ? options.budget : std::min(p.planned_evaluations(partition.size()), cost->coverage());
      p.check_budget(budget, partition.size());
      search_options = p.to_json();
    } else {
      budget = options.budget > 0 ? options.budget : std::min(kDefaultBaselineBudget, cost->coverage());
    }
    Budget{budget}.validate(cost->coverage());
    (void)SearchRegistry::instance().make(options.algorithm, search_options);  // its options, checked
    if (niches) bridge->niche_of = [n = niches](const ArchCode& a) { return n->niche_of(a); };
  }

  nlohmann::json config_json() const {
    // The CLI's config.json keys (what reports and listings read), plus the study block.
    return {{"dataset", options.dataset}, {"device", options.cost_told() ? std::string(kToldSignal) : options.cost},
            {"metric", options.metric}, {"accuracy", options.accuracy}, {"accuracy_signal", accuracy->name()},
            {"include_degenerate", options.include_degenerate}, {"seed", options.seed}, {"budget", budget},
            {"data_dir", options.data_dir}, {"search", search_options},
            {"hv_reference", options.hv_reference ? nlohmann::json(*options.hv_reference) : nlohmann::json(nullptr)},
            {"operator_defaulted", false}, {"cli", nullptr}, {"pelnas_version", PELNAS_VERSION},
            {"study", options.to_json()}};
  }

  std::string operator_name() const {
    return options.algorithm == "pelnas" ? search_options.value("operator", std::string("evolution")) : options.algorithm;
  }

  // archive.csv / front.csv rows (the CLI's columns; true_accuracy from the table, for scoring).
  std::string csv_rows(const std::vector<EvaluatedArch>& entries) const {
    std::ostringstream os;
    os.precision(17);
    os << "order,generation,niche,index,arch_str,seen_accuracy,cost,true_accuracy,dataset,device,seed\n";
    const std::string device = options.cost_told() ? std::string(kToldSignal) : options.cost;
    for (const auto& e : entries) {
      os << e.order << ',' << e.generation << ',' << e.niche << ',' << e.index << ',' << e.arch.str() << ','
         << e.accuracy << ',' << e.cost << ',';
      if (const auto t = data->accuracy(e.index, dataset, AccuracyMetric::Test)) os << *t;
      os << ',' << options.dataset << ',' << device << ',' << options.seed << '\n';
    }
    return os.str();
  }

  double wall() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); }

  void run(TellBridge& bridge) {
    Evaluator evaluator(data, dataset, accuracy, cost);
    Problem problem(evaluator, Budget{budget});
    auto search = SearchRegistry::instance().make(options.algorithm, search_options);
    Rng rng(options.seed);
    auto callback = [&](const GenerationReport& r) {
      if (bridge.cancelled()) throw StudyCancelled{};  // closed: stop between generations (nothing told waits)
      nlohmann::json event = {{"event", "generation_done"}, {"time", utc_iso_now()}, {"generation", r.generation},
                              {"evaluations", r.evaluations}};
      if (protocol && !r.archive->empty()) {
        const auto s = protocol->score_archive(*r.archive, evaluator);
        event.update({{"hv_ratio", s.hv_ratio}, {"igd", s.igd}, {"igd_plus", s.igd_plus}});
        dir->append(RunDirectory::kMetrics,
                    fmt::format("{},{},{:.17g},{:.17g},{:.17g},{:.17g},{},0\n", r.generation, r.evaluations, s.hv_ratio, s.igd,
                                s.igd_plus, s.hv, r.archive->pareto_front_positions().size()));
      }
      dir->append_event(event);
      bridge.set_generation(r.generation + 1);
      return CallbackAction::Continue;
    };
    search->run(problem, rng, callback);
    if (const auto left = bridge.unreplayed())
      throw Error(fmt::format("{}: {} told architecture(s) were not asked again by the resumed study: the run directory "
                              "belongs to a different configuration, seed or pelnas version",
                              dir->file(TellJournal::kFile), left));
    if (problem.archive().empty()) throw Error("the study evaluated nothing (every candidate failed?)");
    const auto front = problem.archive().pareto_front();
    dir->write(RunDirectory::kArchive, csv_rows(problem.archive().entries()));
    dir->write(RunDirectory::kFront, csv_rows(front));
    nlohmann::json stats = {{"operator", operator_name()}, {"wall_seconds", wall()},
                            {"evaluator", {{"requests", evaluator.counts().requests}, {"unique", evaluator.counts().unique},
                                           {"proxy_evaluations", evaluator.counts().proxy_evaluations}}}};
    if (auto* p = dynamic_cast<PelnasSearch*>(search.get())) {
      stats["operator_stats"] = p->operator_stats().to_json();
      stats["search"] = p->counters();
    }
    dir->write_json(RunDirectory::kStats, stats);
    nlohmann::json f = nlohmann::json::array();
    for (const auto& e : front) {
      const auto t = data->accuracy(e.index, dataset, AccuracyMetric::Test);
      f.push_back({{"arch", e.arch.str()}, {"index", e.index}, {"seen_accuracy", e.accuracy},
                   {"true_accuracy", t ? nlohmann::json(*t) : nlohmann::json(nullptr)}, {"cost", e.cost},
                   {"niche", e.niche}, {"generation", e.generation}, {"order", e.order}});
    }
    nlohmann::json summary = {
        {"run_dir", std::filesystem::absolute(dir->path()).lexically_normal().string()},
        {"accuracy_signal", accuracy->name()}, {"front_size", front.size()}, {"evaluations", problem.evaluations()},
        {"finished", true}, {"operator", operator_name()}, {"algorithm", options.algorithm}, {"seed", options.seed},
        {"dataset", options.dataset}, {"device", options.cost_told() ? std::string(kToldSignal) : options.cost},
        {"metric", options.metric}, {"cost", cost->name()}, {"cost_unit", cost->unit()}, {"budget", budget},
        {"excluded_degenerate", cost->excluded()}, {"include_degenerate", options.include_degenerate},
        {"wall_seconds", wall()}, {"told", options.told_names()}, {"front", f}};
    if (niches) summary.update({{"partition", niches->partition().name()}, {"niches", niches->partition().size()}});
    if (protocol) {
      const auto s = protocol->score_archive(problem.archive(), evaluator);
      summary.update({{"hv_ratio", s.hv_ratio}, {"igd", s.igd}, {"igd_plus", s.igd_plus}, {"hv", s.hv},
                      {"protocol", accuracy_signal_description(accuracy->name()) + " " + protocol->describe()}});
    } else {
      // No true front: HV in the objectives' own units against a stated reference point. The
      // accuracy is the table's test accuracy when the study looked it up (as the true-front
      // protocol re-scores), the told one otherwise; the cost is the told one.
      auto scored = [&](const EvaluatedArch& e) {
        ObjectiveVector v = minimised_objectives(e);
        if (!options.accuracy_told())
          if (const auto t = data->accuracy(e.index, dataset, AccuracyMetric::Test)) v[0] = 100.0 - *t;
        return v;
      };
      std::vector<ObjectiveVector> evaluated, found;
      for (const auto& e : problem.archive().entries()) evaluated.push_back(scored(e));
      for (const auto& e : front) found.push_back(scored(e));
      std::optional<ObjectiveVector> given;
      if (options.reference_point) given = ObjectiveVector{100.0 - (*options.reference_point)[0], (*options.reference_point)[1]};
      const auto s = score_against_reference_point(found, evaluated, given);
      const std::string accuracy_name = options.accuracy_told() ? "error % (100 - told accuracy)" : "test error %";
      summary.update(
          {{"hv_ratio", nullptr}, {"igd", nullptr}, {"igd_plus", nullptr}, {"hv", s.hv},
           {"hv_scoring", "reference_point"},
           {"hv_reference_point", {{"accuracy", 100.0 - s.reference[0]}, {options.cost_name, s.reference[1]}}},
           {"hv_reference_source", s.reference_given ? "user" : "archive"},
           {"hv_units", fmt::format("error % x {}", options.cost_unit)},
           {"protocol", describe_reference_point_score(s, {accuracy_name, options.cost_name + " (" + options.cost_unit + ")"})}});
    }
    dir->write_json(RunDirectory::kSummary, summary);
    dir->append_event({{"event", "run_finished"}, {"time", utc_iso_now()}, {"evaluations", problem.evaluations()},
                       {"front_size", front.size()}, {"wall_seconds", wall()}});
  }
};

std::unique_ptr<Study> Study::create(const StudyOptions& options, const std::string& run_dir) {
  std::unique_ptr<Study> s(new Study());
  s->options_ = options;
  s->impl_ = std::make_unique<Impl>();
  s->impl_->options = options;
  const auto names = options.told_names();
  // The bridge's journal is attached once the directory exists; prepare() fails before that.
  s->bridge_ = std::make_shared<TellBridge>(names, options.accuracy_told(), options.cost_told());
  s->impl_->prepare(s->bridge_);
  s->options_ = s->impl_->options;  // with data_dir resolved
  Impl& m = *s->impl_;
  m.dir = std::make_unique<RunDirectory>(RunDirectory::create(run_dir));
  m.lock = std::make_unique<RunDirectoryLock>(m.dir->path());
  s->run_dir_ = m.dir->path();
  m.dir->write_json(RunDirectory::kConfig, m.config_json());
  if (m.protocol) m.dir->write(RunDirectory::kMetrics, kMetricsHeader);
  m.dir->append_event({{"event", "run_started"}, {"time", utc_iso_now()}, {"operator", m.operator_name()},
                       {"algorithm", options.algorithm}, {"accuracy_signal", m.accuracy->name()}, {"cost", m.cost->name()},
                       {"budget", m.budget}, {"seed", options.seed}, {"excluded_degenerate", m.cost->excluded()},
                       {"told", names}});
  m.journal = std::make_unique<TellJournal>(m.dir->file(TellJournal::kFile), names.size());
  s->bridge_->attach(m.journal.get());
  s->start();
  return s;
}

std::unique_ptr<Study> Study::resume(const std::string& run_dir) {
  auto dir = RunDirectory::open(run_dir);
  auto lock = std::make_unique<RunDirectoryLock>(dir.path());
  const auto config = dir.read_json(RunDirectory::kConfig);
  if (!config.contains("study"))
    throw Error(run_dir + " is a `pelnas search` run, not a study: continue it with `pelnas search --resume " + run_dir + "`");
  StudyOptions options;
  try {
    options = StudyOptions::from_json(config["study"]);
  } catch (const Error& e) {
    throw InputError(dir.file(RunDirectory::kConfig), 0, e.what());
  }
  std::unique_ptr<Study> s(new Study());
  s->options_ = options;
  s->run_dir_ = dir.path();
  s->impl_ = std::make_unique<Impl>();
  Impl& m = *s->impl_;
  m.options = options;
  const auto names = options.told_names();
  m.dir = std::make_unique<RunDirectory>(dir);
  m.lock = std::move(lock);
  if (dir.exists(RunDirectory::kSummary)) {  // finished: nothing to ask
    s->bridge_ = std::make_shared<TellBridge>(names, options.accuracy_told(), options.cost_told());
    s->bridge_->finish(nullptr);
    return s;
  }
  m.journal = std::make_unique<TellJournal>(dir.file(TellJournal::kFile), names.size());
  s->bridge_ = std::make_shared<TellBridge>(names, options.accuracy_told(), options.cost_told());
  s->bridge_->attach(m.journal.get());
  m.prepare(s->bridge_);
  // The replay writes the events and metrics of every generation again: keep only the start.
  const auto events = dir.events();
  dir.truncate_events(events.empty() ? 0 : 1);
  if (m.protocol) dir.write(RunDirectory::kMetrics, kMetricsHeader);
  dir.append_event({{"event", "run_resumed"}, {"time", utc_iso_now()}, {"told", m.journal->recorded().size()}});
  spdlog::info("resuming study {}: replaying {} told value(s)", run_dir, m.journal->recorded().size());
  s->start();
  return s;
}

void Study::start() {
  worker_ = std::thread([this] {
    std::exception_ptr error;
    try {
      impl_->run(*bridge_);
    } catch (const StudyCancelled&) {
      // closed while waiting for tells: the directory stays resumable
    } catch (...) {
      error = std::current_exception();
    }
    bridge_->finish(error);
  });
}

Study::Study() = default;
Study::~Study() { close(); }

void Study::close() {
  if (bridge_) bridge_->cancel();
  if (worker_.joinable()) worker_.join();
}

std::vector<Candidate> Study::ask(const std::function<void()>& poll) { return bridge_->ask(poll); }
void Study::tell(std::int64_t id, const std::vector<double>& values) { bridge_->tell(id, values); }
void Study::tell_failed(std::int64_t id, const std::string& reason) { bridge_->tell_failed(id, reason); }

nlohmann::json Study::summary() const {
  if (!impl_ || !impl_->dir || !impl_->dir->exists(RunDirectory::kSummary)) return nlohmann::json::object();
  return impl_->dir->read_json(RunDirectory::kSummary);
}

}  // namespace pelnas
