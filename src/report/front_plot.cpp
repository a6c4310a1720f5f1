#include "report/front_plot.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "report/xml.h"

namespace pelnas::report {

bool is_degenerate_cell(const BenchmarkData& data, int index) {
  return index >= 0 && index < data.size() && data.zero_output(index);
}

FrontZoom front_zoom(const BenchmarkData& data, const TrueFront& truth, const std::vector<FrontPoint>& found) {
  std::vector<FrontPoint> pts;
  for (const auto& e : truth.entries)
    if (!is_degenerate_cell(data, e.index)) pts.push_back({e.cost, e.accuracy, e.index});
  for (const auto& f : found)
    if (std::isfinite(f.cost) && std::isfinite(f.accuracy) && !is_degenerate_cell(data, f.index)) pts.push_back(f);
  FrontZoom z;
  if (pts.empty()) {
    for (const auto& e : truth.entries) pts.push_back({e.cost, e.accuracy, e.index});
    if (pts.empty()) return z;
  }
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const auto& p : pts) {
    xlo = std::min(xlo, p.cost);
    xhi = std::max(xhi, p.cost);
    ylo = std::min(ylo, p.accuracy);
    yhi = std::max(yhi, p.accuracy);
  }
  const double ypad = std::max((yhi - ylo) * 0.08, 0.3), xpad = std::max((xhi - xlo) * 0.05, std::abs(xhi) * 0.01 + 1e-9);
  z.xmin = xlo - xpad;
  if (xlo >= 0) z.xmin = std::max(z.xmin, 0.0);  // costs are not negative; keep the axis from suggesting so
  z.xmax = xhi + xpad;
  z.ymin = ylo - ypad;
  z.ymax = std::min(yhi + ypad, 100.0);
  auto outside = [&](double x, double y) { return !(x >= z.xmin && x <= z.xmax && y >= z.ymin && y <= z.ymax); };
  for (const auto& e : truth.entries) z.outside_true += outside(e.cost, e.accuracy);
  for (const auto& f : found) z.outside_found += std::isfinite(f.accuracy) && outside(f.cost, f.accuracy);
  return z;
}

FrontPlot make_front_plot(const FrontPlotSpec& spec) {
  const BenchmarkData& data = *spec.data;
  const CostSource& cost = *spec.cost;
  const TrueFront& tf = *spec.truth;
  FrontPlot out;
  out.zoom = front_zoom(data, tf, spec.found);
  SvgPlot& p = out.plot;
  p.id = spec.id;
  p.title = spec.title;
  p.width = 900;
  p.height = 520;
  p.x = {cost.name(), cost.unit()};
  p.y = {"true test accuracy", "%"};
  p.x.min = out.zoom.xmin;
  p.x.max = out.zoom.xmax;
  p.y.min = out.zoom.ymin;
  p.y.max = out.zoom.ymax;

  SvgSeries space;
  space.kind = SeriesKind::Dots;
  space.name = "all architectures";
  space.colour = "#9a9a9a";
  space.opacity = 0.25;
  space.radius = 1.3;
  space.css_class = "space";
  for (int i = 0; i < data.size(); ++i) {
    auto c = cost.cost(i);
    auto a = data.accuracy(i, spec.dataset);
    if (c && a) space.points.push_back({*c, *a, "", {}});
  }
  if (spec.background) p.series.push_back(space);
  for (const auto& l : spec.layers) p.series.push_back(l);

  SvgSeries truth;
  truth.kind = SeriesKind::Line;
  truth.markers = true;
  truth.name = "true Pareto front";
  truth.colour = "#000000";
  truth.radius = 2.2;
  truth.stroke_width = 1.2;
  truth.css_class = "true-front";
  for (const auto& e : tf.entries)
    truth.points.push_back({e.cost, e.accuracy,
                            fmt::format("true front: index {}, {:.4f} %, {:.6g} {}", e.index, e.accuracy, e.cost, tf.cost_unit),
                            {{"data-index", std::to_string(e.index)}}});
  p.series.push_back(truth);
  if (!spec.background) {
    out.note = out.zoom.outside_true + out.zoom.outside_found > 0
                   ? fmt::format("Zoomed to the region of the fronts (degenerate zero-output cells left out); outside it: {} "
                                 "true-front and {} found point(s).",
                                 out.zoom.outside_true, out.zoom.outside_found)
                   : "Zoomed to the region of the fronts.";
    return out;
  }

  // Inset: the whole space, the true front and the zoomed region, in the lower right of the plot area
  // (the dominated corner: only background points lie there).
  SvgPlot inset;
  inset.id = spec.id + "-inset";
  inset.title = "whole space";
  inset.width = 360;
  inset.height = 250;
  inset.margin_left = 52;
  inset.margin_right = 10;
  inset.margin_top = 26;
  inset.margin_bottom = 40;
  inset.x = {cost.name(), cost.unit()};
  inset.y = {"accuracy", "%"};
  inset.x.target_ticks = inset.y.target_ticks = 4;
  SvgSeries ispace = space;
  {
    // The inset is small: one point per cell of a 240 x 160 grid is all it can show (keeps pages light).
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (const auto& q : space.points) {
      x0 = std::min(x0, q.x);
      x1 = std::max(x1, q.x);
      y0 = std::min(y0, q.y);
      y1 = std::max(y1, q.y);
    }
    std::set<std::pair<long, long>> cells;
    std::vector<SvgPoint> kept;
    for (const auto& q : space.points)
      if (cells.insert({std::lround((q.x - x0) / std::max(x1 - x0, 1e-12) * 240), std::lround((q.y - y0) / std::max(y1 - y0, 1e-12) * 160)})
              .second)
        kept.push_back(q);
    ispace.points = std::move(kept);
  }
  ispace.name.clear();
  ispace.opacity = 0.35;
  ispace.radius = 1.6;
  ispace.css_class = "inset-space";
  SvgSeries itruth;
  itruth.kind = SeriesKind::Line;
  itruth.colour = "#000000";
  itruth.stroke_width = 1.5;
  itruth.css_class = "inset-true-front";
  for (const auto& e : tf.entries) itruth.points.push_back({e.cost, e.accuracy, "", {}});
  SvgSeries box;
  box.kind = SeriesKind::Line;
  box.colour = "#D55E00";
  box.stroke_width = 2;
  box.css_class = "inset-zoom";
  const auto& z = out.zoom;
  for (auto [bx, by] : {std::pair{z.xmin, z.ymin}, {z.xmax, z.ymin}, {z.xmax, z.ymax}, {z.xmin, z.ymax}, {z.xmin, z.ymin}})
    box.points.push_back({bx, by, "", {}});
  inset.series = {ispace, itruth, box};
  const auto f = p.frame();
  const double w = std::min(240.0, (f.x1 - f.x0) * 0.38), h = w * inset.height / inset.width;
  const double ix = f.x1 - w - 4, iy = f.y1 - h - 4;
  p.overlay = fmt::format("<g class=\"inset\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" fill-opacity=\"0.94\" "
                          "stroke=\"#777777\"/>\n",
                          format_fixed(ix, 2), format_fixed(iy, 2), format_fixed(w, 2), format_fixed(h, 2)) +
              inset.render_nested(ix, iy, w, h) + "</g>\n";

  std::vector<std::string> parts;
  if (z.outside_true > 0) parts.push_back(fmt::format("{} true-front point(s)", z.outside_true));
  if (z.outside_found > 0) parts.push_back(fmt::format("{} found point(s)", z.outside_found));
  if (!parts.empty())
    out.note = fmt::format("Zoomed to the region of the fronts (degenerate zero-output cells left out); outside it: {}. "
                           "The inset shows the whole space with the zoomed region outlined.",
                           parts.size() == 2 ? parts[0] + " and " + parts[1] : parts[0]);
  else
    out.note = "Zoomed to the region of the fronts; the inset shows the whole space with the zoomed region outlined.";
  return out;
}

}  // namespace pelnas::report
