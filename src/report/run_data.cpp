#include "report/run_data.h"

#include <filesystem>
#include <fstream>

#include "common/csv.h"
#include "common/error.h"
#include "data/benchmark_data.h"
#include "search/archive.h"

namespace pelnas::report {

namespace fs = std::filesystem;

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
}

std::string json_str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const auto& v = j.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::vector<RunPoint> read_run_points_csv(const std::string& path, const std::vector<std::string>& extra_columns) {
  const CsvTable t = CsvTable::read(path);
  const auto c_order = t.column("order"), c_gen = t.column("generation"), c_niche = t.column("niche"),
             c_index = t.column("index"), c_arch = t.column("arch_str"),
             c_acc = t.find_column("seen_accuracy") ? *t.find_column("seen_accuracy") : t.column("accuracy"),
             c_cost = t.column("cost");
  const auto c_true = t.find_column("true_accuracy");
  std::vector<std::size_t> c_extra;
  for (const auto& name : extra_columns) c_extra.push_back(t.column(name));
  std::vector<RunPoint> out;
  out.reserve(t.rows());
  for (std::size_t r = 0; r < t.rows(); ++r) {
    RunPoint p;
    try {
      p.arch = Arch::parse(t.cell(r, c_arch));
    } catch (const Error& e) {
      throw InputError(path, t.line(r), std::string("arch_str: ") + e.what());
    }
    p.order = static_cast<int>(t.integer(r, c_order));
    p.generation = static_cast<int>(t.integer(r, c_gen));
    p.niche = static_cast<int>(t.integer(r, c_niche));
    p.index = static_cast<int>(t.integer(r, c_index));
    p.seen_accuracy = t.number(r, c_acc);
    p.cost = t.number(r, c_cost);
    for (std::size_t c : c_extra) p.extra_costs.push_back(t.number(r, c));
    if (c_true) p.true_accuracy = t.number_or_nan(r, *c_true);
    out.push_back(p);
  }
  return out;
}

RunData RunData::load(const std::string& dir) {
  const fs::path d(dir);
  if (!fs::is_directory(d)) throw Error(dir + ": not a directory (expected a pelnas run directory)");
  if (!fs::exists(d / "config.json")) throw Error(dir + ": no config.json, so this is not a pelnas run directory");
  RunData r;
  r.dir = dir;
  r.config = read_json_file((d / "config.json").string());
  r.state = run_status(dir);
  r.finished = r.state == RunStatus::Finished;
  if (r.finished) {
    r.summary = read_json_file((d / "summary.json").string());
    r.stats = fs::exists(d / "stats.json") ? read_json_file((d / "stats.json").string()) : nlohmann::json::object();
    r.archive = read_run_points_csv((d / "archive.csv").string(), r.extra_metrics());
    r.front = read_run_points_csv((d / "front.csv").string(), r.extra_metrics());
  } else {
    // What the last checkpoint holds; the front is the archive's, as the finished run computes it.
    Archive a;
    for (const auto& e : read_checkpoint_archive(dir, r.checkpoint_generation)) a.add(e);
    auto point = [](const EvaluatedArch& e) {
      RunPoint p;
      p.arch = e.arch;
      p.index = e.index;
      p.seen_accuracy = e.accuracy;
      p.cost = e.cost;
      p.extra_costs = e.extra_costs;
      p.niche = e.niche;
      p.generation = e.generation;
      p.order = e.order;
      return p;
    };
    for (const auto& e : a.entries()) r.archive.push_back(point(e));
    for (const auto& e : a.pareto_front()) r.front.push_back(point(e));
    r.summary = nlohmann::json::object();
    r.stats = nlohmann::json::object();
  }
  if (fs::exists(d / "metrics.csv")) {
    const CsvTable t = CsvTable::read((d / "metrics.csv").string());
    const auto cg = t.column("generation"), ce = t.column("evaluations"), ch = t.column("hv_ratio"), ci = t.column("igd");
    const auto cip = t.find_column("igd_plus"), chv = t.find_column("hv"), cf = t.find_column("front_size"),
               cl = t.find_column("llm_calls");
    for (std::size_t i = 0; i < t.rows(); ++i) {
      RunMetricRow m;
      m.generation = static_cast<int>(t.integer(i, cg));
      m.evaluations = static_cast<int>(t.integer(i, ce));
      m.hv_ratio = t.number(i, ch);
      m.igd = t.number(i, ci);
      if (cip) m.igd_plus = t.number_or_nan(i, *cip);
      if (chv) m.hv = t.number_or_nan(i, *chv);
      if (cf) m.front_size = static_cast<int>(t.integer(i, *cf));
      if (cl) m.llm_calls = t.number_or_nan(i, *cl);
      r.metrics.push_back(m);
    }
  }
  if (!r.finished) {
    // The summary so far, from the last checkpointed generation's metrics (never invented).
    auto& s = r.summary;
    s["finished"] = false;
    if (const auto started = run_started_event(dir); started.contains("accuracy")) s["accuracy_source"] = started["accuracy"];
    if (r.config.contains("search") && r.config["search"].is_object()) {
      const auto& cs = r.config["search"];
      const bool whole = cs.value("no_partition", false);
      s["partition"] = whole ? "none" : json_str(cs, "partition");
      if (whole) s["niches"] = 1;
      else if (cs.contains("partition_table") && cs["partition_table"].contains("niches") && cs["partition_table"]["niches"].is_array())
        s["niches"] = cs["partition_table"]["niches"].size();
    }
    s["evaluations"] = static_cast<int>(r.archive.size());
    s["front_size"] = static_cast<int>(r.front.size());
    s["generations_completed"] = r.checkpoint_generation;
    if (r.config.contains("budget") && r.config["budget"].is_number_integer() && r.config["budget"].get<int>() > 0)
      s["budget"] = r.config["budget"];
    if (!r.metrics.empty() && r.metrics.back().generation == r.checkpoint_generation) {
      s["hv_ratio"] = r.metrics.back().hv_ratio;
      s["igd"] = r.metrics.back().igd;
      if (std::isfinite(r.metrics.back().igd_plus)) s["igd_plus"] = r.metrics.back().igd_plus;
    }
    // metrics.csv can be one generation ahead of the checkpoint (killed between the two writes).
    while (!r.metrics.empty() && r.metrics.back().generation > r.checkpoint_generation) r.metrics.pop_back();
  }
  r.knowledge = read_knowledge_history(dir, r.metrics.empty() ? -1 : r.metrics.back().generation);
  return r;
}

std::string RunData::state_text() const {
  if (finished) return "finished";
  const std::string where = checkpoint_generation < 0
                                ? "no generation checkpointed yet"
                                : "shown as of generation " + std::to_string(checkpoint_generation) + ", its last checkpoint";
  switch (state) {
    case RunStatus::Running: return "not finished: still running (" + where + ")";
    case RunStatus::Killed:
      return "not finished: stopped or killed (" + where + "); continue it with `pelnas search --resume " + dir + "`";
    default:
      return "not finished (" + where + "); if no process is running it, continue it with `pelnas search --resume " + dir + "`";
  }
}

void RunData::fill_true_accuracy(const BenchmarkData& data) {
  Dataset d;
  try {
    d = dataset_from_string(dataset());
  } catch (const Error&) {
    return;  // the report names the bad dataset itself
  }
  for (auto* v : {&archive, &front})
    for (auto& p : *v)
      if (!std::isfinite(p.true_accuracy) && p.index >= 0 && p.index < data.size())
        if (auto a = data.accuracy(p.index, d)) p.true_accuracy = *a;
}

std::vector<std::string> RunData::objectives() const {
  std::vector<std::string> out;
  if (config.is_object() && config.contains("objectives") && config["objectives"].is_array())
    for (const auto& o : config["objectives"])
      if (o.is_string()) out.push_back(o.get<std::string>());
  if (out.size() < 2) {
    const std::string m = json_str(config, "metric");
    out = {"accuracy", m.empty() ? "latency" : m};
  }
  return out;
}

std::vector<std::string> RunData::extra_metrics() const {
  const auto o = objectives();
  return std::vector<std::string>(o.begin() + 2, o.end());
}

std::string RunData::dataset() const {
  auto s = json_str(summary, "dataset");
  return s.empty() ? json_str(config, "dataset") : s;
}
std::string RunData::device() const {
  auto s = json_str(summary, "device");
  return s.empty() ? json_str(config, "device") : s;
}
std::string RunData::cost_name() const {
  auto s = json_str(summary, "cost");
  return s.empty() ? device() + "_" + json_str(config, "metric") : s;
}
std::string RunData::cost_unit() const { return json_str(summary, "cost_unit"); }
std::string RunData::operator_name() const {
  auto s = json_str(summary, "operator");
  if (s.empty() && config.contains("search")) s = json_str(config["search"], "operator");
  return s;
}
std::string RunData::accuracy_source() const {
  for (const char* key : {"accuracy_signal", "accuracy_source"})  // accuracy_source: runs before 2026-11-30
    if (auto s = json_str(summary, key); !s.empty()) return s;
  if (auto s = json_str(config, "accuracy_signal"); !s.empty()) return s;
  return json_str(config, "accuracy");
}
std::string RunData::data_dir() const { return json_str(config, "data_dir"); }
bool RunData::has_seed() const {
  return (summary.contains("seed") && summary["seed"].is_number_integer()) ||
         (config.contains("seed") && config["seed"].is_number_integer());
}
std::uint64_t RunData::seed() const {
  if (summary.contains("seed") && summary["seed"].is_number_integer()) return summary["seed"].get<std::uint64_t>();
  if (config.contains("seed") && config["seed"].is_number_integer()) return config["seed"].get<std::uint64_t>();
  return 0;
}

}  // namespace pelnas::report
