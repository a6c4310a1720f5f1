// `pelnas search`'s output: the front of a finished run as a table (or its summary as JSON).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "cli/search_cli.h"
#include "evaluate/accuracy_sources.h"

namespace pelnas::cli {

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

}  // namespace pelnas::cli
