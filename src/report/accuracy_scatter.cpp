#include "report/accuracy_scatter.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "evaluate/accuracy_sources.h"
#include "predictor/rank_correlation.h"
#include "report/svg_plot.h"
#include "report/xml.h"

namespace pelnas::report {

namespace {

// Spearman's rho of the finite (seen, true) pairs; NaN (shown as "n/a") for fewer than 3 pairs or
// a constant side.
double rank_agreement(const std::vector<RunPoint>& points) {
  std::vector<double> seen, truth;
  for (const auto& p : points)
    if (std::isfinite(p.seen_accuracy) && std::isfinite(p.true_accuracy)) {
      seen.push_back(p.seen_accuracy);
      truth.push_back(p.true_accuracy);
    }
  if (seen.size() < 3) return NAN;
  auto constant = [](const std::vector<double>& v) { return std::all_of(v.begin(), v.end(), [&](double x) { return x == v[0]; }); };
  if (constant(seen) || constant(truth)) return NAN;
  return spearman(seen, truth);
}

std::string fixed_or_na(double v, int decimals) { return std::isfinite(v) ? format_fixed(v, decimals) : "n/a"; }

}  // namespace

void accuracy_scatter_section(HtmlPage& page, const RunData& run) {
  const std::string signal = run.accuracy_source();
  page.heading(2, "Seen against true accuracy");
  const std::string canonical = signal == "table" ? "table:test" : signal;  // runs before the signal names
  if (is_oracle_signal(canonical)) {
    page.paragraph(fmt::format("The search saw {}: the true test accuracy itself (an oracle upper bound), so the "
                               "accuracy it saw and the one it is scored with are the same.",
                               canonical),
                   "note");
    return;
  }
  SvgPlot p;
  p.id = "plot-seen-true";
  p.title = fmt::format("True test accuracy against the accuracy the search saw ({})", signal);
  p.width = 720;
  p.height = 480;
  p.x = {"seen accuracy (" + signal + ")", "%"};
  p.y = {"true 200-epoch test accuracy", "%"};
  double lo = 1e300, hi = -1e300;
  SvgSeries all;
  all.kind = SeriesKind::Dots;
  all.name = "evaluated by the run";
  all.colour = "#777777";
  all.opacity = 0.5;
  all.radius = 1.8;
  all.css_class = "seen-true-evaluated";
  for (const auto& e : run.archive)
    if (std::isfinite(e.seen_accuracy) && std::isfinite(e.true_accuracy)) {
      all.points.push_back({e.seen_accuracy, e.true_accuracy, "", {}});
      lo = std::min({lo, e.seen_accuracy, e.true_accuracy});
      hi = std::max({hi, e.seen_accuracy, e.true_accuracy});
    }
  SvgSeries front;
  front.kind = SeriesKind::Scatter;
  front.name = "final front";
  front.colour = palette_colour(1);
  front.radius = 4.5;
  front.css_class = "seen-true-front";
  for (const auto& f : run.front)
    if (std::isfinite(f.seen_accuracy) && std::isfinite(f.true_accuracy))
      front.points.push_back({f.seen_accuracy, f.true_accuracy,
                              fmt::format("{}\nNB201 index {}, niche {}\nseen {:.4f} % ({}), true test {:.4f} %",
                                          f.arch.str(), f.index, f.niche, f.seen_accuracy, signal, f.true_accuracy),
                              {{"data-index", std::to_string(f.index)},
                               {"data-seen", format_number(f.seen_accuracy, 17)},
                               {"data-true", format_number(f.true_accuracy, 17)}}});
  if (all.points.empty()) {
    page.paragraph("The run's archive has no architecture with both a seen and a true accuracy.", "warn");
    return;
  }
  SvgSeries diagonal;
  diagonal.kind = SeriesKind::Line;
  diagonal.name = "seen = true";
  diagonal.colour = "#000000";
  diagonal.stroke_width = 1.0;
  diagonal.css_class = "seen-true-diagonal";
  diagonal.points = {{lo, lo, "", {}}, {hi, hi, "", {}}};
  p.series = {all, diagonal, front};
  page.raw(p.render());
  double bias = 0;
  for (const auto& e : all.points) bias += e.y - e.x;
  bias /= static_cast<double>(all.points.size());
  page.paragraph(fmt::format("{} evaluated architectures (grey) and the {} of the final front (coloured). Spearman "
                             "rank correlation of seen and true accuracy: {} over all evaluated, {} over the front; "
                             "mean true - seen: {:+.2f} percentage points. The search chose its front on the seen "
                             "accuracy; every metric re-scores it with the true test accuracy.",
                             all.points.size(), front.points.size(), fixed_or_na(rank_agreement(run.archive), 3),
                             fixed_or_na(rank_agreement(run.front), 3), bias),
                 "note");
  HtmlTable t;
  t.header = {"index", "niche", "seen accuracy (%) [" + signal + "]", "true test accuracy (%)", "cost", "architecture"};
  t.css_class = "seen-true-table";
  for (const auto& f : run.front) {
    t.rows.push_back({std::to_string(f.index), std::to_string(f.niche), fixed_or_na(f.seen_accuracy, 4),
                      fixed_or_na(f.true_accuracy, 4), format_number(f.cost, 6), f.arch.str()});
    t.row_attrs.push_back({{"data-index", std::to_string(f.index)}, {"class", "seen-true-row"}});
  }
  page.table(t);
}

}  // namespace pelnas::report
