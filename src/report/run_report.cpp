#include "report/run_report.h"
#include "report/objectives_plot.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "hardware/cost_source.h"
#include "hardware/searchable_space.h"
#include "metrics/true_front.h"
#include "report/accuracy_scatter.h"
#include "report/front_plot.h"
#include "report/html_writer.h"
#include "report/knowledge_history.h"
#include "report/run_summary_sections.h"
#include "report/svg_plot.h"
#include "report/told_cost_report.h"
#include "report/xml.h"
#include "search/niche_map.h"
#include "search/partition.h"
#include "study/tell_bridge.h"

namespace pelnas::report {

namespace {

std::string niche_label(const nlohmann::json& partition, int k) {
  if (partition.is_object() && partition.contains("niches") && k >= 0 && k < static_cast<int>(partition["niches"].size()))
    return fmt::format("niche {} ({})", k, json_str(partition["niches"][k], "name"));
  return fmt::format("niche {}", k);
}

std::string short_niche_label(const nlohmann::json& partition, int k) {
  if (partition.is_object() && partition.contains("niches") && k >= 0 && k < static_cast<int>(partition["niches"].size()))
    return fmt::format("{} {}", k, json_str(partition["niches"][k], "name"));
  return std::to_string(k);
}

void front_plot(HtmlPage& page, const RunData& run, const BenchmarkData& data, Dataset dataset, const CostSource& cost,
                const nlohmann::json& partition) {
  const TrueFront tf = compute_true_front(data, dataset, cost);
  FrontPlotSpec spec;
  spec.id = "plot-front";
  spec.title = fmt::format("Accuracy vs {} on {} ({})", cost.name(), run.device(), to_string(dataset));
  spec.data = &data;
  spec.dataset = dataset;
  spec.cost = &cost;
  spec.truth = &tf;
  SvgSeries evaluated;
  evaluated.kind = SeriesKind::Dots;
  evaluated.name = "evaluated by the run";
  evaluated.colour = "#555555";
  evaluated.opacity = 0.6;
  evaluated.radius = 1.8;
  evaluated.css_class = "evaluated";
  for (const auto& e : run.archive)
    if (std::isfinite(e.true_accuracy)) evaluated.points.push_back({e.cost, e.true_accuracy, "", {}});
  spec.layers.push_back(evaluated);
  std::set<int> niches;
  for (const auto& f : run.front) niches.insert(f.niche);
  for (int k : niches) {
    SvgSeries s;
    s.kind = SeriesKind::Scatter;
    s.hollow = true;
    s.name = "found: " + niche_label(partition, k);
    s.colour = palette_colour(static_cast<std::size_t>(std::max(k, 0)));
    s.radius = 5;
    s.stroke_width = 2;
    s.css_class = "found-front";
    for (const auto& f : run.front) {
      if (f.niche != k) continue;
      s.points.push_back({f.cost, f.true_accuracy,
                          fmt::format("{}\nNB201 index {}, niche {}\ntrue accuracy {:.4f} % (seen {:.4f} %)\n{} {:.6g} {}", f.arch.str(),
                                      f.index, f.niche, f.true_accuracy, f.seen_accuracy, cost.name(), f.cost, cost.unit()),
                          {{"data-index", std::to_string(f.index)},
                           {"data-acc", format_number(f.true_accuracy, 17)},
                           {"data-cost", format_number(f.cost, 17)},
                           {"data-niche", std::to_string(f.niche)}}});
      spec.found.push_back({f.cost, f.true_accuracy, f.index});
    }
    spec.layers.push_back(s);
  }
  const FrontPlot fp = make_front_plot(spec);
  page.raw(fp.plot.render());
  page.paragraph(fmt::format("Grey: the {} architectures with a {} value (true 200-epoch test accuracy); black: the exact true "
                             "front ({} points), drawn on top; rings: the run's {} front ({} points), re-scored with true "
                             "accuracy, by niche. Hover a point for its architecture. {}",
                             fp.plot.series[0].points.size(), cost.name(), tf.entries.size(), run.finished ? "final" : "current",
                             run.front.size(), fp.note),
                 "note");
}

void found_table(HtmlPage& page, const RunData& run, const CostSource& cost, const nlohmann::json& partition) {
  std::vector<RunPoint> rows = run.front;
  std::stable_sort(rows.begin(), rows.end(), [](const RunPoint& a, const RunPoint& b) { return a.cost < b.cost; });
  HtmlTable t;
  t.css_class = "found";
  t.header = {"#", "index", "architecture", "niche", "seen acc. (%)", "true acc. (%)", fmt::format("{} ({})", cost.name(), cost.unit())};
  t.column_classes = {"", "", "arch", "", "", "", ""};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& f = rows[i];
    t.rows.push_back({std::to_string(i + 1), std::to_string(f.index), f.arch.str(), short_niche_label(partition, f.niche),
                      format_fixed(f.seen_accuracy, 2), std::isfinite(f.true_accuracy) ? format_fixed(f.true_accuracy, 2) : "",
                      format_number(f.cost, 6)});
    t.row_attrs.push_back({{"data-found-index", std::to_string(f.index)}});
  }
  page.table(t);
  page.paragraph(fmt::format("The run's {} front, by {} ascending: # is the position, index the NB201 index. The search chose "
                             "it by the accuracy it saw (seen acc.: {}); true acc. is the 200-epoch test accuracy.",
                             run.finished ? "final" : "current", cost.name(), run.accuracy_source()),
                 "note");
}

void hv_plots(HtmlPage& page, const RunData& run) {
  if (run.metrics.empty()) {
    page.paragraph("The run recorded no per-generation metrics (metrics.csv missing).", "warn");
    return;
  }
  auto curve = [&](bool by_calls) {
    SvgPlot p;
    p.id = by_calls ? "plot-hv-calls" : "plot-hv";
    p.title = by_calls ? "HV ratio vs LLM calls" : "HV ratio vs evaluated architectures";
    p.x = by_calls ? SvgAxis{"LLM calls", ""} : SvgAxis{"evaluated architectures", ""};
    p.y = {"HV ratio", ""};
    p.y.max = 1.0;
    p.x.min = 0.0;
    SvgSeries s;
    s.kind = SeriesKind::Line;
    s.markers = true;
    s.name = run.operator_name() + ", seed " + (run.has_seed() ? std::to_string(run.seed()) : "?");
    s.css_class = "hv-curve";
    for (const auto& m : run.metrics)
      s.points.push_back({by_calls ? m.llm_calls : static_cast<double>(m.evaluations), m.hv_ratio,
                          fmt::format("generation {}: {} evaluations, HV ratio {:.4f}, IGD {:.4f}", m.generation, m.evaluations,
                                      m.hv_ratio, m.igd),
                          {{"data-generation", std::to_string(m.generation)},
                           {"data-evaluations", std::to_string(m.evaluations)},
                           {"data-hv", format_number(m.hv_ratio, 17)}}});
    p.series.push_back(s);
    page.raw(p.render());
  };
  curve(false);
  // Runs without a model record llm_calls = 0: only a model's runs get the HV-against-calls curve.
  const bool has_calls = std::any_of(run.metrics.begin(), run.metrics.end(),
                                     [](const RunMetricRow& m) { return std::isfinite(m.llm_calls) && m.llm_calls > 0; });
  if (has_calls) curve(true);
  else if (run.operator_name() == "llm")
    page.paragraph("This run's metrics.csv has no llm_calls column, so HV against LLM calls cannot be drawn.", "warn");
}

void niche_section(HtmlPage& page, const RunData& run, std::shared_ptr<const BenchmarkData> data, Dataset dataset,
                   const CostSource& cost, const nlohmann::json& partition_json) {
  Partition partition = partition_json.is_object() ? Partition::from_json(partition_json) : Partition::whole_space();
  PartitionContext ctx{data, dataset, &cost};
  const NicheMap map(partition, ctx);
  HtmlTable t;
  t.css_class = "niches";
  t.header = {"niche", "name", "constraint", "size", "evaluations", "front points", "best true accuracy (%)",
              fmt::format("lowest {} ({})", cost.name(), cost.unit())};
  for (int k = 0; k < partition.size(); ++k) {
    int evals = 0, front = 0;
    double best = -INFINITY, lowest = INFINITY;
    for (const auto& e : run.archive)
      if (e.niche == k) {
        ++evals;
        if (std::isfinite(e.true_accuracy)) best = std::max(best, e.true_accuracy);
        lowest = std::min(lowest, e.cost);
      }
    for (const auto& f : run.front) front += f.niche == k;
    const auto& d = map.niches()[k];
    t.rows.push_back({std::to_string(k), d.name, d.constraint, std::to_string(map.coverage().sizes[k]), std::to_string(evals),
                      std::to_string(front), evals ? format_fixed(best, 2) : "", evals ? format_number(lowest, 6) : ""});
    t.row_attrs.push_back({{"data-niche", std::to_string(k)}});
  }
  page.table(t);
  page.paragraph("size: architectures of the niche that have a cost value; evaluations: architectures the run evaluated in "
                 "it; front points: its contribution to the final front.",
                 "note");
}

}  // namespace

std::string render_run_report(const RunData& run_in, std::shared_ptr<const BenchmarkData> data, int refresh_seconds) {
  RunData run = run_in;
  if (run.device() == kToldSignal) return render_told_cost_report(run, refresh_seconds);
  run.fill_true_accuracy(*data);
  const Dataset dataset = dataset_from_string(run.dataset());
  const std::string metric = json_str(run.config, "metric").empty() ? "latency" : json_str(run.config, "metric");
  // The run's searchable space (runs before the degenerate-cell exclusion have no key: they kept them).
  const auto cost = make_searchable_cost(data, dataset, CostSpec{run.device(), hw_metric_from_string(metric)},
                                         SpaceOptions{run.config.value("include_degenerate", true)});
  nlohmann::json partition;
  if (run.config.contains("search") && run.config["search"].contains("partition_table") && !run.config["search"].value("no_partition", false))
    partition = run.config["search"]["partition_table"];

  HtmlPage page(fmt::format("pelnas report: {} on {} ({})", to_string(dataset), run.device(), cost->name()));
  page.set_refresh_seconds(refresh_seconds);
  page.heading(1, fmt::format("pelnas run: {} on {} — {} ({})", to_string(dataset), run.device(), cost->name(), cost->unit()));
  page.paragraph(fmt::format("Run directory {}; pelnas {}.", run.dir, json_str(run.config, "pelnas_version")), "note");
  if (!run.finished) page.paragraph("This run has " + run.state_text() + ".", "warn run-state");
  summary_section(page, run);
  page.section("front", "Found front against the space and the true front",
               [&] { front_plot(page, run, *data, dataset, *cost, partition); });
  if (const auto extras = run.extra_metrics(); !extras.empty()) {
    std::vector<std::shared_ptr<CostSource>> owned;
    std::vector<const CostSource*> costs{cost.get()};
    for (const auto& m : extras) {
      owned.push_back(make_searchable_cost(data, dataset, CostSpec{run.device(), hw_metric_from_string(m)},
                                           SpaceOptions{run.config.value("include_degenerate", true)}));
      costs.push_back(owned.back().get());
    }
    const TrueFront truth = compute_true_front(*data, dataset, *cost, std::vector<const CostSource*>(costs.begin() + 1, costs.end()));
    page.section("objectives", fmt::format("All {} objectives", costs.size() + 1),
                 [&] { objectives_section(page, run, costs, truth); });
  }
  page.section("seen-true", "", [&] { accuracy_scatter_section(page, run); });
  page.section("found", "Found architectures", [&] { found_table(page, run, *cost, partition); });
  page.section("progress", "Hypervolume over the run", [&] { hv_plots(page, run); });
  page.section("niches", "Niches", [&] { niche_section(page, run, data, dataset, *cost, partition); });
  knowledge_section(page, run);
  stats_section(page, run);
  protocol_section(page, run);
  return page.render();
}

}  // namespace pelnas::report
