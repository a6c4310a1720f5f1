#include "report/run_summary_sections.h"

#include <nlohmann/json.hpp>

#include "report/xml.h"

namespace pelnas::report {

namespace {

std::string num(const nlohmann::json& j, const char* key, int decimals) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return "";
  return format_fixed(j[key].get<double>(), decimals);
}

void summary_table(HtmlPage& page, const RunData& run) {
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

void stats_table(HtmlPage& page, const RunData& run) {
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

void summary_section(HtmlPage& page, const RunData& run) {
  page.section("summary", "Summary", [&] { summary_table(page, run); });
}

void stats_section(HtmlPage& page, const RunData& run) {
  page.section("stats", "Operator and LLM statistics, wall time", [&] { stats_table(page, run); });
}

void protocol_section(HtmlPage& page, const RunData& run) {
  page.section("protocol", "Evaluation protocol", [&] {
    const std::string protocol = json_str(run.summary, "protocol");
    page.paragraph(protocol.empty() ? "The run's summary does not state its evaluation protocol." : protocol,
                   protocol.empty() ? "warn" : "");
  });
}

}  // namespace pelnas::report
