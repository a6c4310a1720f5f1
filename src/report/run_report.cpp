#include "report/run_report.h"
#include "report/objectives_plot.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <set>

#include "common/error.h"
#include "hardware/cost_source.h"
#include "hardware/searchable_space.h"
#include "metrics/true_front.h"
#include "report/accuracy_scatter.h"
#include "report/front_plot.h"
#include "report/html_writer.h"
#include "report/svg_plot.h"
#include "report/xml.h"
#include "search/partition.h"
#include "study/tell_bridge.h"

namespace pelnas::report {

namespace {

std::string num(const nlohmann::json& j, const char* key, int decimals) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return "";
  return format_fixed(j[key].get<double>(), decimals);
}

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

void summary_section(HtmlPage& page, const RunData& run) {
  const auto& s = run.summary;
  HtmlTable t;
  t.header = {"quantity", "value"};
  auto row = [&](const std::string& k, const std::string& v, const std::string& id) {
    t.rows.push_back({k, v});
    t.row_attrs.push_back({{"id", id}});
  };
  if (s.is_object() && s.value("hv_scoring", "") == "reference_point") {
    // A told cost: no true front, so no ratio or distance to it; the HV and its reference point.
    const std::string none = "not defined: no true front (the cost was told by the user)";
    row("HV ratio (true accuracy)", none, "summary-hv-ratio");
    row("IGD", none, "summary-igd");
    row("IGD+", none, "summary-igd-plus");
    std::string ref;
    if (s.contains("hv_reference_point") && s["hv_reference_point"].is_object())
      for (const auto& [k, v] : s["hv_reference_point"].items())
        if (v.is_number()) ref += (ref.empty() ? "" : ", ") + k + " " + format_number(v.get<double>(), 6);
    row("HV against the reference point (" + json_str(s, "hv_units") + ")", num(s, "hv", 4), "summary-hv");
    row("HV reference point",
        ref + (json_str(s, "hv_reference_source") == "user" ? " (given by the user)" : " (derived from the run's archive)"),
        "summary-hv-reference");
  } else {
    row("HV ratio (true accuracy)", num(s, "hv_ratio", 4), "summary-hv-ratio");
    row("IGD", num(s, "igd", 4), "summary-igd");
    row("IGD+", num(s, "igd_plus", 4), "summary-igd-plus");
  }
  row("evaluated architectures", json_str(s, "evaluations"), "summary-evaluations");
  row("budget", json_str(s, "budget"), "summary-budget");
  row("front size", json_str(s, "front_size"), "summary-front-size");
  row("state", run.state_text(), "summary-state");
  row("generations completed", json_str(s, "generations_completed"), "summary-generations");
  std::string op = run.operator_name();
  if (s.value("operator_defaulted", false)) op += " (no LLM model configured: the without-LLM variant)";
  row("operator", op, "summary-operator");
  row("accuracy seen by the search", run.accuracy_source(), "summary-accuracy");
  row("partition", json_str(s, "partition") + " (" + json_str(s, "niches") + " niches)", "summary-partition");
  row("seed", run.has_seed() ? std::to_string(run.seed()) : "", "summary-seed");
  row("wall time (s)", num(s, "wall_seconds", 2), "summary-wall");
  page.table(t);
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

std::set<std::string> rule_keys(const nlohmann::json& kb, const char* which) {
  std::set<std::string> s;
  if (kb.is_object() && kb.contains(which))
    for (const auto& r : kb[which]) s.insert(rule_identity(json_str(r, "text")));
  return s;
}

// Rule identity -> generations in which a niche's knowledge base held it, over every snapshot.
std::map<std::string, std::vector<int>> rule_history(const RunData& run, int niche, const char* which) {
  std::map<std::string, std::vector<int>> h;
  for (const auto& [gen, snap] : run.knowledge) {
    if (!snap.contains("niches")) continue;
    for (const auto& n : snap["niches"])
      if (n.value("niche", -2) == niche && n.contains("knowledge"))
        for (const auto& r : rule_keys(n["knowledge"], which)) h[r].push_back(gen);
  }
  return h;
}

void knowledge_section(HtmlPage& page, const RunData& run) {
  if (run.knowledge.empty()) {
    page.paragraph("The run recorded no knowledge bases (knowledge/ missing).", "warn");
    return;
  }
  const auto& [last_gen, last] = *run.knowledge.rbegin();
  const int prev_gen = run.knowledge.size() > 1 ? std::prev(run.knowledge.end(), 2)->first : -1;
  page.paragraph(fmt::format("Each niche's rules at generation {} (the last), listed once. Each rule says since when it has been in "
                             "the knowledge base; rules new in generation {} are marked new; rules the niche held earlier and "
                             "dropped are listed struck through with the generations they were held.",
                             last_gen, last_gen),
                 "note");
  if (!last.contains("niches")) return;
  for (const auto& n : last["niches"]) {
    const int k = n.value("niche", -1);
    page.heading(3, fmt::format("niche {} ({}): {}", k, json_str(n, "name"), json_str(n, "constraint")));
    const auto& kb = n.contains("knowledge") ? n["knowledge"] : nlohmann::json::object();
    for (const char* which : {"positive", "negative"}) {
      const auto history = rule_history(run, k, which);
      const auto now = rule_keys(kb, which);
      std::vector<HtmlPage::ListItem> items;
      int fresh = 0, dropped = 0;
      if (kb.contains(which))
        for (const auto& r : kb[which]) {
          const std::string text = json_str(r, "text");
          const auto it = history.find(rule_identity(text));
          const int since = it == history.end() ? last_gen : it->second.front();
          if (since == last_gen && prev_gen >= 0) {
            ++fresh;
            items.push_back({text, "added", fmt::format("new in generation {}", last_gen)});
          } else {
            items.push_back({text, "", fmt::format("since generation {}", since)});
          }
        }
      for (const auto& [rule, gens] : history)
        if (!now.count(rule)) {
          ++dropped;
          items.push_back({rule, "removed",
                           gens.size() == 1 ? fmt::format("held in generation {}", gens.front())
                                            : fmt::format("held in generations {}-{}", gens.front(), gens.back())});
        }
      page.paragraph(fmt::format("{} rules: {} at generation {} ({} new in it); {} dropped earlier.",
                                 which == std::string("positive") ? "Positive (do)" : "Negative (avoid)",
                                 kb.contains(which) ? kb[which].size() : 0, last_gen, fresh, dropped));
      if (!items.empty()) page.marked_list(items, "rules");
    }
  }
}

void stats_section(HtmlPage& page, const RunData& run) {
  const auto& st = run.stats;
  HtmlTable t;
  t.css_class = "stats";
  t.header = {"statistic", "value"};
  auto add = [&](const std::string& k, const nlohmann::json& v) {
    t.rows.push_back({k, v.is_number_float() ? format_number(v.get<double>(), 6) : (v.is_string() ? v.get<std::string>() : v.dump())});
    t.row_attrs.push_back({{"data-stat", k}});
  };
  if (st.contains("operator")) add("operator", st["operator"]);
  if (st.contains("llm") && st["llm"].is_object())
    for (auto& [k, v] : st["llm"].items()) add("llm." + k, v);
  if (st.contains("operator_stats") && st["operator_stats"].is_object()) {
    const auto& os = st["operator_stats"];
    if (os.contains("prompt_tokens")) add("prompt tokens", os["prompt_tokens"]);
    if (os.contains("completion_tokens")) add("completion tokens", os["completion_tokens"]);
    if (os.contains("counters"))
      for (auto& [k, v] : os["counters"].items()) add("operator." + k, v);
  }
  if (st.contains("search") && st["search"].is_object())
    for (auto& [k, v] : st["search"].items()) add("search." + k, v);
  if (st.contains("evaluator") && st["evaluator"].is_object())
    for (auto& [k, v] : st["evaluator"].items()) add("evaluator." + k, v);
  if (st.contains("wall_seconds")) add("wall time (s)", st["wall_seconds"]);
  if (t.rows.empty()) {
    page.paragraph("The run recorded no statistics (stats.json missing).", "warn");
    return;
  }
  page.table(t);
  page.paragraph("Rejected proposals are the counters named rejected:<reason>; retries and calls are counted by the operator; "
                 "tokens as reported by the model server.",
                 "note");
}

}  // namespace

std::string rule_identity(const std::string& text) {
  const auto p = text.find(" (");
  return p == std::string::npos ? text : text.substr(0, p);
}

namespace {

// A study whose cost was told: no table has the cost, so there is no space to draw, no true front
// and no HV curve: the summary (HV against its reference point), the evaluated architectures and
// the front in (told cost, accuracy seen), the front's table, the protocol.
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
  page.open_section("summary", "summary");
  page.heading(2, "Summary");
  summary_section(page, run);
  page.close_section();
  page.open_section("front", "front");
  page.heading(2, "Evaluated architectures and the found front");
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
  page.close_section();
  page.open_section("protocol", "protocol");
  page.heading(2, "Evaluation protocol");
  const std::string protocol = json_str(run.summary, "protocol");
  page.paragraph(protocol.empty() ? "The run's summary does not state its evaluation protocol." : protocol,
                 protocol.empty() ? "warn" : "");
  page.close_section();
  return page.render();
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
  page.open_section("summary", "summary");
  page.heading(2, "Summary");
  summary_section(page, run);
  page.close_section();
  page.open_section("front", "front");
  page.heading(2, "Found front against the space and the true front");
  front_plot(page, run, *data, dataset, *cost, partition);
  page.close_section();
  if (const auto extras = run.extra_metrics(); !extras.empty()) {
    std::vector<std::shared_ptr<CostSource>> owned;
    std::vector<const CostSource*> costs{cost.get()};
    for (const auto& m : extras) {
      owned.push_back(make_searchable_cost(data, dataset, CostSpec{run.device(), hw_metric_from_string(m)},
                                           SpaceOptions{run.config.value("include_degenerate", true)}));
      costs.push_back(owned.back().get());
    }
    const TrueFront truth = compute_true_front(*data, dataset, *cost, std::vector<const CostSource*>(costs.begin() + 1, costs.end()));
    page.open_section("objectives", "objectives");
    page.heading(2, fmt::format("All {} objectives", costs.size() + 1));
    objectives_section(page, run, costs, truth);
    page.close_section();
  }
  page.open_section("seen-true", "seen-true");
  accuracy_scatter_section(page, run);
  page.close_section();
  page.open_section("found", "found");
  page.heading(2, "Found architectures");
  found_table(page, run, *cost, partition);
  page.close_section();
  page.open_section("progress", "progress");
  page.heading(2, "Hypervolume over the run");
  hv_plots(page, run);
  page.close_section();
  page.open_section("niches", "niches");
  page.heading(2, "Niches");
  niche_section(page, run, data, dataset, *cost, partition);
  page.close_section();
  page.open_section("knowledge", "knowledge");
  page.heading(2, "Knowledge bases");
  knowledge_section(page, run);
  page.close_section();
  page.open_section("stats", "stats");
  page.heading(2, "Operator and LLM statistics, wall time");
  stats_section(page, run);
  page.close_section();
  page.open_section("protocol", "protocol");
  page.heading(2, "Evaluation protocol");
  const std::string protocol = json_str(run.summary, "protocol");
  page.paragraph(protocol.empty() ? "The run's summary does not state its evaluation protocol." : protocol,
                 protocol.empty() ? "warn" : "");
  page.close_section();
  return page.render();
}

}  // namespace pelnas::report
