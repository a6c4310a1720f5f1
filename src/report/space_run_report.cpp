#include "report/space_run_report.h"

#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/csv.h"
#include "common/error.h"
#include "report/html_writer.h"
#include "report/objectives_plot.h"
#include "run/space_search_run.h"
#include "report/run_data.h"
#include "report/svg_plot.h"

namespace pelnas::report {

namespace fs = std::filesystem;

bool is_space_run_dir(const std::string& dir) {
  const fs::path p = fs::path(dir) / "config.json";
  if (!fs::exists(p)) return false;
  try {
    const auto j = read_json_file(p.string());
    return j.is_object() && j.contains("space") && j["space"].is_string() && j["space"] != "nb201";
  } catch (const Error&) {
    return false;
  }
}

std::string render_space_run_report(const std::string& dir) {
  const fs::path d(dir);
  const auto config = read_json_file((d / "config.json").string());
  const bool finished = fs::exists(d / "summary.json");
  const auto summary = finished ? read_json_file((d / "summary.json").string()) : nlohmann::json::object();
  const std::string space = config.value("space", "");
  const bool score = config.value("accuracy_signal", "") == "score";
  const std::string signal = score ? "score" : "accuracy";
  const std::string signal_label = score ? "training-free score" : "accuracy (external evaluator)";
  const CsvTable archive = CsvTable::read((d / "archive.csv").string());
  const CsvTable front = finished ? CsvTable::read((d / "front.csv").string()) : CsvTable::parse("order\n", "front.csv");
  const auto c_arch = archive.column("arch_str"), c_sig = archive.column(signal), c_cost = archive.column("cost"),
             c_niche = archive.column("niche"), c_order = archive.column("order");
  const std::string cost_name = summary.value("cost", config.value("device", "") + "_" + config.value("metric", ""));
  const std::string unit = summary.value("cost_unit", config.value("metric", "") == "energy" ? "mJ" : "ms");
  // 3+ objectives: the further costs, named by metric in the CSVs ("energy") and by device in the
  // text ("fpga_energy"); their units come from the fixed normalisation written with the config.
  std::vector<std::string> extra_metrics;
  if (config.contains("objectives") && config["objectives"].is_array())
    for (std::size_t k = 2; k < config["objectives"].size(); ++k) extra_metrics.push_back(config["objectives"][k].get<std::string>());
  std::optional<SpaceHvNormalisation> norm;
  if (config.contains("hv_normalisation")) norm = SpaceHvNormalisation::from_json(config["hv_normalisation"], "config.json: hv_normalisation");
  if (!extra_metrics.empty() && (!norm || norm->extra_costs.size() != extra_metrics.size()))
    throw Error(dir + "/config.json: objectives " + config["objectives"].dump() + " but hv_normalisation has no bounds for every cost");
  for (const auto& m : extra_metrics) (void)archive.column(m);  // named error if a column is missing

  HtmlPage page(fmt::format("pelnas run {} ({} space)", d.filename().string(), space));
  page.heading(1, fmt::format("{} search on the {} space ({}), {}", config.value("algorithm", ""), space,
                              summary.value("dataset", config.value("dataset", "")), cost_name));
  page.paragraph(finished ? summary.value("protocol", "")
                          : "The run has not finished: no summary.json yet; shown as of its last archive.csv "
                            "(continue it with `pelnas search --resume " + dir + "`).",
                 finished ? "" : "warn");
  if (score) page.paragraph("The vertical axis is a training-free score (0-100, higher is better), not an accuracy.");

  HtmlTable facts;
  facts.header = {"quantity", "value"};
  facts.rows.push_back({"evaluations", std::to_string(archive.rows())});
  if (finished) {
    facts.rows.push_back({"front size", std::to_string(summary.value("front_size", 0))});
    facts.rows.push_back({"HV (fixed normalisation, no true front)", fmt::format("{:.4f}", summary.value("hv", 0.0))});
    const auto& n = summary["hv_normalisation"];
    facts.rows.push_back({fmt::format("cost range of the space ({})", unit),
                          fmt::format("{:.6g} .. {:.6g}", n.value("cost_min", 0.0), n.value("cost_max", 0.0))});
    if (norm)
      for (const auto& b : norm->extra_costs)
        facts.rows.push_back({fmt::format("{} range of the space ({})", b.name, b.unit), fmt::format("{:.6g} .. {:.6g}", b.min, b.max)});
  }
  facts.rows.push_back({"seed", std::to_string(config.value("seed", 0))});
  page.table(facts);

  SvgPlot plot;
  plot.id = "front";
  plot.title = fmt::format("{} vs {}", signal_label, cost_name);
  plot.x.label = cost_name;
  plot.x.unit = unit;
  plot.y.label = score ? "training-free score" : "accuracy";
  plot.y.unit = score ? "" : "%";
  SvgSeries all;
  all.name = "evaluated";
  all.kind = SeriesKind::Scatter;
  all.radius = 2.5;
  all.opacity = 0.5;
  all.css_class = "evaluated";
  auto point = [](double x, double y, std::string tip) {
    SvgPoint p;
    p.x = x;
    p.y = y;
    p.tooltip = std::move(tip);
    return p;
  };
  for (std::size_t i = 0; i < archive.rows(); ++i)
    all.points.push_back(point(archive.number(i, c_cost), archive.number(i, c_sig),
                               fmt::format("#{} niche {}: {}", archive.integer(i, c_order), archive.integer(i, c_niche),
                                           archive.cell(i, c_arch))));
  plot.series.push_back(all);
  if (front.rows() > 0) {
    SvgSeries f;
    f.name = "found front";
    f.kind = SeriesKind::Line;
    f.markers = true;
    f.css_class = "front";
    const auto fa = front.column("arch_str"), fs_ = front.column(signal), fc = front.column("cost");
    for (std::size_t i = 0; i < front.rows(); ++i)
      f.points.push_back(point(front.number(i, fc), front.number(i, fs_), std::string(front.cell(i, fa))));
    plot.series.push_back(f);
  }
  page.raw(plot.render());

  if (!extra_metrics.empty()) {
    // 3+ objectives: every pairwise projection and parallel coordinates, the evaluated archive as
    // the background (there is no true front), axes scaled by the run's fixed HV normalisation.
    ObjectivePlotInput in;
    in.axes = {{score ? "training-free score" : "accuracy", score ? "" : "%"}, {cost_name, unit}};
    for (const auto& b : norm->extra_costs) in.axes.push_back({b.name, b.unit});
    auto values = [&](const CsvTable& t, std::size_t r) {
      std::vector<double> v{t.number(r, t.column(signal)), t.number(r, t.column("cost"))};
      for (const auto& m : extra_metrics) v.push_back(t.number(r, t.column(m)));
      return v;
    };
    for (std::size_t i = 0; i < archive.rows(); ++i) in.reference.values.push_back(values(archive, i));
    for (std::size_t i = 0; i < front.rows(); ++i) {
      in.found.values.push_back(values(front, i));
      in.found.tooltips.emplace_back(front.cell(i, front.column("arch_str")));
    }
    in.reference_name = in.reference_line_name = "evaluated";
    in.found_name = finished ? "found front" : "current front";
    in.best = {-norm->signal_max, norm->cost_min};
    in.worst = {-norm->signal_min, norm->cost_max};
    for (const auto& b : norm->extra_costs) {
      in.best.push_back(b.min);
      in.worst.push_back(b.max);
    }
    in.parallel_title = "Parallel coordinates (0 = best, 1 = worst in the fixed HV normalisation; lower is better)";
    in.parallel_axis_0 = score ? "100 - score" : "100 - accuracy";
    page.paragraph(fmt::format("This run has {} objectives ({}). Its front and every evaluated architecture are shown as "
                               "pairwise projections, then in parallel coordinates. A point that looks dominated in one "
                               "projection can be on the front through another objective.",
                               in.axes.size(), config["objectives"].dump()),
                   "note");
    objective_plots(page, in);
  }

  if (fs::exists(d / "metrics.csv")) {
    const CsvTable m = CsvTable::read((d / "metrics.csv").string());
    SvgPlot hv;
    hv.id = "hv";
    hv.title = "HV per generation (fixed normalisation; no true front, so no HV ratio)";
    hv.x.label = "evaluations";
    hv.y.label = "HV";
    SvgSeries s;
    s.kind = SeriesKind::Line;
    s.markers = true;
    for (std::size_t i = 0; i < m.rows(); ++i)
      s.points.push_back(point(m.number(i, m.column("evaluations")), m.number(i, m.column("hv")), ""));
    hv.series.push_back(s);
    page.raw(hv.render());
  }

  page.heading(2, "Front architectures");
  HtmlTable t;
  t.css_class = "found";
  t.header = {"#", "architecture", "niche", signal_label, fmt::format("{} ({})", cost_name, unit)};
  t.column_classes = {"", "arch", "", "", ""};
  for (std::size_t k = 0; k < extra_metrics.size(); ++k) {
    t.header.push_back(fmt::format("{} ({})", norm->extra_costs[k].name, norm->extra_costs[k].unit));
    t.column_classes.push_back("");
  }
  if (front.rows() > 0) {
    const auto fa = front.column("arch_str"), fs_ = front.column(signal), fc = front.column("cost"), fn = front.column("niche");
    for (std::size_t i = 0; i < front.rows(); ++i)
    {
      t.rows.push_back({std::to_string(i + 1), std::string(front.cell(i, fa)), std::to_string(front.integer(i, fn)),
                        fmt::format("{:.4f}", front.number(i, fs_)), fmt::format("{:.6g}", front.number(i, fc))});
      for (const auto& m : extra_metrics) t.rows.back().push_back(fmt::format("{:.6g}", front.number(i, front.column(m))));
    }
  }
  page.table(t);
  return page.render();
}

}  // namespace pelnas::report
