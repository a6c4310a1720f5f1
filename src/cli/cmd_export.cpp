// `pelnas export RUN_DIR --pick knee|max-accuracy|min-latency|INDEX --format json|pytorch [-o FILE]`:
// the chosen architecture of a run (an unfinished one exports from its current front, and says so) as a JSON record or a standalone PyTorch module file.
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <limits>
#include <optional>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "common/error.h"
#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "hardware/cost_source.h"
#include "predictor/nb201_network.h"
#include "report/export.h"
#include "report/space_export.h"
#include "report/space_run_report.h"
#include "run/run_directory.h"

namespace pelnas::cli {

namespace {

struct ExportCliOptions {
  DataOptions data;
  std::string run_dir, pick = "knee", format = "json", out;
};

void run_export(const ExportCliOptions& o) {
  if (report::is_space_run_dir(o.run_dir)) {  // `pelnas search --space fbnet`: no NB201 table
    if (o.data.data_dir) throw Error("--data does not apply to a run of another space: its LUT comes from the run's config");
    const auto e = report::export_space_run(o.run_dir, o.pick, o.format);
    if (o.out.empty()) {
      std::cout << e.text;
      return;
    }
    write_file_atomic(o.out, e.text);
    std::cout << fmt::format("wrote {} ({})\n", o.out, e.summary);
    return;
  }
  report::RunData run = report::RunData::load(o.run_dir);
  if (!run.finished) {
    if (run.front.empty()) throw Error(o.run_dir + ": the run is " + run.state_text() + "; nothing to export yet");
    spdlog::warn("{}: the run is {}; exporting from its current front", o.run_dir, run.state_text());
  }
  report::Pick pick = report::Pick::parse(o.pick);
  // --data, else the data directory the run used (if it still exists), else the usual places.
  std::optional<std::string> data_flag = o.data.data_dir;
  if (!data_flag && !run.data_dir().empty() && std::filesystem::is_directory(run.data_dir())) data_flag = run.data_dir();
  const std::string data_dir = resolve_data_dir(data_flag);
  auto data = BenchmarkData::load(data_dir);
  run.fill_true_accuracy(*data);
  const Dataset dataset = dataset_from_string(run.dataset());
  if (pick.arch) pick.index = data->index_of(*pick.arch);
  std::optional<report::ExportCandidate> picked = report::pick_candidate(run.front, run.archive, pick);
  if (!picked) {
    // A cell the run never evaluated: any NB201 cell can be exported, with the table's numbers
    // (no accuracy the search saw; the cost from the run's cost source).
    report::ExportCandidate t;
    t.index = pick.index;
    t.arch = data->arch(pick.index);
    t.seen_accuracy = std::numeric_limits<double>::quiet_NaN();
    const std::string metric = run.config.value("metric", std::string("latency"));
    const auto cost = make_cost_source(data, dataset, {run.device(), hw_metric_from_string(metric)});
    t.cost = cost->cost(pick.index).value_or(std::numeric_limits<double>::quiet_NaN());
    spdlog::info("NB201 index {} was not evaluated by this run: exporting it with the benchmark table's numbers", pick.index);
    picked = t;
  }
  report::ExportCandidate c = *picked;
  if (!std::isfinite(c.true_accuracy))
    if (auto a = data->accuracy(c.index, dataset)) c.true_accuracy = *a;
  if (data->index_of(c.arch) != c.index)
    throw Error(fmt::format("{}: index {} does not match arch {} (the table says {})", o.run_dir, c.index, c.arch.str(),
                            data->index_of(c.arch)));

  report::ExportProvenance prov;
  prov.run_dir = o.run_dir;
  prov.has_seed = run.has_seed();
  prov.seed = run.seed();
  prov.dataset = std::string(to_string(dataset));
  prov.device = run.device();
  prov.cost_name = run.cost_name();
  prov.cost_unit = run.cost_unit();
  prov.operator_name = run.operator_name();
  prov.accuracy_source = run.accuracy_source();
  prov.search = "pelnas";
  prov.run_state = run.state_text();

  const double params_m = data->params(c.index, dataset);
  const long long expected = std::llround(params_m * 1e6);
  // The table and the analytic layout must agree; a mismatch means the exported module would not
  // be the benchmarked network.
  const long long analytic = nb201_param_count(c.arch, dataset);
  if (analytic != expected)
    spdlog::warn("parameter count of {}: table {} vs layout {} (the exported module follows the layout)", c.arch.str(),
                 expected, analytic);

  std::string text;
  if (o.format == "json") {
    auto j = report::export_json(c, pick, prov, params_m, data->flops(c.index, dataset));
    if (const auto extras = run.extra_metrics(); !extras.empty()) {
      // More than two objectives: every extra cost, named like `cost`.
      j["metrics"]["objectives"] = run.objectives();
      auto& arr = j["metrics"]["extra_costs"] = nlohmann::json::array();
      for (std::size_t k = 0; k < extras.size(); ++k) {
        const auto src = make_cost_source(data, dataset, {run.device(), hw_metric_from_string(extras[k])});
        const auto v = k < c.extra_costs.size() ? std::optional<double>(c.extra_costs[k]) : src->cost(c.index);
        arr.push_back({{"value", v ? nlohmann::json(*v) : nlohmann::json(nullptr)}, {"unit", src->unit()}, {"name", src->name()}});
      }
    }
    text = j.dump(2) + "\n";
  } else if (o.format == "pytorch") {
    text = report::pytorch_module_source(c, dataset, expected, prov, pick);
  } else {
    throw Error("--format: '" + o.format + "' is not a format; expected json or pytorch");
  }
  if (o.out.empty()) {
    std::cout << text;
    return;
  }
  write_file_atomic(o.out, text);
  std::cout << fmt::format("wrote {} ({}): NB201 index {} {} (pick {}), true accuracy {:.2f} %, {} {:.4g} {}\n", o.out,
                           o.format, c.index, c.arch.str(), pick.str(), c.true_accuracy, prov.cost_name, c.cost,
                           prov.cost_unit);
}

void setup(CLI::App& root) {
  auto o = std::make_shared<ExportCliOptions>();
  auto* cmd = root.add_subcommand("export", "export an architecture of a run (finished or not) as JSON or a PyTorch module file");
  cmd->add_option("run_dir", o->run_dir, "run directory written by `pelnas search`")->required();
  cmd->add_option("--pick", o->pick,
                  "which architecture: knee (the front point farthest from the line joining its extremes, "
                  "objectives normalised over the front), max-accuracy (alias most-accurate), min-latency (lowest "
                  "cost; aliases fastest, min-cost), or any NB201 index or arch string (cells the run did not "
                  "evaluate come with the table's numbers); on a --space fbnet run: knee, max-accuracy, min-latency or "
                  "a 22-block FBNet string");
  cmd->add_option("--format", o->format, "json (record with metrics and provenance) or pytorch (standalone .py module)")
      ->check(CLI::IsMember({"json", "pytorch"}));
  cmd->add_option("-o,--out", o->out, "output file (default: stdout)");
  add_data_option(cmd, o->data);
  cmd->callback([o] { run_export(*o); });
}

PELNAS_REGISTER_COMMAND(80, setup);

}  // namespace

}  // namespace pelnas::cli
