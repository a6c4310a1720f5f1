#include "study/study_options.h"

#include <cmath>
#include <limits>
#include <set>

#include "common/error.h"
#include "common/json_fields.h"
#include "data/enums.h"
#include "metrics/evaluation_protocol.h"

namespace pelnas {

namespace {
const std::set<std::string> kAlgorithms = {"pelnas", "rea", "nsga2", "random"};
}

std::vector<std::string> StudyOptions::told_names() const {
  std::vector<std::string> n;
  if (accuracy_told()) n.push_back("accuracy");
  if (cost_told()) n.push_back(cost_name);
  return n;
}

void StudyOptions::validate() const {
  if (!kAlgorithms.count(algorithm))
    throw Error("study: 'algorithm' must be one of pelnas, rea, nsga2, random; got '" + algorithm + "'");
  if (!algorithm_options.is_object()) throw Error("study: 'algorithm_options' must be a JSON object");
  (void)dataset_from_string(dataset);
  if (!cost_told()) (void)hw_metric_from_string(metric);
  if (accuracy.empty()) throw Error("study: 'accuracy' is empty (\"tell\" or an accuracy signal such as valid)");
  if (cost.empty()) throw Error("study: 'cost' is empty (\"tell\" or a device such as fpga)");
  if (cost_told() && (cost_name.empty() || cost_name == "accuracy"))
    throw Error("study: 'cost_name' must be a non-empty name other than 'accuracy', got '" + cost_name + "'");
  if (budget < 0) throw Error("study: 'budget' must be >= 0 (0 = the algorithm's default), got " + std::to_string(budget));
  if (hv_reference && !is_valid_reference_point(*hv_reference))
    throw Error("study: 'hv_reference' must be two finite numbers > 0");
  if (reference_point) {
    if (!cost_told())
      throw Error("study: 'reference_point' scores a told cost (no true front); with the cost of device '" + cost +
                  "' the run is scored against the true front (its reference point is 'hv_reference', normalised)");
    if (hv_reference) throw Error("study: 'hv_reference' is the normalised reference of a true front; a told cost has "
                                  "none: give 'reference_point' (accuracy %, cost) only");
    if (reference_point->size() != 2 || !std::isfinite((*reference_point)[0]) || !std::isfinite((*reference_point)[1]))
      throw Error("study: 'reference_point' must be two finite numbers [accuracy %, cost]");
  }
}

nlohmann::json StudyOptions::to_json() const {
  return {{"algorithm", algorithm}, {"algorithm_options", algorithm_options}, {"dataset", dataset},
          {"accuracy", accuracy}, {"cost", cost}, {"metric", metric}, {"cost_name", cost_name},
          {"cost_unit", cost_unit}, {"include_degenerate", include_degenerate}, {"seed", seed},
          {"budget", budget}, {"data_dir", data_dir},
          {"hv_reference", hv_reference ? nlohmann::json(*hv_reference) : nlohmann::json(nullptr)},
          {"reference_point", reference_point ? nlohmann::json(*reference_point) : nlohmann::json(nullptr)}};
}

StudyOptions StudyOptions::from_json(const nlohmann::json& j) {
  namespace jf = json_fields;
  jf::object(j, "study");
  StudyOptions o;
  static const std::set<std::string> known = {"algorithm", "algorithm_options", "dataset", "accuracy", "cost",
                                              "metric", "cost_name", "cost_unit", "include_degenerate", "seed",
                                              "budget", "data_dir", "hv_reference", "reference_point"};
  for (const auto& [k, v] : j.items())
    if (!known.count(k)) throw Error("study." + k + ": unknown field");
  auto str = [&](const char* k, std::string& out) {
    if (j.contains(k)) out = jf::string(j[k], std::string("study.") + k);
  };
  str("algorithm", o.algorithm);
  if (j.contains("algorithm_options")) o.algorithm_options = jf::object(j["algorithm_options"], "study.algorithm_options");
  str("dataset", o.dataset);
  str("accuracy", o.accuracy);
  str("cost", o.cost);
  str("metric", o.metric);
  str("cost_name", o.cost_name);
  str("cost_unit", o.cost_unit);
  str("data_dir", o.data_dir);
  if (j.contains("include_degenerate")) o.include_degenerate = jf::boolean(j["include_degenerate"], "study.include_degenerate");
  if (j.contains("seed")) o.seed = jf::unsigned_integer(j["seed"], "study.seed");
  if (j.contains("budget")) o.budget = static_cast<int>(jf::integer(j["budget"], "study.budget", 0, std::numeric_limits<int>::max()));
  if (j.contains("hv_reference") && !j["hv_reference"].is_null()) {
    const auto& h = jf::array(j["hv_reference"], "study.hv_reference");
    if (h.size() != 2) jf::fail("study.hv_reference", "two numbers [x, y] or null", h);
    constexpr double kBig = std::numeric_limits<double>::max();
    o.hv_reference = std::vector<double>{jf::number(h[0], "study.hv_reference[0]", -kBig, kBig), jf::number(h[1], "study.hv_reference[1]", -kBig, kBig)};
  }
  if (j.contains("reference_point") && !j["reference_point"].is_null()) {  // absent in studies before 2026-12-01
    const auto& h = jf::array(j["reference_point"], "study.reference_point");
    if (h.size() != 2) jf::fail("study.reference_point", "two numbers [accuracy %, cost] or null", h);
    constexpr double kBig = std::numeric_limits<double>::max();
    o.reference_point = std::vector<double>{jf::number(h[0], "study.reference_point[0]", -kBig, kBig),
                                            jf::number(h[1], "study.reference_point[1]", -kBig, kBig)};
  }
  o.validate();
  return o;
}

}  // namespace pelnas
