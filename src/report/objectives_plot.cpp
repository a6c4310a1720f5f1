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

void objectives_section(HtmlPage& page, const RunData& run, const std::vector<const CostSource*>& costs,
                        const TrueFront& truth) {
  std::vector<ObjectiveAxis> axes{{"test accuracy", "%"}};
  for (const auto* c : costs) axes.push_back({c->name(), c->unit()});
  const std::size_t n = axes.size();
  page.paragraph(fmt::format("This run has {} objectives (maximise accuracy; minimise {}). Its front and the exact "
                             "{}-objective true front ({} architectures) are shown as pairwise projections, then in "
                             "parallel coordinates. A point that looks dominated in one projection can be on the front "
                             "through another objective.",
                             n, [&] {
                               std::string s;
                               for (std::size_t k = 1; k < n; ++k) s += (k > 1 ? ", " : "") + axes[k].name;
                               return s;
                             }(), n, truth.entries.size()),
                 "note");
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
      t.name = "true front (projected)";
      t.colour = "#000000";
      t.kind = SeriesKind::Scatter;
      t.radius = 2.2;
      t.css_class = "true-front";
      for (const auto& e : truth.entries) t.points.push_back({value(e, a), value(e, b), "", {}});
      SvgSeries f;
      f.name = run.finished ? "found front" : "current front";
      f.colour = palette_colour(0);
      f.kind = SeriesKind::Scatter;
      f.hollow = true;
      f.radius = 5;
      f.stroke_width = 2;
      f.css_class = "found-front";
      for (const auto& p : run.front) {
        const double x = value(p, a), y = value(p, b);
        if (std::isfinite(x) && std::isfinite(y))
          f.points.push_back({x, y, fmt::format("{}\nNB201 index {}", p.arch.str(), p.index),
                              {{"data-index", std::to_string(p.index)}}});
      }
      plot.series = {t, f};
      page.raw(plot.render());
    }
  // Parallel coordinates: each objective scaled so 0 = the true front's ideal, 1 = its nadir.
  std::vector<double> best(n, std::numeric_limits<double>::infinity()), worst(n, -std::numeric_limits<double>::infinity());
  for (const auto& e : truth.entries)
    for (std::size_t k = 0; k < n; ++k) {
      const double v = k == 0 ? -value(e, k) : value(e, k);  // minimised form
      best[k] = std::min(best[k], v);
      worst[k] = std::max(worst[k], v);
    }
  auto scaled = [&](double v, std::size_t k) {
    const double m = k == 0 ? -v : v;
    return worst[k] > best[k] ? (m - best[k]) / (worst[k] - best[k]) : 0.0;
  };
  SvgPlot pc;
  pc.id = "plot-parallel";
  pc.title = "Parallel coordinates (0 = true front's ideal, 1 = its nadir; lower is better)";
  std::string axis_names;
  for (std::size_t k = 0; k < n; ++k) axis_names += fmt::format("{}{} = {}", k ? ", " : "", k, k == 0 ? "test error" : axes[k].name);
  pc.x.label = "objective (" + axis_names + ")";
  pc.x.min = -0.1;
  pc.x.max = static_cast<double>(n - 1) + 0.1;
  pc.x.target_ticks = static_cast<int>(n);
  pc.y.label = "normalised value";
  pc.width = 720;
  pc.height = 420;
  for (std::size_t i = 0; i < truth.entries.size(); ++i) {
    SvgSeries l;
    l.name = i == 0 ? "true front" : "";
    l.colour = "#bbbbbb";
    l.kind = SeriesKind::Line;
    l.stroke_width = 1;
    l.css_class = "true-front";
    for (std::size_t k = 0; k < n; ++k) l.points.push_back({static_cast<double>(k), scaled(value(truth.entries[i], k), k), "", {}});
    pc.series.push_back(std::move(l));
  }
  for (std::size_t i = 0; i < run.front.size(); ++i) {
    SvgSeries l;
    l.name = i == 0 ? (run.finished ? "found front" : "current front") : "";
    l.colour = palette_colour(0);
    l.kind = SeriesKind::Line;
    l.markers = true;
    l.stroke_width = 1.6;
    l.css_class = "found-front";
    for (std::size_t k = 0; k < n; ++k) {
      const double v = value(run.front[i], k);
      l.points.push_back({static_cast<double>(k), std::isfinite(v) ? scaled(v, k) : NAN,
                          fmt::format("{} (index {})", run.front[i].arch.str(), run.front[i].index), {}});
    }
    pc.series.push_back(std::move(l));
  }
  page.raw(pc.render());
}

}  // namespace pelnas::report
