#include "evaluate/objective_list.h"

#include <algorithm>

#include "common/error.h"

namespace pelnas {

namespace {

// Cost metrics that are minimised (arithmetic intensity is a property, not a cost: not an objective).
constexpr HwMetric kCostObjectives[] = {HwMetric::Latency, HwMetric::Energy};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

std::string valid_objective_names() {
  std::string s = "accuracy";
  for (HwMetric m : kCostObjectives) s += ", " + std::string(to_string(m));
  return s;
}

ObjectiveList ObjectiveList::from_names(const std::vector<std::string>& names, const std::string& what) {
  auto bad = [&](const std::string& why) {
    throw Error(what + ": " + why + " (valid objectives: " + valid_objective_names() +
                "; accuracy first, then one or more costs, e.g. accuracy,latency,energy)");
  };
  if (names.empty()) bad("no objectives given");
  ObjectiveList list;
  list.costs.clear();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string name = trim(names[i]);
    if (name == "accuracy") {
      if (i != 0) bad("'accuracy' must come first");
      continue;
    }
    if (i == 0) bad("the first objective must be 'accuracy', got '" + name + "'");
    const auto* it = std::find_if(std::begin(kCostObjectives), std::end(kCostObjectives),
                                  [&](HwMetric m) { return to_string(m) == name; });
    if (it == std::end(kCostObjectives)) bad("unknown objective '" + name + "'");
    if (std::find(list.costs.begin(), list.costs.end(), *it) != list.costs.end()) bad("'" + name + "' is listed twice");
    list.costs.push_back(*it);
  }
  if (list.costs.empty()) bad("accuracy alone is not a hardware-aware search: add a cost");
  return list;
}

ObjectiveList ObjectiveList::parse(const std::string& text, const std::string& what) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    const std::string part = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (part.empty())
      throw Error(what + ": empty objective name in '" + text + "' (valid objectives: " + valid_objective_names() + ")");
    names.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return from_names(names, what);
}

std::vector<std::string> ObjectiveList::names() const {
  std::vector<std::string> out{"accuracy"};
  for (HwMetric m : costs) out.emplace_back(to_string(m));
  return out;
}

std::string ObjectiveList::str() const {
  std::string s;
  for (const auto& n : names()) s += (s.empty() ? "" : ",") + n;
  return s;
}

std::vector<std::shared_ptr<CostSource>> make_objective_costs(std::shared_ptr<const BenchmarkData> data,
                                                              Dataset dataset, const std::string& device,
                                                              const ObjectiveList& objectives, SpaceOptions space) {
  std::vector<std::shared_ptr<CostSource>> out;
  for (HwMetric m : objectives.costs) out.push_back(make_searchable_cost(data, dataset, {device, m}, space));
  return out;
}

}  // namespace pelnas
