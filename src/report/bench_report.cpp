#include "report/bench_report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "common/error.h"
#include "metrics/mann_whitney.h"
#include "hardware/cost_source.h"
#include "hardware/searchable_space.h"
#include "metrics/true_front.h"
#include "report/attainment.h"
#include "report/front_plot.h"
#include "report/html_writer.h"
#include "report/run_data.h"
#include "report/svg_plot.h"
#include "report/xml.h"

namespace pelnas::report {

namespace fs = std::filesystem;

namespace {

struct Stats {
  double mean = NAN, std = NAN, min = NAN, max = NAN;
  int n = 0;
};

Stats stats_of(const std::vector<double>& v) {
  Stats s;
  s.n = static_cast<int>(v.size());
  if (v.empty()) return s;
  double sum = 0;
  s.min = v[0];
  s.max = v[0];
  for (double x : v) {
    sum += x;
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
  }
  s.mean = sum / v.size();
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.std = v.size() > 1 ? std::sqrt(ss / (v.size() - 1)) : 0.0;  // sample standard deviation
  return s;
}

using SettingKey = std::tuple<std::string, std::string, std::string>;  // dataset, device, metric

std::string setting_name(const SettingKey& k) {
  return fmt::format("{} / {} / {}", std::get<0>(k), std::get<1>(k), std::get<2>(k));
}

// The protocol text summary.json gives for a setting ("settings": [{dataset, device, metric, protocol}]).
std::string protocol_for(const nlohmann::json& summary, const SettingKey& k) {
  if (!summary.is_object() || !summary.contains("settings") || !summary["settings"].is_array()) return "";
  for (const auto& s : summary["settings"])
    if (s.value("dataset", "") == std::get<0>(k) && s.value("device", "") == std::get<1>(k) && s.value("metric", "") == std::get<2>(k))
      return s.value("protocol", "");
  return "";
}

// Colours follow the algorithm, not its position, so a method keeps its colour across reports:
// the searches we ship get fixed palette slots, other labels (variants) the next free ones.
std::map<std::string, std::size_t> algorithm_colours(const std::vector<std::string>& labels) {
  static const std::map<std::string, std::size_t> kFixed = {{"pelnas", 0}, {"random", 1}, {"rea", 2}, {"nsga2", 3}, {"exhaustive", 4}};
  std::map<std::string, std::size_t> out;
  std::set<std::size_t> used;
  for (const auto& l : labels)
    if (auto it = kFixed.find(l); it != kFixed.end()) {
      out[l] = it->second;
      used.insert(it->second);
    }
  std::size_t next = 0;
  for (const auto& l : labels) {
    if (out.count(l)) continue;
    while (used.count(next)) ++next;
    out[l] = next;
    used.insert(next);
  }
  return out;
}

// setting -> algo -> seed -> the run's answer in (cost, true accuracy), from fronts.csv. `column`:
// which cost ("cost" = the first; a 3+-objective grid's extra costs have a column each, named by
// their metric).
using FrontsBySetting = std::map<SettingKey, std::map<std::string, std::map<long long, std::vector<FrontPoint>>>>;

FrontsBySetting read_fronts(const fs::path& path, const std::string& column = "cost") {
  FrontsBySetting out;
  if (!fs::exists(path)) return out;
  const CsvTable t = CsvTable::read(path.string());
  const auto cd = t.column("dataset"), cv = t.column("device"), cm = t.column("metric"), ca = t.column("algo"),
             cs = t.column("seed"), cc = t.column(column), ct = t.column("true_accuracy"), ci = t.column("index");
  for (std::size_t r = 0; r < t.rows(); ++r)
    out[{std::string(t.cell(r, cd)), std::string(t.cell(r, cv)), std::string(t.cell(r, cm))}][std::string(t.cell(r, ca))]
       [t.integer(r, cs)]
           .push_back({t.number(r, cc), t.number_or_nan(r, ct), static_cast<int>(t.integer(r, ci))});
  return out;
}

// The extra cost objectives of a 3+-objective grid: the columns X of fronts.csv that have an X_norm
// (besides error and cost), in file order.
std::vector<std::string> extra_cost_columns(const fs::path& path) {
  std::vector<std::string> out;
  if (!fs::exists(path)) return out;
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  std::vector<std::string> cols;
  std::stringstream ss(header);
  for (std::string c; std::getline(ss, c, ',');) cols.push_back(c);
  for (const auto& c : cols)
    if (c != "error" && c != "cost" && c.find("_norm") == std::string::npos &&
        std::find(cols.begin(), cols.end(), c + "_norm") != cols.end())
      out.push_back(c);
  return out;
}

// `extra_metric`: empty = accuracy against the setting's first cost; else against that extra cost
// objective (e.g. "energy") of a 3+-objective grid, with the true front of accuracy against it alone.
void median_fronts(HtmlPage& page, const SettingKey& key, const std::map<std::string, std::map<long long, std::vector<FrontPoint>>>& algos,
                   const std::map<std::string, std::size_t>& colour_of, const nlohmann::json& summary, const BenchmarkData* data,
                   int plot_id, const std::string& extra_metric = "") {
  const std::string id_suffix = extra_metric.empty() ? "" : "-" + extra_metric;
  SvgPlot p;
  std::vector<SvgSeries> layers;
  std::vector<FrontPoint> all_points;
  for (const auto& [algo, seeds] : algos) {
    std::vector<std::vector<CostAccuracy>> runs;
    for (const auto& [seed, pts] : seeds) {
      runs.emplace_back();
      for (const auto& f : pts) {
        runs.back().push_back({f.cost, f.accuracy});
        all_points.push_back(f);
      }
    }
    const int k = (static_cast<int>(runs.size()) + 1) / 2;
    const auto corners = attainment_surface(runs, k);
    SvgSeries s;
    s.kind = SeriesKind::Line;
    s.name = fmt::format("{} (median of {} seeds)", algo, runs.size());
    const std::size_t c = colour_of.count(algo) ? colour_of.at(algo) : 0;
    s.colour = palette_colour(c);
    s.dash = palette_dash(c);
    s.stroke_width = 2;
    s.css_class = "median-front";
    for (const auto& q : staircase(corners)) s.points.push_back({q.cost, q.accuracy, "", {}});
    SvgSeries m;  // the corners, hoverable
    m.kind = SeriesKind::Scatter;
    m.colour = s.colour;
    m.radius = 3;
    m.css_class = "median-corner";
    for (const auto& q : corners)
      m.points.push_back({q.cost, q.accuracy,
                          fmt::format("{}: attained by at least {} of {} seeds: cost {:.6g}, accuracy {:.4f} %", algo, k, runs.size(),
                                      q.cost, q.accuracy),
                          {{"data-algo", algo}, {"data-cost", format_number(q.cost, 17)}, {"data-acc", format_number(q.accuracy, 17)}}});
    layers.push_back(s);
    layers.push_back(m);
  }
  // (kept as short as the first chart's: a longer title is clipped at the plot's width)
  const std::string title = extra_metric.empty() ? "Median attainment surface per algorithm: " + setting_name(key)
                                                 : "Median attainment, accuracy vs " + extra_metric + ": " + setting_name(key);
  std::string note;
  std::string unit;
  if (summary.contains("settings"))
    for (const auto& st : summary["settings"])
      if (st.value("dataset", "") == std::get<0>(key) && st.value("device", "") == std::get<1>(key) && st.value("metric", "") == std::get<2>(key))
        unit = st.value("unit", "");
  if (data) {
    // The true front of the setting, and the zoom past degenerate cells, as in run reports.
    const Dataset dataset = dataset_from_string(std::get<0>(key));
    const std::string& cost_name = std::get<2>(key);
    const HwMetric metric = !extra_metric.empty() ? hw_metric_from_string(extra_metric)
                            : cost_name.size() > 7 && cost_name.substr(cost_name.size() - 7) == "_energy" ? HwMetric::Energy
                                                                                                          : HwMetric::Latency;
    // The grid's searchable space (bench outputs before 2026-11-30 have no key: they kept degenerate cells).
    const bool include_degenerate = summary.contains("options") && summary["options"].is_object()
                                        ? summary["options"].value("include_degenerate", true)
                                        : true;
    const auto cost = make_searchable_cost(std::shared_ptr<const BenchmarkData>(data, [](const BenchmarkData*) {}), dataset,
                                           CostSpec{std::get<1>(key), metric}, SpaceOptions{include_degenerate});
    const TrueFront tf = compute_true_front(*data, dataset, *cost);
    FrontPlotSpec spec;
    spec.id = fmt::format("plot-bench-front-{}{}", plot_id, id_suffix);
    spec.title = title;
    spec.data = data;
    spec.dataset = dataset;
    spec.cost = cost.get();
    spec.truth = &tf;
    spec.layers = layers;
    spec.found = all_points;
    spec.background = false;
    FrontPlot fp = make_front_plot(spec);
    p = fp.plot;
    note = fp.note;
  } else {
    p.id = fmt::format("plot-bench-front-{}{}", plot_id, id_suffix);
    p.title = title;
    p.width = 900;
    p.height = 520;
    p.x = {extra_metric.empty() ? std::get<2>(key) : extra_metric, extra_metric.empty() ? unit : ""};
    p.y = {"true test accuracy", "%"};
    p.series = layers;
    note = "The benchmark tables were not found, so the true front is not drawn.";
  }
  page.raw(p.render());
  page.paragraph("Each line is an algorithm's median attainment surface: the accuracy-cost trade-offs reached by at least half of "
                 "its seeds (the empirical attainment function at 50 %), from each run's answer re-scored with true test accuracy "
                 "(fronts.csv). Black: the true front" +
                     (extra_metric.empty() ? std::string()
                                           : " of accuracy against " + extra_metric +
                                                 " alone (the answers are non-dominated in every objective, so some lie below it)") +
                     ". " + note,
                 "note");
}

std::string format_p(double p) { return p < 1e-4 ? fmt::format("{:.1e}", p) : format_fixed(p, 4); }

}  // namespace

bool is_bench_dir(const std::string& dir) {
  return fs::exists(fs::path(dir) / "curves.csv") && fs::exists(fs::path(dir) / "results.csv");
}

std::string render_bench_report(const std::string& dir, const BenchmarkData* data) {
  const CsvTable curves = CsvTable::read((fs::path(dir) / "curves.csv").string());
  const CsvTable results = CsvTable::read((fs::path(dir) / "results.csv").string());
  nlohmann::json summary;
  if (fs::exists(fs::path(dir) / "summary.json")) summary = read_json_file((fs::path(dir) / "summary.json").string());
  // setting -> algo -> evaluations -> seed -> hv_ratio
  std::map<SettingKey, std::map<std::string, std::map<long long, std::map<long long, double>>>> curve;
  {
    const auto cd = curves.column("dataset"), cv = curves.column("device"), cm = curves.column("metric"),
               ca = curves.column("algo"), cs = curves.column("seed"), ce = curves.column("evaluations"),
               ch = curves.column("hv_ratio");
    for (std::size_t r = 0; r < curves.rows(); ++r)
      curve[{std::string(curves.cell(r, cd)), std::string(curves.cell(r, cv)), std::string(curves.cell(r, cm))}]
           [std::string(curves.cell(r, ca))][curves.integer(r, ce)][curves.integer(r, cs)] = curves.number(r, ch);
  }
  // setting -> algo -> (hv_ratio, igd) per seed
  std::map<SettingKey, std::map<std::string, std::pair<std::vector<double>, std::vector<double>>>> finals;
  std::map<SettingKey, std::map<std::string, std::vector<double>>> evals, igd_plus;
  {
    const auto cd = results.column("dataset"), cv = results.column("device"), cm = results.column("metric"),
               ca = results.column("algo"), ch = results.column("hv_ratio"), ci = results.column("igd"),
               ce = results.column("evaluations");
    const auto cip = results.find_column("igd_plus");
    for (std::size_t r = 0; r < results.rows(); ++r) {
      SettingKey k{std::string(results.cell(r, cd)), std::string(results.cell(r, cv)), std::string(results.cell(r, cm))};
      auto& f = finals[k][std::string(results.cell(r, ca))];
      f.first.push_back(results.number(r, ch));
      f.second.push_back(results.number(r, ci));
      evals[k][std::string(results.cell(r, ca))].push_back(results.number(r, ce));
      if (cip) igd_plus[k][std::string(results.cell(r, ca))].push_back(results.number_or_nan(r, *cip));
    }
  }

  const FrontsBySetting fronts = read_fronts(fs::path(dir) / "fronts.csv");
  std::vector<std::pair<std::string, FrontsBySetting>> extra_fronts;
  for (const auto& metric : extra_cost_columns(fs::path(dir) / "fronts.csv"))
    extra_fronts.emplace_back(metric, read_fronts(fs::path(dir) / "fronts.csv", metric));
  HtmlPage page("pelnas bench report: " + dir);
  page.heading(1, "pelnas benchmark grid");
  page.paragraph(fmt::format("Directory {}: {} settings, {} runs.", dir, finals.size(), results.rows()), "note");
  int plot_id = 0;
  for (const auto& [key, algos] : finals) {
    page.open_section("setting", fmt::format("setting-{}", plot_id));
    page.heading(2, setting_name(key));
    SvgPlot p;
    p.id = fmt::format("plot-bench-{}", plot_id++);
    p.title = "HV ratio vs evaluated architectures: " + setting_name(key);
    p.x = {"evaluated architectures", ""};
    p.x.min = 0.0;
    p.y = {"HV ratio", ""};
    p.y.max = 1.0;
    p.width = 900;
    std::vector<std::string> labels;
    for (const auto& [algo, by_eval] : curve[key]) labels.push_back(algo);
    const auto colour_of = algorithm_colours(labels);
    for (const auto& [algo, by_eval] : curve[key]) {
      // Seeds present in this algorithm's curves; a point is drawn where every seed has a value.
      std::set<long long> seeds;
      for (const auto& [e, per_seed] : by_eval)
        for (const auto& [s, v] : per_seed) seeds.insert(s);
      SvgSeries band, line;
      band.kind = SeriesKind::Band;
      band.colour = line.colour = palette_colour(colour_of.at(algo));
      line.dash = palette_dash(colour_of.at(algo));
      band.opacity = 0.18;
      band.css_class = "band";
      line.kind = SeriesKind::Line;
      line.markers = true;
      line.radius = 2.5;
      line.name = fmt::format("{} ({} seeds; band: min-max)", algo, seeds.size());
      line.css_class = "mean-curve";
      for (const auto& [e, per_seed] : by_eval) {
        if (per_seed.size() != seeds.size()) continue;
        std::vector<double> v;
        for (const auto& [s, x] : per_seed) v.push_back(x);
        const Stats st = stats_of(v);
        band.band_x.push_back(static_cast<double>(e));
        band.band_low.push_back(st.min);
        band.band_high.push_back(st.max);
        line.points.push_back({static_cast<double>(e), st.mean,
                               fmt::format("{}: {} evaluations, HV ratio mean {:.4f} (min {:.4f}, max {:.4f}, {} seeds)", algo, e,
                                           st.mean, st.min, st.max, st.n),
                               {{"data-algo", algo},
                                {"data-evaluations", std::to_string(e)},
                                {"data-mean", format_number(st.mean, 17)},
                                {"data-min", format_number(st.min, 17)},
                                {"data-max", format_number(st.max, 17)}}});
      }
      p.series.push_back(band);
      p.series.push_back(line);
    }
    page.raw(p.render());
    // The best algorithm: highest mean HV ratio; every other one is compared with it.
    std::string best;
    double best_mean = -INFINITY;
    for (const auto& [algo, f] : algos)
      if (const double m = stats_of(f.first).mean; m > best_mean) {
        best_mean = m;
        best = algo;
      }
    HtmlTable t;
    t.header = {"algorithm", "seeds", "evaluations (mean)", "HV ratio mean", "HV ratio std", "HV ratio min", "HV ratio max",
                "IGD mean", "IGD std", "IGD+ mean", "IGD+ std", "HV ratio vs best: p", "A12 vs best", "U vs best"};
    double min_p = 1;  // the smallest p the seed counts allow, over the comparisons
    for (const auto& [algo, f] : algos) {
      const Stats h = stats_of(f.first), g = stats_of(f.second), e = stats_of(evals[key][algo]);
      const Stats gp = stats_of(igd_plus[key][algo]);
      std::vector<std::string> row = {algo, std::to_string(h.n), format_fixed(e.mean, 1), format_fixed(h.mean, 4),
                                      format_fixed(h.std, 4), format_fixed(h.min, 4), format_fixed(h.max, 4), format_fixed(g.mean, 4),
                                      format_fixed(g.std, 4), gp.n ? format_fixed(gp.mean, 4) : "-", gp.n ? format_fixed(gp.std, 4) : "-"};
      std::map<std::string, std::string> attrs = {{"data-setting", setting_name(key)}, {"data-algo", algo}};
      if (algo == best) {
        row.insert(row.end(), {"best", "", ""});
        attrs["data-best"] = "true";
      } else {
        const MannWhitneyResult mw = mann_whitney_u(f.first, algos.at(best).first);
        min_p = std::min(min_p, mw.min_p);
        row.insert(row.end(), {format_p(mw.p_value), format_fixed(mw.a12, 3), format_number(mw.u1, 6)});
        attrs["data-p"] = format_number(mw.p_value, 17);
        attrs["data-a12"] = format_number(mw.a12, 17);
        attrs["data-u"] = format_number(mw.u1, 17);
        attrs["data-exact"] = mw.exact ? "true" : "false";
      }
      t.rows.push_back(row);
      t.row_attrs.push_back(attrs);
    }
    page.table(t);
    if (algos.size() > 1)
      page.paragraph(fmt::format("vs best: two-sided Mann-Whitney U test (Wilcoxon rank-sum) of the final HV ratios over seeds "
                                 "against {} (highest mean): exact null distribution when a sample has at most 8 seeds and no "
                                 "ties, else the normal approximation with tie and continuity corrections. U counts seed pairs "
                                 "where the row's algorithm is ahead (ties one half); A12 = U / (n1 n2) is the probability that it "
                                 "beats the best (0.5: no difference). The smallest p these seed counts allow is {}{}.",
                                 best, format_p(min_p), min_p > 0.05 ? ", so nothing can reach p < 0.05: run more seeds" : ""),
                     "note stats");
    if (const auto it = fronts.find(key); it != fronts.end()) median_fronts(page, key, it->second, colour_of, summary, data, plot_id - 1);
    for (const auto& [metric, by_setting] : extra_fronts)  // 3+ objectives: one chart per extra cost
      if (const auto it = by_setting.find(key); it != by_setting.end())
        median_fronts(page, key, it->second, colour_of, summary, data, plot_id - 1, metric);
    const std::string protocol = protocol_for(summary, key);
    page.paragraph(protocol.empty() ? "summary.json does not state this setting's evaluation protocol." : "Evaluation protocol: " + protocol,
                   protocol.empty() ? "warn" : "protocol");
    page.close_section();
  }
  return page.render();
}

}  // namespace pelnas::report
