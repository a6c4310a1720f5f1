#include "report/bench_report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "common/error.h"
#include "report/html_writer.h"
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

}  // namespace

bool is_bench_dir(const std::string& dir) {
  return fs::exists(fs::path(dir) / "curves.csv") && fs::exists(fs::path(dir) / "results.csv");
}

std::string render_bench_report(const std::string& dir) {
  const CsvTable curves = CsvTable::read((fs::path(dir) / "curves.csv").string());
  const CsvTable results = CsvTable::read((fs::path(dir) / "results.csv").string());
  nlohmann::json summary;
  if (fs::exists(fs::path(dir) / "summary.json")) {
    std::ifstream in(fs::path(dir) / "summary.json");
    try {
      summary = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw Error((fs::path(dir) / "summary.json").string() + ": not valid JSON: " + e.what());
    }
  }
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
    for (std::size_t r = 0; r < results.rows(); ++r) {
      SettingKey k{std::string(results.cell(r, cd)), std::string(results.cell(r, cv)), std::string(results.cell(r, cm))};
      auto& f = finals[k][std::string(results.cell(r, ca))];
      f.first.push_back(results.number(r, ch));
      f.second.push_back(results.number(r, ci));
      evals[k][std::string(results.cell(r, ca))].push_back(results.number(r, ce));
      // IGD+ (dominance compliant); absent in grids written before it was a column.
      if (const auto cp = results.find_column("igd_plus")) igd_plus[k][std::string(results.cell(r, ca))].push_back(results.number(r, *cp));
    }
  }

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
    std::size_t colour = 0;
    for (const auto& [algo, by_eval] : curve[key]) {
      // Seeds present in this algorithm's curves; a point is drawn where every seed has a value.
      std::set<long long> seeds;
      for (const auto& [e, per_seed] : by_eval)
        for (const auto& [s, v] : per_seed) seeds.insert(s);
      SvgSeries band, line;
      band.kind = SeriesKind::Band;
      band.colour = line.colour = palette_colour(colour++);
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
    HtmlTable t;
    t.header = {"algorithm", "seeds", "evaluations (mean)", "HV ratio mean", "HV ratio std", "HV ratio min", "HV ratio max",
                "IGD mean", "IGD std", "IGD+ mean", "IGD+ std"};
    for (const auto& [algo, f] : algos) {
      const Stats h = stats_of(f.first), g = stats_of(f.second), e = stats_of(evals[key][algo]);
      const auto& ip = igd_plus[key][algo];
      const Stats gp = stats_of(ip);
      t.rows.push_back({algo, std::to_string(h.n), format_fixed(e.mean, 1), format_fixed(h.mean, 4), format_fixed(h.std, 4),
                        format_fixed(h.min, 4), format_fixed(h.max, 4), format_fixed(g.mean, 4), format_fixed(g.std, 4),
                        ip.empty() ? "-" : format_fixed(gp.mean, 4), ip.empty() ? "-" : format_fixed(gp.std, 4)});
      t.row_attrs.push_back({{"data-setting", setting_name(key)}, {"data-algo", algo}});
    }
    page.table(t);
    const std::string protocol = protocol_for(summary, key);
    page.paragraph(protocol.empty() ? "summary.json does not state this setting's evaluation protocol." : "Evaluation protocol: " + protocol,
                   protocol.empty() ? "warn" : "protocol");
    page.close_section();
  }
  return page.render();
}

}  // namespace pelnas::report
