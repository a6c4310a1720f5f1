#include "hardware/fbnet_lut.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "common/error.h"
#include "data/pickle_reader.h"

namespace pelnas {

const std::vector<std::string>& fbnet_metric_keys() {
  static const std::vector<std::string> keys = {"edgegpu_latency", "edgegpu_energy", "raspi4_latency",
                                                "pixel3_latency",  "eyeriss_latency", "eyeriss_energy",
                                                "fpga_latency",    "fpga_energy"};
  return keys;
}

std::string fbnet_metric_key(std::string_view device, HwMetric metric) {
  const std::string key = std::string(device) + "_" + std::string(to_string(metric));
  for (const auto& k : fbnet_metric_keys())
    if (k == key) return key;
  std::vector<std::string> has;
  for (const auto& k : fbnet_metric_keys())
    if (k.rfind(std::string(device) + "_", 0) == 0) has.push_back(k.substr(device.size() + 1));
  if (has.empty())
    throw Error(fmt::format("the FBNet space has no device '{}' (valid: edgegpu, raspi4, pixel3, eyeriss, fpga)", device));
  throw Error(fmt::format("the FBNet space has no {} for device '{}' (it has: {})", to_string(metric), device,
                          fmt::join(has, ", ")));
}

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open the FBNet lookup table", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check_value(double v, const std::string& name, std::string_view metric, const std::string& key) {
  // Entries are latencies / energies: finite and >= 0 (the pool and FC have 0 on some devices).
  if (!std::isfinite(v) || v < 0)
    throw Error(fmt::format("{}: {} entry '{}' is {}, expected a finite value >= 0", name, metric, key, v));
}

}  // namespace

FbnetLut FbnetLut::load(const std::string& path) {
  const std::string bytes = read_all(path);
  std::size_t first = bytes.find_first_not_of(" \t\r\n");
  if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x80) return from_pickle_bytes(bytes, path);
  if (first != std::string::npos && bytes[first] == '{') {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(bytes);
    } catch (const nlohmann::json::exception& e) {
      throw Error(fmt::format("{}: not valid JSON: {}", path, e.what()));
    }
    return from_json(j, path);
  }
  return from_csv_text(bytes, path);
}

FbnetLut FbnetLut::from_csv_text(const std::string& text, const std::string& name) {
  const CsvTable t = CsvTable::parse(text, name);
  const std::size_t key_col = t.column("op_key");
  FbnetLut lut;
  lut.source_ = name;
  std::size_t found = 0;
  for (const auto& metric : fbnet_metric_keys()) {
    const auto col = t.find_column(metric);
    if (!col) continue;
    ++found;
    auto& table = lut.tables_[metric];
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const std::string key(t.cell(r, key_col));
      const double v = t.number(r, *col);  // errors name file, line, column
      check_value(v, fmt::format("{}:{}", name, t.line(r)), metric, key);
      if (!table.emplace(key, v).second)
        throw InputError(name, t.line(r), fmt::format("op_key '{}' appears twice", key));
    }
  }
  if (found == 0)
    throw InputError(name, 1, fmt::format("no FBNet metric column (expected some of: {})", fmt::join(fbnet_metric_keys(), ", ")));
  return lut;
}

FbnetLut FbnetLut::from_json(const nlohmann::json& j, const std::string& name) {
  if (!j.is_object()) throw Error(fmt::format("{}: expected a JSON object {{metric: {{op_key: value}}}}", name));
  const nlohmann::json& root = j.contains("fbnet") ? j.at("fbnet") : j;
  FbnetLut lut;
  lut.source_ = name;
  for (const auto& metric : fbnet_metric_keys()) {
    if (!root.contains(metric)) continue;
    const auto& m = root.at(metric);
    if (!m.is_object()) throw Error(fmt::format("{}: '{}' is not an object of op_key: value", name, metric));
    auto& table = lut.tables_[metric];
    for (const auto& [key, v] : m.items()) {
      if (!v.is_number()) throw Error(fmt::format("{}: {} entry '{}' is not a number", name, metric, key));
      check_value(v.get<double>(), name, metric, key);
      table.emplace(key, v.get<double>());
    }
  }
  if (lut.tables_.empty())
    throw Error(fmt::format("{}: no FBNet metric (expected keys among: {})", name, fmt::join(fbnet_metric_keys(), ", ")));
  return lut;
}

FbnetLut FbnetLut::from_pickle_bytes(std::string_view bytes, const std::string& name) {
  const pickle::ValuePtr root = pickle::parse(bytes, name);
  const pickle::Value* fb = root->kind == pickle::Kind::Dict && root->get("fbnet") ? root->get("fbnet") : root.get();
  if (fb->kind != pickle::Kind::Dict)
    throw Error(fmt::format("{}: expected a dict with an 'fbnet' entry, found {}", name, fb->describe()));
  FbnetLut lut;
  lut.source_ = name;
  for (const auto& metric : fbnet_metric_keys()) {
    const pickle::Value* m = fb->get(metric);
    if (!m) continue;
    if (m->kind != pickle::Kind::Dict)
      throw Error(fmt::format("{}: fbnet['{}'] is {}, expected a dict of op_key: value", name, metric, m->describe()));
    auto& table = lut.tables_[metric];
    for (const auto& [k, v] : m->entries) {
      if (k->kind != pickle::Kind::Str || !v->is_number())
        throw Error(fmt::format("{}: fbnet['{}'] has an entry {}: {}, expected str: number", name, metric, k->describe(),
                                v->describe()));
      check_value(v->as_double(), name, metric, k->text);
      table.emplace(k->text, v->as_double());
    }
  }
  if (lut.tables_.empty()) throw Error(fmt::format("{}: no FBNet metric tables under 'fbnet'", name));
  return lut;
}

std::vector<std::string> FbnetLut::metrics() const {
  std::vector<std::string> out;
  for (const auto& m : fbnet_metric_keys())
    if (tables_.count(m)) out.push_back(m);
  return out;
}

std::size_t FbnetLut::size(std::string_view metric) const { return table(metric).size(); }

const std::unordered_map<std::string, double>& FbnetLut::table(std::string_view metric) const {
  auto it = tables_.find(metric);
  if (it == tables_.end())
    throw Error(fmt::format("FBNet lookup table {} has no metric '{}' (it has: {})", source_, metric,
                            fmt::join(metrics(), ", ")));
  return it->second;
}

double FbnetLut::entry(std::string_view metric, const std::string& key) const {
  const auto& t = table(metric);
  auto it = t.find(key);
  if (it == t.end())
    throw Error(fmt::format("FBNet lookup table {} has no {} entry for layer key '{}'", source_, metric, key));
  return it->second;
}

double FbnetLut::cost(const FbnetArch& arch, FbnetDataset dataset, std::string_view metric) const {
  table(metric);  // unknown metric: one clear error before any key
  double sum = 0;
  for (const auto& layer : fbnet_layers(arch, dataset)) sum += entry(metric, layer.lut_key());
  return sum;
}

std::map<std::string, double> FbnetLut::costs(const FbnetArch& arch, FbnetDataset dataset) const {
  std::map<std::string, double> out;
  for (const auto& m : metrics()) out[m] = cost(arch, dataset, m);
  return out;
}

}  // namespace pelnas
