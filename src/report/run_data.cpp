#include "report/run_data.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/csv.h"
#include "common/error.h"

namespace pelnas::report {

namespace fs = std::filesystem;

namespace {

nlohmann::json read_json_file(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw Error(p.string() + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(p.string() + ": not valid JSON: " + e.what());
  }
}

}  // namespace

std::string json_str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const auto& v = j.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::vector<RunPoint> read_run_points_csv(const std::string& path) {
  const CsvTable t = CsvTable::read(path);
  const auto c_order = t.column("order"), c_gen = t.column("generation"), c_niche = t.column("niche"),
             c_index = t.column("index"), c_arch = t.column("arch_str"), c_acc = t.column("accuracy"),
             c_cost = t.column("cost");
  const auto c_true = t.find_column("true_accuracy");
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
  r.config = read_json_file(d / "config.json");
  if (!fs::exists(d / "summary.json"))
    throw Error(dir + ": the run has not finished (no summary.json); continue it with `pelnas search --resume " + dir + "`");
  r.summary = read_json_file(d / "summary.json");
  r.stats = fs::exists(d / "stats.json") ? read_json_file(d / "stats.json") : nlohmann::json::object();
  r.archive = read_run_points_csv((d / "archive.csv").string());
  r.front = read_run_points_csv((d / "front.csv").string());
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
  if (fs::is_directory(d / "knowledge"))
    for (const auto& entry : fs::directory_iterator(d / "knowledge")) {
      const std::string name = entry.path().filename().string();
      int gen = -1;
      if (std::sscanf(name.c_str(), "gen_%d.json", &gen) == 1 && gen >= 0) r.knowledge[gen] = read_json_file(entry.path());
    }
  return r;
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
  auto s = json_str(summary, "accuracy_source");
  return s.empty() ? json_str(config, "accuracy") : s;
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
