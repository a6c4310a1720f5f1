#include "report/space_bench_report.h"

#include <fmt/format.h>

#include "common/json_fields.h"
#include "report/html_writer.h"
#include "report/svg_plot.h"

namespace pelnas::report {

std::string render_space_bench_report(const SpaceGridResult& r) {
  const bool score = r.options.signal.accuracy == kScoreSignal;
  const std::string label = score ? "training-free score" : "accuracy";
  HtmlPage page(fmt::format("{} benchmark grid", r.options.space));
  page.heading(1, fmt::format("{} benchmark grid: {} at equal budget ({} evaluations, {} seed(s))", r.options.space,
                              [&] {
                                std::string a;
                                for (const auto& x : r.options.algorithms) a += (a.empty() ? "" : ", ") + x;
                                return a;
                              }(),
                              r.options.budget, r.options.seeds));
  page.paragraph(fmt::format("Signal the searches saw: {}{}. Reference front of each device: the union of the grid's runs "
                             "(their non-dominated set), not a true front; HV ratio and IGD are {}. HV in the fixed "
                             "normalisation of each (space, dataset, device, objectives) that `pelnas search` writes.",
                             score ? "the training-free score (0-100, higher is better)" : "the external evaluator's accuracy",
                             score ? ", not an accuracy" : "", kUnionFrontLabel));
  const auto j = r.summary_json();
  std::size_t d_index = 0;
  for (const auto& d : r.devices) {
    const auto& dj = j["devices"][d_index++];
    page.heading(2, fmt::format("{} ({}), union front {} points", d.device, d.cost_name, d.union_front.size()));
    HtmlTable t;
    t.header = {"algorithm", "runs", "HV (fixed normalisation)", "HV ratio vs union of grid runs (not a true front)",
                "IGD vs union of grid runs", "IGD+ vs union of grid runs"};
    for (const auto& c : dj["cells"]) {
      auto ms = [&](const char* k) { return fmt::format("{:.4f} ± {:.4f}", c[k]["mean"].get<double>(), c[k]["std"].get<double>()); };
      t.rows.push_back({c["algorithm"].get<std::string>(), std::to_string(json_fields::get_integral<int>(c["runs"])), ms("hv"),
                        ms("hv_ratio_vs_union"), ms("igd_vs_union"), ms("igd_plus_vs_union")});
    }
    page.table(t);
    // One chart of the signal against each cost objective (3+ objectives: a projection each).
    std::vector<std::pair<std::string, std::string>> costs{{d.cost_name, d.cost_unit}};
    for (const auto& b : d.norm.extra_costs) costs.emplace_back(b.name, b.unit);
    for (std::size_t k = 0; k < costs.size(); ++k) {
      SvgPlot plot;
      plot.id = "fronts-" + d.device + (k == 0 ? "" : "-" + costs[k].first);
      plot.title = fmt::format("fronts of every run, {} vs {}{}", label, costs[k].first, costs.size() > 1 ? " (projection)" : "");
      plot.x.label = costs[k].first;
      plot.x.unit = costs[k].second;
      plot.y.label = label;
      plot.y.unit = score ? "" : "%";
      for (const auto& a : r.options.algorithms) {
        SvgSeries s;
        s.name = a;
        s.kind = SeriesKind::Scatter;
        s.hollow = true;
        s.radius = 3.5;
        for (const auto& run : r.runs)
          if (run.device == d.device && run.algorithm == a)
            for (const auto& p : run.front) s.points.push_back({p[1 + k], p[0], fmt::format("{} seed {}", a, run.seed), {}});
        plot.series.push_back(std::move(s));
    }
    SvgSeries u;
    u.name = "union of grid runs (not a true front)";
    u.kind = costs.size() == 1 ? SeriesKind::Line : SeriesKind::Scatter;  // a 3-D front is no line in a projection
    u.colour = "#000000";
    u.dash = "6 3";
    u.markers = true;
    for (std::size_t i = 0; i < d.union_front.size(); ++i)
      u.points.push_back({d.union_front[i][1 + k], d.union_front[i][0], d.union_archs[i] + " (" + d.union_found_by[i] + ")", {}});
    plot.series.push_back(std::move(u));
    page.raw(plot.render());
    }
  }
  return page.render();
}

}  // namespace pelnas::report
