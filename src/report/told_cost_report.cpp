#include "report/told_cost_report.h"

#include <fmt/format.h>

#include "report/html_writer.h"
#include "report/run_summary_sections.h"
#include "report/svg_plot.h"
#include "report/xml.h"

namespace pelnas::report {

namespace {

// The evaluated architectures and the found front in (told cost, accuracy seen), and the front's table.
void told_front(HtmlPage& page, const RunData& run) {
  const std::string cost = run.cost_name(), unit = run.cost_unit();
  SvgPlot p;
  p.id = "plot-front";
  p.title = fmt::format("Accuracy seen vs told {}", cost);
  p.x = {cost + " (told)", unit};
  p.y = {"accuracy seen", "%"};
  p.width = 900;
  SvgSeries evaluated;
  evaluated.kind = SeriesKind::Dots;
  evaluated.name = "evaluated by the study";
  evaluated.colour = "#999999";
  for (const auto& a : run.archive)
    evaluated.points.push_back({a.cost, a.seen_accuracy, fmt::format("{}\naccuracy seen {:.4f} %, {} {:.6g} {}", a.arch.str(),
                                                                     a.seen_accuracy, cost, a.cost, unit), {}});
  SvgSeries front;
  front.kind = SeriesKind::Scatter;
  front.name = "found front";
  front.colour = palette_colour(0);
  front.radius = 5;
  front.css_class = "found";
  for (const auto& f : run.front)
    front.points.push_back({f.cost, f.seen_accuracy, fmt::format("{}\naccuracy seen {:.4f} %, {} {:.6g} {}", f.arch.str(),
                                                                f.seen_accuracy, cost, f.cost, unit),
                            {{"data-index", std::to_string(f.index)}, {"data-cost", format_number(f.cost, 17)}}});
  p.series = {evaluated, front};
  page.raw(p.render());
  HtmlTable t;
  t.header = {"index", "arch_str", "accuracy seen (%)", cost + " (" + unit + ")", "generation"};
  t.column_classes = {"", "arch", "", "", ""};
  for (const auto& f : run.front)
    t.rows.push_back({std::to_string(f.index), f.arch.str(), format_fixed(f.seen_accuracy, 4), format_number(f.cost, 6),
                      std::to_string(f.generation)});
  page.table(t);
}

}  // namespace

std::string render_told_cost_report(const RunData& run, int refresh_seconds) {
  const std::string cost = run.cost_name(), unit = run.cost_unit();
  HtmlPage page(fmt::format("pelnas report: {} with a told {}", run.dataset(), cost));
  page.set_refresh_seconds(refresh_seconds);
  page.heading(1, fmt::format("pelnas study: {} with a told cost, {} ({})", run.dataset(), cost, unit));
  page.paragraph(fmt::format("Run directory {}; pelnas {}. The cost was told by the user: no table knows it, so the "
                             "report shows what the study evaluated, with no true front.",
                             run.dir, json_str(run.config, "pelnas_version")),
                 "note");
  if (!run.finished) page.paragraph("This run has " + run.state_text() + ".", "warn run-state");
  summary_section(page, run);
  page.section("front", "Evaluated architectures and the found front", [&] { told_front(page, run); });
  protocol_section(page, run);
  return page.render();
}

}  // namespace pelnas::report
