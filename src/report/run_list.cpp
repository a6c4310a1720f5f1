#include "report/run_list.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>

#include "common/csv.h"
#include "common/error.h"
#include "common/text_table.h"
#include "report/run_data.h"
#include "run/run_progress.h"

namespace pelnas::report {

namespace fs = std::filesystem;

namespace {

RunListing listing_of(const fs::path& d, const fs::path& root) {
  RunListing r;
  r.path = d.string();
  r.name = d == root ? "." : fs::relative(d, root).string();
  try {
    const nlohmann::json config = read_json_file((d / "config.json").string());
    const RunStatus state = run_status(d.string());
    r.state = std::string(to_string(state));
    nlohmann::json summary = nlohmann::json::object();
    if (state == RunStatus::Finished) summary = read_json_file((d / "summary.json").string());
    else {
      const auto started = run_started_event(d.string());  // accuracy_signal; "accuracy" before 2026-11-30
      summary["accuracy_signal"] = json_str(started, "accuracy_signal").empty() ? json_str(started, "accuracy")
                                                                                 : json_str(started, "accuracy_signal");
    }
    auto pick = [&](const char* key, const char* config_key) {
      const std::string s = json_str(summary, key);
      return s.empty() ? json_str(config, config_key) : s;
    };
    r.dataset = pick("dataset", "dataset");
    r.device = pick("device", "device");
    r.accuracy = json_str(summary, "accuracy_source");  // finished runs before 2026-11-30
    if (!json_str(summary, "accuracy_signal").empty()) r.accuracy = json_str(summary, "accuracy_signal");
    if (r.accuracy.empty()) r.accuracy = pick("accuracy_signal", "accuracy_signal");
    if (r.accuracy.empty()) r.accuracy = json_str(config, "accuracy");
    r.operator_name = json_str(summary, "operator");
    if (r.operator_name.empty() && config.contains("search")) r.operator_name = json_str(config["search"], "operator");
    for (const nlohmann::json* j : std::initializer_list<const nlohmann::json*>{&summary, &config})
      if (!r.seed && j->contains("seed") && (*j)["seed"].is_number_unsigned()) r.seed = (*j)["seed"].get<std::uint64_t>();
    if (state == RunStatus::Finished) {
      if (summary.contains("evaluations") && summary["evaluations"].is_number_integer()) r.evaluations = summary["evaluations"].get<int>();
      if (summary.contains("hv_ratio") && summary["hv_ratio"].is_number()) r.hv_ratio = summary["hv_ratio"].get<double>();
      if (summary.contains("generations_completed") && summary["generations_completed"].is_number_integer())
        r.generation = summary["generations_completed"].get<int>();
    } else if (fs::exists(d / "metrics.csv")) {
      // The last generation written so far.
      const CsvTable t = CsvTable::read((d / "metrics.csv").string());
      if (t.rows() > 0) {
        const std::size_t last = t.rows() - 1;
        r.generation = static_cast<int>(t.integer(last, t.column("generation")));
        r.evaluations = static_cast<int>(t.integer(last, t.column("evaluations")));
        r.hv_ratio = t.number(last, t.column("hv_ratio"));
      }
    }
  } catch (const Error& e) {
    r.error = e.what();
    if (r.state.empty()) r.state = "unreadable";
  }
  return r;
}

void collect(const fs::path& d, const fs::path& root, int depth, int max_depth, std::vector<RunListing>& out) {
  std::error_code ec;
  if (fs::exists(d / "config.json", ec)) {
    out.push_back(listing_of(d, root));
    return;  // a run directory's subfolders (knowledge/) are not runs
  }
  if (depth >= max_depth) return;
  for (const auto& e : fs::directory_iterator(d, fs::directory_options::skip_permission_denied, ec))
    if (e.is_directory(ec)) collect(e.path(), root, depth + 1, max_depth, out);
}

std::string opt_num(const std::optional<double>& v, int decimals) { return v ? fmt::format("{:.{}f}", *v, decimals) : "-"; }

}  // namespace

nlohmann::json RunListing::to_json() const {
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  nlohmann::json j = {{"name", name},       {"path", path},         {"dataset", dataset}, {"device", device},
                      {"operator", operator_name}, {"accuracy", accuracy}, {"seed", opt(seed)},
                      {"evaluations", opt(evaluations)}, {"generation", opt(generation)}, {"hv_ratio", opt(hv_ratio)},
                      {"state", state}};
  if (!error.empty()) j["error"] = error;
  return j;
}

std::vector<RunListing> list_runs(const std::string& dir, int max_depth) {
  if (!fs::is_directory(dir)) throw Error(dir + ": not a directory (expected a directory of pelnas run directories)");
  std::vector<RunListing> out;
  collect(fs::path(dir), fs::path(dir), 0, max_depth, out);
  std::sort(out.begin(), out.end(), [](const RunListing& a, const RunListing& b) { return a.name < b.name; });
  return out;
}

std::string runs_text_table(const std::vector<RunListing>& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs)
    rows.push_back({r.name, r.dataset, r.device, r.operator_name, r.accuracy, r.seed ? std::to_string(*r.seed) : "-",
                    r.evaluations ? std::to_string(*r.evaluations) : "-", opt_num(r.hv_ratio, 4),
                    r.error.empty() ? r.state : r.state + ": " + r.error});
  return format_text_table({"name", "dataset", "device", "operator", "accuracy", "seed", "evaluations", "hv_ratio", "state"},
                           rows);
}

}  // namespace pelnas::report
