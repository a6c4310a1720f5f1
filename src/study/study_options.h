#pragma once
// What an ask/tell study searches and where its objective values come from. Each of the two
// objectives (accuracy, maximised, percent; cost, minimised) is either told by the user
// ("tell") or looked up like a CLI search does (an accuracy signal; a device). Whatever is told
// is asked for, in that order: values = [accuracy?, cost?].
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "metrics/hypervolume.h"

namespace pelnas {

inline constexpr const char* kTold = "tell";

struct StudyOptions {
  std::string algorithm = "pelnas";  // pelnas | rea | nsga2 | random (the search registry's names)
  // The algorithm's options: pelnas takes PelnasSearchOptions' JSON (operator, partition, ...), the
  // others their registry options. Unknown keys are errors.
  nlohmann::json algorithm_options = nlohmann::json::object();
  std::string dataset = "cifar10";
  std::string accuracy = kTold;   // "tell", or an accuracy signal (valid, table:test, predictor, ...)
  std::string cost = kTold;       // "tell", or a device (fpga, edgegpu, flops, ...)
  std::string metric = "latency";  // of a device cost
  std::string cost_name = "latency";  // names a told cost (values, CSV headers)
  std::string cost_unit = "ms";       // unit of a told cost
  bool include_degenerate = false;
  std::uint64_t seed = 0;
  int budget = 0;  // unique evaluations; 0 = the pelnas plan, 300 for the others
  std::string data_dir;  // "" = found like the CLI does (--data, $PELNAS_DATA, ../shared/data, ...)
  std::optional<std::vector<double>> hv_reference;  // two coordinates (accuracy, cost)
  // A told cost has no true front: the run is scored by its HV against this point, in the
  // objectives' own units (accuracy %: the lowest accuracy counted; cost in cost_unit: the highest
  // cost counted); unset = derived from the run's archive (metrics/reference_point_score.h).
  std::optional<std::vector<double>> reference_point;

  bool accuracy_told() const { return accuracy == kTold; }
  bool cost_told() const { return cost == kTold; }
  // Names of the told values in the order tell() takes them ("accuracy", then cost_name).
  std::vector<std::string> told_names() const;
  // Throws pelnas::Error naming the field (cheap checks only; the data-dependent ones run at start).
  void validate() const;
  nlohmann::json to_json() const;
  static StudyOptions from_json(const nlohmann::json& j);  // unknown keys are errors
};

}  // namespace pelnas
