#include "report/compare_report.h"


#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <tuple>

#include "common/error.h"
#include "hardware/cost_source.h"
#include "hardware/searchable_space.h"
#include "metrics/true_front.h"
#include "report/front_plot.h"
#include "report/html_writer.h"
#include "report/svg_plot.h"
#include "report/xml.h"

namespace pelnas::report {

namespace {

std::string metric_of(const RunData& r) {
  const std::string m = json_str(r.config, "metric");
  return m.empty() ? "latency" : m;
}

std::string num_or_blank(const nlohmann::json& j, const char* key, int decimals) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return "";
  return format_fixed(j[key].get<double>(), decimals);
}

void runs_table(HtmlPage& page, const std::vector<RunData>& runs, const std::vector<std::string>& names) {
  HtmlTable t;
  t.css_class = "runs";
  t.header = {"run", "dataset", "device", "operator", "accuracy seen", "seed", "state", "evaluations", "HV ratio", "IGD",
              "IGD+", "wall time (s)"};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const RunData& r = runs[i];
    std::string wall = num_or_blank(r.summary, "wall_seconds", 2);
    t.rows.push_back({names[i], r.dataset(), r.device(), r.operator_name(), r.accuracy_source(),
                      r.has_seed() ? std::to_string(r.seed()) : "", r.finished ? "finished" : std::string(to_string(r.state)),
                      std::to_string(r.archive.size()), num_or_blank(r.summary, "hv_ratio", 4), num_or_blank(r.summary, "igd", 4),
                      num_or_blank(r.summary, "igd_plus", 4), wall});
    t.row_attrs.push_back({{"data-run", names[i]}});
  }
  page.table(t);
  page.paragraph("HV ratio, IGD and IGD+ re-score each run's front with true test accuracy (protocol below). Unfinished runs "
                 "are shown as of their last checkpoint: evaluations so far, the metrics of that generation, no wall time.",
                 "note");
}

void hv_curves(HtmlPage& page, const std::vector<RunData>& runs, const std::vector<std::string>& names, bool by_calls) {
  SvgPlot p;
  p.id = by_calls ? "plot-cmp-hv-calls" : "plot-cmp-hv";
  p.title = by_calls ? "HV ratio vs LLM calls" : "HV ratio vs evaluated architectures";
  p.x = by_calls ? SvgAxis{"LLM calls", ""} : SvgAxis{"evaluated architectures", ""};
  p.x.min = 0.0;
  p.y = {"HV ratio", ""};
  p.y.max = 1.0;
  p.width = 900;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const RunData& r = runs[i];
    const bool has_calls = std::any_of(r.metrics.begin(), r.metrics.end(),
                                       [](const RunMetricRow& m) { return std::isfinite(m.llm_calls) && m.llm_calls > 0; });
    if (by_calls && !has_calls) continue;
    SvgSeries s;
    s.kind = SeriesKind::Line;
    s.markers = true;
    s.radius = 2.5;
    s.name = names[i];
    s.colour = palette_colour(i);
    s.dash = palette_dash(i);
    s.css_class = "hv-curve";
    for (const auto& m : r.metrics) {
      const double x = by_calls ? m.llm_calls : static_cast<double>(m.evaluations);
      std::map<std::string, std::string> attrs = {{"data-run", names[i]},
                                                  {"data-evaluations", std::to_string(m.evaluations)},
                                                  {"data-hv", format_number(m.hv_ratio, 17)}};
      if (by_calls) attrs["data-calls"] = format_number(m.llm_calls, 17);
      s.points.push_back({x, m.hv_ratio,
                          fmt::format("{}: generation {}, {} evaluations{}, HV ratio {:.4f}", names[i], m.generation, m.evaluations,
                                      by_calls ? fmt::format(", {} LLM calls", m.llm_calls) : "", m.hv_ratio),
                          attrs});
    }
    p.series.push_back(s);
  }
  if (p.series.empty()) return;
  page.raw(p.render());
}

}  // namespace

std::vector<std::string> run_names(const std::vector<RunData>& runs) {
  std::vector<std::string> names;
  std::map<std::string, int> count;
  auto base = [](const std::string& dir) {
    std::filesystem::path p(dir);
    if (p.filename().empty()) p = p.parent_path();  // "runs/a/"
    return p.filename().string();
  };
  for (const auto& r : runs) ++count[base(r.dir)];
  for (const auto& r : runs) names.push_back(count[base(r.dir)] > 1 ? r.dir : base(r.dir));
  return names;
}

std::string render_compare_report(const std::vector<RunData>& runs_in, std::shared_ptr<const BenchmarkData> data) {
  if (runs_in.empty()) throw Error("report: no runs to compare");
  std::vector<RunData> runs = runs_in;
  for (auto& r : runs) r.fill_true_accuracy(*data);
  const auto names = run_names(runs);

  HtmlPage page(fmt::format("pelnas: {} runs compared", runs.size()));
  page.heading(1, fmt::format("pelnas: {} runs compared", runs.size()));
  int unfinished = 0;
  for (const auto& r : runs) unfinished += !r.finished;
  if (unfinished > 0)
    page.paragraph(fmt::format("{} of the {} runs have not finished; they are shown as far as they got.", unfinished, runs.size()),
                   "warn run-state");
  page.open_section("runs", "runs");
  page.heading(2, "Runs");
  runs_table(page, runs, names);
  page.close_section();

  // Fronts, one chart per setting and cost objective: accuracy against the first cost, and for runs
  // with more objectives one more chart per extra cost (labelled with its objective), each with the
  // exact true front of accuracy against that cost.
  using Setting = std::tuple<std::string, std::string, std::string, std::vector<std::string>>;
  std::map<Setting, std::vector<std::size_t>> settings;
  for (std::size_t i = 0; i < runs.size(); ++i)
    settings[{runs[i].dataset(), runs[i].device(), metric_of(runs[i]), runs[i].extra_metrics()}].push_back(i);
  page.open_section("fronts", "fronts");
  page.heading(2, "Fronts");
  int plot_no = 0;
  for (const auto& [setting, members] : settings) {
    const auto& [dataset_name, device, first_metric, extra_metrics] = setting;
    const Dataset dataset = dataset_from_string(dataset_name);
    std::vector<std::string> metrics{first_metric};
    metrics.insert(metrics.end(), extra_metrics.begin(), extra_metrics.end());
    for (std::size_t k = 0; k < metrics.size(); ++k) {
      // The first run's searchable space (runs before 2026-11-30 have no key: they kept degenerate cells).
      const auto cost = make_searchable_cost(data, dataset, CostSpec{device, hw_metric_from_string(metrics[k])},
                                             SpaceOptions{runs[members.front()].config.value("include_degenerate", true)});
      const TrueFront tf = compute_true_front(*data, dataset, *cost);
      FrontPlotSpec spec;
      spec.id = k == 0 ? fmt::format("plot-cmp-front-{}", plot_no) : fmt::format("plot-cmp-front-{}-{}", plot_no, metrics[k]);
      spec.title = metrics.size() == 1
                       ? fmt::format("Fronts on {} ({}), {} run(s)", cost->name(), dataset_name, members.size())
                       : fmt::format("Fronts: accuracy vs {} ({} of {} cost objectives) on {} ({}), {} run(s)", metrics[k], k + 1,
                                     metrics.size(), cost->name(), dataset_name, members.size());
      spec.data = data.get();
      spec.dataset = dataset;
      spec.cost = cost.get();
      spec.truth = &tf;
      for (std::size_t i : members) {
        SvgSeries s;
        s.kind = SeriesKind::Scatter;
        s.hollow = true;
        s.name = names[i];
        s.colour = palette_colour(i);
        s.radius = 5;
        s.stroke_width = 2;
        s.css_class = "run-front";
        for (const auto& f : runs[i].front) {
          const double x = k == 0 ? f.cost : k - 1 < f.extra_costs.size() ? f.extra_costs[k - 1] : NAN;
          if (!std::isfinite(x)) continue;
          s.points.push_back({x, f.true_accuracy,
                              fmt::format("{}\n{}\nNB201 index {}, niche {}\ntrue accuracy {:.4f} % (seen {:.4f} %)\n{} {:.6g} {}",
                                          names[i], f.arch.str(), f.index, f.niche, f.true_accuracy, f.seen_accuracy,
                                          cost->name(), x, cost->unit()),
                              {{"data-run", names[i]},
                               {"data-index", std::to_string(f.index)},
                               {"data-acc", format_number(f.true_accuracy, 17)},
                               {"data-cost", format_number(x, 17)}}});
          spec.found.push_back({x, f.true_accuracy, f.index});
        }
        spec.layers.push_back(s);
      }
      const FrontPlot fp = make_front_plot(spec);
      page.heading(3, metrics.size() == 1 ? fmt::format("{} / {}", dataset_name, cost->name())
                                          : fmt::format("{} / {}: accuracy vs {}", dataset_name, cost->name(), metrics[k]));
      page.raw(fp.plot.render());
      page.paragraph(
          std::string("Rings: each run's front re-scored with true test accuracy, one colour per run; black: the exact true "
                      "front ") +
              (metrics.size() == 1 ? "" : "of accuracy against " + metrics[k] + " alone (the runs' fronts are non-dominated in all " +
                                              std::to_string(metrics.size() + 1) + " objectives, so some rings lie below it) ") +
              "(drawn on top). " + fp.note,
          "note");
    }
    ++plot_no;
  }
  page.close_section();

  page.open_section("progress", "progress");
  page.heading(2, "Hypervolume over the runs");
  hv_curves(page, runs, names, false);
  const bool any_calls = std::any_of(runs.begin(), runs.end(), [](const RunData& r) {
    return std::any_of(r.metrics.begin(), r.metrics.end(), [](const RunMetricRow& m) { return std::isfinite(m.llm_calls) && m.llm_calls > 0; });
  });
  if (any_calls) hv_curves(page, runs, names, true);
  else page.paragraph("No run called a model, so there is no HV-against-LLM-calls chart.", "note");
  page.close_section();

  page.open_section("protocol", "protocol");
  page.heading(2, "Evaluation protocol");
  std::vector<std::string> items;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::string p = json_str(runs[i].summary, "protocol");
    items.push_back(names[i] + ": " + (p.empty() ? "(not stated: the run has not finished)" : p));
  }
  page.list(items, "protocols");
  page.close_section();
  return page.render();
}

}  // namespace pelnas::report
