// The benchmark grid's outputs: results.csv, curves.csv, summary.json, summary.md and the text table.
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "common/error.h"
#include "evaluate/accuracy_sources.h"
#include "experiment/benchmark_grid.h"
#include "common/text_table.h"

namespace pelnas {

namespace {

std::string pm(const Stat& s) { return fmt::format("{:.4f} ± {:.4f}", s.mean, s.std); }

std::string device_label(const GridSetting& s) {
  if (!s.partial()) return s.cost_name;
  return fmt::format("{} (partial: {} of {} archs)", s.cost_name, s.coverage + s.excluded, s.space_size);
}

nlohmann::ordered_json stat_json(const Stat& s) { return {{"mean", s.mean}, {"std", s.std}}; }

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw Error("bench: cannot write " + path.string());
}

}  // namespace

std::string BenchmarkGridResult::results_csv() const {
  std::string out = "dataset,device,metric,algo,seed,evaluations,hv,hv_ratio,igd,igd_plus,wall_ms\n";
  for (const auto& r : runs) {
    const auto& s = settings[r.setting];
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{:.3f}\n", to_string(s.dataset), s.device, s.cost_name, r.algorithm,
                       r.seed, r.evaluations, r.result.hv, r.result.hv_ratio, r.result.igd, r.result.igd_plus, r.wall_ms);
  }
  return out;
}

std::string BenchmarkGridResult::curves_csv() const {
  std::string out = "dataset,device,metric,algo,seed,evaluations,hv,hv_ratio,igd,igd_plus\n";
  for (const auto& r : runs) {
    const auto& s = settings[r.setting];
    for (const auto& c : r.curve)
      out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", to_string(s.dataset), s.device, s.cost_name, r.algorithm,
                         r.seed, c.evaluations, c.hv, c.hv_ratio, c.igd, c.igd_plus);
  }
  return out;
}

namespace {

// The columns a run directory's archive.csv has, prefixed with the run's key.
constexpr const char* kRunKey = "dataset,device,metric,algo,seed";
constexpr const char* kEntryColumns = "order,generation,niche,index,arch_str,seen_accuracy,cost,true_accuracy";

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// More than two objectives: one column per extra cost objective after the entry columns, named by
// its metric (e.g. energy), so `cost` stays the first cost.
std::string extra_columns(const BenchmarkGridOptions& o, const char* suffix = "") {
  std::string out;
  for (HwMetric m : o.extra_metrics) out += fmt::format(",{}{}", to_string(m), suffix);
  return out;
}

std::string entry_row(const GridSetting& s, const GridRun& r, std::size_t i) {
  const auto& e = r.archive[i];
  std::string row = fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}", to_string(s.dataset), s.device, s.cost_name,
                                csv_field(r.algorithm), r.seed, e.order, e.generation, e.niche, e.index, e.arch.str(),
                                e.accuracy, e.cost, r.true_accuracy[i]);
  for (double c : e.extra_costs) row += fmt::format(",{}", c);
  return row;
}

}  // namespace

std::string BenchmarkGridResult::archives_csv() const {
  std::string out = fmt::format("{},{}{},on_front\n", kRunKey, kEntryColumns, extra_columns(options));
  for (const auto& r : runs) {
    std::vector<char> on_front(r.archive.size(), 0);
    for (std::size_t p : r.front) on_front[p] = 1;
    for (std::size_t i = 0; i < r.archive.size(); ++i)
      out += entry_row(settings[r.setting], r, i) + (on_front[i] ? ",1\n" : ",0\n");
  }
  return out;
}

std::string BenchmarkGridResult::fronts_csv() const {
  std::string out = fmt::format("{},{}{},error_norm,cost_norm{}\n", kRunKey, kEntryColumns, extra_columns(options),
                                extra_columns(options, "_norm"));
  for (const auto& r : runs) {
    const auto& s = settings[r.setting];
    for (std::size_t p : r.front) {
      ObjectiveVector raw{100.0 - r.true_accuracy[p], r.archive[p].cost};
      raw.insert(raw.end(), r.archive[p].extra_costs.begin(), r.archive[p].extra_costs.end());
      const ObjectiveVector n = s.protocol->normalise(raw);
      out += entry_row(s, r, p);
      for (double v : n) out += fmt::format(",{}", v);
      out += '\n';
    }
  }
  return out;
}

nlohmann::ordered_json BenchmarkGridResult::summary_json() const {
  nlohmann::ordered_json j;
  j["options"] = options.to_json();
  auto& st = j["settings"] = nlohmann::ordered_json::array();
  for (const auto& s : settings)
    st.push_back({{"dataset", to_string(s.dataset)},
                  {"device", s.device},
                  {"metric", s.cost_name},
                  {"unit", s.cost_unit},
                  {"coverage", s.coverage},
                  {"space_size", s.space_size},
                  {"partial", s.partial()},
                  {"excluded_degenerate", s.excluded},
                  {"accuracy_signal", s.accuracy_signal},
                  {"true_front_size", s.protocol->true_front().entries.size()},
                  {"ideal", s.protocol->ideal()},
                  {"nadir", s.protocol->nadir()},
                  {"reference_point", s.protocol->reference_point()},
                  {"true_front_hv", s.protocol->true_front_hv()},
                  {"protocol", accuracy_signal_description(s.accuracy_signal) + " " + s.protocol->describe()}});
  auto& cs = j["cells"] = nlohmann::ordered_json::array();
  for (const auto& c : cells) {
    const auto& s = settings[c.setting];
    cs.push_back({{"dataset", to_string(s.dataset)},
                  {"device", s.device},
                  {"metric", s.cost_name},
                  {"algo", c.algorithm},
                  {"runs", c.runs},
                  {"hv", stat_json(c.hv)},
                  {"hv_ratio", stat_json(c.hv_ratio)},
                  {"igd", stat_json(c.igd)},
                  {"igd_plus", stat_json(c.igd_plus)},
                  {"evaluations", stat_json(c.evaluations)}});
  }
  j["std"] = "sample standard deviation over the seeds (n - 1)";
  return j;
}

std::string BenchmarkGridResult::text_table() const {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : cells) {
    const auto& s = settings[c.setting];
    rows.push_back({std::string(to_string(s.dataset)), device_label(s), c.algorithm, std::to_string(c.runs),
                    fmt::format("{:.0f}", c.evaluations.mean), pm(c.hv_ratio), pm(c.igd), pm(c.igd_plus),
                    fmt::format("{:.1f}", c.wall_ms.mean)});
  }
  return format_text_table(
      {"dataset", "device", "algo", "runs", "evals", "hv_ratio (mean ± std)", "igd (mean ± std)", "igd_plus", "ms/run"},
      rows);
}

std::string BenchmarkGridResult::summary_markdown() const {
  std::string md = "# pelnas bench\n\n";
  std::string signals;
  for (const auto& s : settings)
    if (signals.find("`" + s.accuracy_signal + "`") == std::string::npos)
      signals += (signals.empty() ? "" : ", ") + fmt::format("`{}`", s.accuracy_signal);
  md += fmt::format("Budget {} unique architectures per run; {} seeds (0..{}); accuracy signal the searches see "
                    "(`accuracy_signal`): {} (requested `{}`); scored with true test accuracy; mean ± sample std over "
                    "seeds.\n\n",
                    options.budget, options.seeds, options.seeds - 1, signals, options.accuracy);
  md += "| dataset | device | algorithm | runs | HV ratio | IGD | IGD+ |\n|---|---|---|---|---|---|---|\n";
  for (const auto& c : cells) {
    const auto& s = settings[c.setting];
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", to_string(s.dataset), device_label(s), c.algorithm,
                      c.runs, pm(c.hv_ratio), pm(c.igd), pm(c.igd_plus));
  }
  bool any_partial = false;
  for (const auto& s : settings) any_partial = any_partial || s.partial();
  if (any_partial) {
    md += "\nPartial coverage: ";
    std::string list;
    for (const auto& s : settings)
      if (s.partial())
        list += fmt::format("{}{} / {} has a value for {} of {} architectures", list.empty() ? "" : "; ",
                            to_string(s.dataset), s.cost_name, s.coverage + s.excluded, s.space_size);
    md += list + ". Those settings are searched over the covered architectures only, and their true front is the "
                 "front of that restricted problem.\n";
  }
  md += "\n## Evaluation protocol\n\n";
  for (const auto& s : settings)
    md += fmt::format("- **{} / {}**: {} {}\n", to_string(s.dataset), s.cost_name,
                      accuracy_signal_description(s.accuracy_signal), s.protocol->describe());
  return md;
}

void BenchmarkGridResult::write(const std::string& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("bench: cannot create output directory " + dir + ": " + ec.message());
  const std::filesystem::path d(dir);
  write_text(d / "results.csv", results_csv());
  write_text(d / "curves.csv", curves_csv());
  write_text(d / "archives.csv", archives_csv());
  write_text(d / "fronts.csv", fronts_csv());
  write_text(d / "summary.json", summary_json().dump(2) + "\n");
  write_text(d / "summary.md", summary_markdown());
}

}  // namespace pelnas
