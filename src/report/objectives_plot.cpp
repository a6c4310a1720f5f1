#include "report/objectives_plot.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "report/svg_plot.h"

namespace pelnas::report {

namespace {

// Objective k of a point: 0 = true accuracy (%), k >= 1 = cost k-1.
double value(const RunPoint& p, std::size_t k) {
  if (k == 0) return p.true_accuracy;
  if (k == 1) return p.cost;
  return k - 2 < p.extra_costs.size() ? p.extra_costs[k - 2] : NAN;
}

double value(const TrueFrontEntry& e, std::size_t k) {
  if (k == 0) return e.accuracy;
  if (k == 1) return e.cost;
  return e.extra_costs[k - 2];
}

}  // namespace

void objective_plots(HtmlPage& page, const ObjectivePlotInput& in) {
  const auto& axes = in.axes;
  const std::size_t n = axes.size();
  auto tip = [](const ObjectivePoints& s, std::size_t i) { return i < s.tooltips.size() ? s.tooltips[i] : std::string(); };
  auto attrs = [](const ObjectivePoints& s, std::size_t i) {
    return i < s.attrs.size() ? s.attrs[i] : std::map<std::string, std::string>{};
  };
  // Pairwise projections: (cost i, accuracy) and (cost i, cost j).
  int id = 0;
  for (std::size_t a = 1; a < n; ++a)
    for (std::size_t b = 0; b < a; ++b) {
      SvgPlot plot;
      plot.id = fmt::format("plot-projection-{}", id++);
      plot.title = fmt::format("{} vs {}", axes[b].name, axes[a].name);
      plot.x.label = axes[a].name;
      plot.x.unit = axes[a].unit;
      plot.y.label = axes[b].name;
      plot.y.unit = axes[b].unit;
      plot.width = 560;
      plot.height = 380;
      SvgSeries t;
      t.name = in.reference_name;
      t.colour = "#000000";
      t.kind = SeriesKind::Scatter;
      t.radius = 2.2;
      t.css_class = "true-front";
      for (const auto& v : in.reference.values) t.points.push_back({v[a], v[b], "", {}});
      SvgSeries f;
      f.name = in.found_name;
      f.colour = palette_colour(0);
      f.kind = SeriesKind::Scatter;
      f.hollow = true;
      f.radius = 5;
      f.stroke_width = 2;
      f.css_class = "found-front";
      for (std::size_t i = 0; i < in.found.values.size(); ++i) {
        const double x = in.found.values[i][a], y = in.found.values[i][b];
        if (std::isfinite(x) && std::isfinite(y)) f.points.push_back({x, y, tip(in.found, i), attrs(in.found, i)});
      }
      plot.series = {t, f};
      page.raw(plot.render());
    }
  auto scaled = [&](double v, std::size_t k) {
    const double m = k == 0 ? -v : v;
    return in.worst[k] > in.best[k] ? (m - in.best[k]) / (in.worst[k] - in.best[k]) : 0.0;
  };
  SvgPlot pc;
  pc.id = "plot-parallel";
  pc.title = in.parallel_title;
  std::string axis_names;
  for (std::size_t k = 0; k < n; ++k) axis_names += fmt::format("{}{} = {}", k ? ", " : "", k, k == 0 ? in.parallel_axis_0 : axes[k].name);
  pc.x.label = "objective (" + axis_names + ")";
  pc.x.min = -0.1;
  pc.x.max = static_cast<double>(n - 1) + 0.1;
  pc.x.target_ticks = static_cast<int>(n);
  pc.y.label = "normalised value";
  pc.width = 720;
  pc.height = 420;
  for (std::size_t i = 0; i < in.reference.values.size(); ++i) {
    SvgSeries l;
    l.name = i == 0 ? in.reference_line_name : "";
    l.colour = "#bbbbbb";
    l.kind = SeriesKind::Line;
    l.stroke_width = 1;
    l.css_class = "true-front";
    for (std::size_t k = 0; k < n; ++k) l.points.push_back({static_cast<double>(k), scaled(in.reference.values[i][k], k), "", {}});
    pc.series.push_back(std::move(l));
  }
  for (std::size_t i = 0; i < in.found.values.size(); ++i) {
    SvgSeries l;
    l.name = i == 0 ? in.found_name : "";
    l.colour = palette_colour(0);
    l.kind = SeriesKind::Line;
    l.markers = true;
    l.stroke_width = 1.6;
    l.css_class = "found-front";
    for (std::size_t k = 0; k < n; ++k) {
      const double v = in.found.values[i][k];
      l.points.push_back({static_cast<double>(k), std::isfinite(v) ? scaled(v, k) : NAN,
                          i < in.found.line_tooltips.size() ? in.found.line_tooltips[i] : tip(in.found, i), {}});
    }
    pc.series.push_back(std::move(l));
  }
  page.raw(pc.render());
}

void objectives_section(HtmlPage& page, const RunData& run, const std::vector<const CostSource*>& costs,
                        const TrueFront& truth) {
  ObjectivePlotInput in;
  in.axes = {{"test accuracy", "%"}};
  for (const auto* c : costs) in.axes.push_back({c->name(), c->unit()});
  const std::size_t n = in.axes.size();
  page.paragraph(fmt::format("This run has {} objectives (maximise accuracy; minimise {}). Its front and the exact "
                             "{}-objective true front ({} architectures) are shown as pairwise projections, then in "
                             "parallel coordinates. A point that looks dominated in one projection can be on the front "
                             "through another objective.",
                             n, [&] {
                               std::string s;
                               for (std::size_t k = 1; k < n; ++k) s += (k > 1 ? ", " : "") + in.axes[k].name;
                               return s;
                             }(), n, truth.entries.size()),
                 "note");
  for (const auto& e : truth.entries) {
    std::vector<double> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = value(e, k);
    in.reference.values.push_back(std::move(v));
  }
  // The projections draw the found point with its data-index; parallel coordinates name the index.
  for (const auto& p : run.front) {
    std::vector<double> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = value(p, k);
    in.found.values.push_back(std::move(v));
    in.found.tooltips.push_back(fmt::format("{}\nNB201 index {}", p.arch.str(), p.index));
    in.found.line_tooltips.push_back(fmt::format("{} (index {})", p.arch.str(), p.index));
    in.found.attrs.push_back({{"data-index", std::to_string(p.index)}});
  }
  in.reference_name = "true front (projected)";
  in.reference_line_name = "true front";
  in.found_name = run.finished ? "found front" : "current front";
  // Parallel coordinates: each objective scaled so 0 = the true front's ideal, 1 = its nadir.
  in.best.assign(n, std::numeric_limits<double>::infinity());
  in.worst.assign(n, -std::numeric_limits<double>::infinity());
  for (const auto& v : in.reference.values)
    for (std::size_t k = 0; k < n; ++k) {
      const double m = k == 0 ? -v[k] : v[k];  // minimised form
      in.best[k] = std::min(in.best[k], m);
      in.worst[k] = std::max(in.worst[k], m);
    }
  in.parallel_title = "Parallel coordinates (0 = true front's ideal, 1 = its nadir; lower is better)";
  in.parallel_axis_0 = "test error";
  objective_plots(page, in);
}

}  // namespace pelnas::report
