#include "report/space_export.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/csv.h"
#include "common/error.h"
#include "metrics/non_dominated_sort.h"
#include "report/export.h"
#include "report/fbnet_export.h"
#include "report/run_data.h"
#include "run/run_directory.h"
#include "hardware/space_cost.h"
#include "run/space_search_run.h"
#include "space/fbnet_layout.h"
#include "space/fbnet_space.h"

namespace pelnas::report {

namespace fs = std::filesystem;

namespace {

struct SpacePointRow {
  std::string arch;
  int order = 0, niche = -1, generation = 0;
};

nlohmann::json num_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

SpaceExport export_space_run(const std::string& run_dir, const std::string& pick_text, const std::string& format) {
  if (format != "json" && format != "pytorch") throw Error("--format: '" + format + "' is not a format; expected json or pytorch");
  const auto dir = RunDirectory::open(run_dir);
  const SpaceRunConfig cfg = SpaceRunConfig::from_json(dir.read_json(RunDirectory::kConfig));
  const SpaceRunCosts costs = make_space_run_costs(cfg);
  const auto& space = *costs.space;
  const auto* fb = dynamic_cast<const FbnetSpace*>(&space);
  if (!fb) throw Error(run_dir + ": export knows the networks of the fbnet space only, not '" + space.name() + "'");
  const bool finished = fs::exists(fs::path(run_dir) / "summary.json");
  const std::string signal = cfg.accuracy == kScoreSignal ? "score" : "accuracy";
  const std::string signal_label = cfg.accuracy == kScoreSignal ? "training-free score" : "accuracy (external evaluator)";

  // Every evaluated architecture as an export candidate (index = row; costs in objective order).
  const CsvTable archive = CsvTable::read((fs::path(run_dir) / "archive.csv").string());
  const auto c_arch = archive.column("arch_str"), c_sig = archive.column(signal), c_cost = archive.column("cost"),
             c_order = archive.column("order"), c_niche = archive.column("niche"), c_gen = archive.column("generation");
  std::vector<std::size_t> c_extra;
  for (const auto& m : cfg.extra_metrics) c_extra.push_back(archive.column(m));
  std::vector<ExportCandidate> all;
  std::vector<std::string> archs;
  for (std::size_t r = 0; r < archive.rows(); ++r) {
    ExportCandidate c;
    c.index = static_cast<int>(r);
    c.seen_accuracy = archive.number(r, c_sig);
    c.cost = archive.number(r, c_cost);
    for (std::size_t k : c_extra) c.extra_costs.push_back(archive.number(r, k));
    c.order = static_cast<int>(archive.integer(r, c_order));
    c.niche = static_cast<int>(archive.integer(r, c_niche));
    c.generation = static_cast<int>(archive.integer(r, c_gen));
    all.push_back(c);
    archs.emplace_back(archive.cell(r, c_arch));
  }
  if (all.empty()) throw Error(run_dir + ": the run has evaluated nothing yet; nothing to export");
  if (!finished) spdlog::warn("{}: the run has not finished; exporting from its current front", run_dir);
  // The front: non-dominated in every objective (signal maximised, costs minimised).
  std::vector<ObjectiveVector> v;
  for (const auto& c : all) {
    ObjectiveVector o{-c.seen_accuracy, c.cost};
    o.insert(o.end(), c.extra_costs.begin(), c.extra_costs.end());
    v.push_back(o);
  }
  std::vector<ExportCandidate> front;
  for (std::size_t p : non_dominated_positions(v)) front.push_back(all[p]);

  ExportCandidate chosen;
  std::string arch_str, pick_str = pick_text, pick_rule;
  bool evaluated = true;
  // A pick rule (knee, max-accuracy, min-latency), else an architecture string of the space.
  Pick pick;
  bool rule = false;
  try {
    pick = Pick::parse(pick_text);
    rule = pick.rule != PickRule::Index;  // an NB201 index or cell means nothing here
  } catch (const Error&) {
  }
  if (rule) {
    chosen = *pick_candidate(front, all, pick);
    arch_str = archs[static_cast<std::size_t>(chosen.index)];
    pick_str = pick.str();
    pick_rule = pick.describe();
  } else {
    if (pick_text.find('-') == std::string::npos)
      throw Error(fmt::format("--pick {}: on the {} space pick knee, max-accuracy, min-latency or a canonical architecture "
                              "string ({} names joined by '-', e.g. {})",
                              pick_text, space.name(), space.length(), space.prompt_example()));
    const auto code = space.parse(pick_text);  // names the position at fault
    arch_str = space.print(code);
    const auto it = std::find(archs.begin(), archs.end(), arch_str);
    pick_rule = "the given architecture";
    if (it != archs.end()) {
      chosen = all[static_cast<std::size_t>(it - archs.begin())];
    } else {
      evaluated = false;
      const ArchCode a = ArchCode::from_encoding(code);
      chosen.seen_accuracy = NAN;
      chosen.cost = *costs.costs[0]->cost(a);
      for (std::size_t k = 1; k < costs.costs.size(); ++k) chosen.extra_costs.push_back(*costs.costs[k]->cost(a));
      spdlog::info("{} was not evaluated by this run: exporting it with the LUT's costs and no {}", arch_str, signal_label);
    }
  }
  const FbnetArch arch = FbnetArch::parse(arch_str);
  const FbnetDataset dataset = fb->fbnet_dataset();
  const std::string provenance = fmt::format("pelnas run {} ({} search, seed {}, {}), pick {}: {}", run_dir, cfg.algorithm,
                                             cfg.seed, finished ? "finished" : "not finished", pick_str, pick_rule);
  SpaceExport out;
  out.summary = fmt::format("{} {} (pick {}), {} {}, {} {:.4g} {}", format, arch_str, pick_str, signal,
                            std::isfinite(chosen.seen_accuracy) ? fmt::format("{:.4f}", chosen.seen_accuracy) : "-",
                            costs.costs[0]->name(), chosen.cost, costs.costs[0]->unit());
  if (format == "pytorch") {
    out.text = fbnet_pytorch_module_source(arch, dataset, provenance);
    return out;
  }
  nlohmann::json extra = nlohmann::json::array();
  for (std::size_t k = 1; k < costs.costs.size(); ++k)
    extra.push_back({{"value", chosen.extra_costs[k - 1]}, {"unit", costs.costs[k]->unit()}, {"name", costs.costs[k]->name()}});
  nlohmann::json j;
  j["space"] = space.name();
  j["arch"] = arch_str;
  j["dataset"] = space.dataset();
  j["evaluated_by_run"] = evaluated;
  j["metrics"] = {{signal, num_or_null(chosen.seen_accuracy)},
                  {"signal_label", signal_label},
                  {"objectives", cfg.objectives().names()},
                  {"cost", {{"value", chosen.cost}, {"unit", costs.costs[0]->unit()}, {"name", costs.costs[0]->name()}}},
                  {"params", fbnet_param_count(arch, dataset)},
                  {"macs", fbnet_flop_count(arch, dataset)}};
  if (!extra.empty()) j["metrics"]["extra_costs"] = extra;
  if (evaluated) j["metrics"]["order"] = chosen.order, j["metrics"]["niche"] = chosen.niche;
  j["pick"] = {{"rule", pick_str}, {"description", pick_rule}, {"front_size", front.size()}};
  j["provenance"] = {{"run_dir", run_dir},       {"seed", cfg.seed},           {"device", cfg.device},
                     {"algorithm", cfg.algorithm}, {"accuracy_signal", cfg.accuracy}, {"run_state", finished ? "finished" : "not finished"},
                     {"cost_provenance", costs.costs[0]->provenance()}};
  out.text = j.dump(2) + "\n";
  return out;
}

}  // namespace pelnas::report
