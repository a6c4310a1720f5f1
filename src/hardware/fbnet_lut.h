#pragma once
// HW-NAS-Bench's FBNet cost: per-layer lookup tables for 8 (device, metric) pairs, and an
// architecture's cost as the sum of its layers' entries (stem, 22 layers, header, pool, FC; the
// layer list and keys come from space/fbnet_layout.h). Metrics: latency (ms) on edgegpu, raspi4,
// pixel3, eyeriss, fpga; energy (mJ) on edgegpu, eyeriss, fpga. No Edge TPU, no accuracy.
//
// Three file formats load (picked by content, not by name):
//  - the shipped CSV (shared/data/fbnet_hw_lut.csv: op_key, layer_type, ..., one column per metric);
//  - JSON: {metric: {op_key: value}}, i.e. json.dump(pickle['fbnet']) as in the upstream
//    fbnet_cached_metrics.json;
//  - the official HW-NAS-Bench-v1_0.pickle (its root["fbnet"] has that same shape), or a pickle
//    of the fbnet dict alone.
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/enums.h"
#include "space/fbnet_layout.h"

namespace pelnas {

// The 8 metric keys HW-NAS-Bench stores for FBNet, in its order.
const std::vector<std::string>& fbnet_metric_keys();
// "pixel3" + Latency -> "pixel3_latency"; throws naming the metrics the device has for FBNet.
std::string fbnet_metric_key(std::string_view device, HwMetric metric);

class FbnetLut {
 public:
  static FbnetLut load(const std::string& path);
  static FbnetLut from_csv_text(const std::string& text, const std::string& name_for_errors);
  static FbnetLut from_json(const nlohmann::json& j, const std::string& name_for_errors);
  static FbnetLut from_pickle_bytes(std::string_view bytes, const std::string& name_for_errors);

  const std::string& source() const { return source_; }
  std::vector<std::string> metrics() const;  // the metric keys present
  bool has_metric(std::string_view metric) const { return tables_.count(std::string(metric)) > 0; }
  std::size_t size(std::string_view metric) const;  // number of layer keys of a metric

  // One entry. Throws pelnas::Error naming the metric and the key (and the file) when absent.
  double entry(std::string_view metric, const std::string& key) const;
  // Sum over the architecture's layers. Throws as entry() for a missing key, and lists the
  // metrics the table has for an unknown metric.
  double cost(const FbnetArch& arch, FbnetDataset dataset, std::string_view metric) const;
  // Every metric of the table for one architecture, in fbnet_metric_keys() order.
  std::map<std::string, double> costs(const FbnetArch& arch, FbnetDataset dataset) const;

 private:
  const std::unordered_map<std::string, double>& table(std::string_view metric) const;
  std::string source_;
  std::map<std::string, std::unordered_map<std::string, double>, std::less<>> tables_;
};

}  // namespace pelnas
