#include "search/archive.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"

namespace pelnas {

std::vector<std::size_t> Archive::pareto_front_positions() const {
  std::vector<std::size_t> order(entries_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Sort by cost ascending, accuracy descending; then sweep keeping strictly better accuracy
  // (or an exact tie with the last kept point).
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto &x = entries_[a], &y = entries_[b];
    if (x.cost != y.cost) return x.cost < y.cost;
    if (x.accuracy != y.accuracy) return x.accuracy > y.accuracy;
    return x.order < y.order;
  });
  std::vector<std::size_t> front;
  double best = -std::numeric_limits<double>::infinity();
  double last_cost = 0, last_acc = 0;
  for (std::size_t p : order) {
    const auto& e = entries_[p];
    if (e.accuracy > best) {
      front.push_back(p);
      best = e.accuracy;
      last_cost = e.cost;
      last_acc = e.accuracy;
    } else if (!front.empty() && e.accuracy == last_acc && e.cost == last_cost) {
      front.push_back(p);  // identical objective vector: keep every architecture
    }
  }
  return front;
}

std::vector<EvaluatedArch> Archive::pareto_front() const {
  std::vector<EvaluatedArch> out;
  for (auto p : pareto_front_positions()) out.push_back(entries_[p]);
  return out;
}

nlohmann::json Archive::to_json() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& e : entries_)
    arr.push_back({{"arch", e.arch.str()},
                   {"index", e.index},
                   {"accuracy", e.accuracy},
                   {"cost", e.cost},
                   {"order", e.order},
                   {"generation", e.generation},
                   {"niche", e.niche}});
  return arr;
}

Archive Archive::from_json(const nlohmann::json& j) {
  if (!j.is_array()) throw Error("archive: expected a JSON array of evaluated architectures");
  Archive a;
  std::size_t i = 0;
  for (const auto& x : j) {
    try {
      EvaluatedArch e;
      e.arch = Arch::parse(x.at("arch").get<std::string>());
      e.index = x.at("index").get<int>();
      e.accuracy = x.at("accuracy").get<double>();
      e.cost = x.at("cost").get<double>();
      e.order = x.at("order").get<int>();
      e.generation = x.at("generation").get<int>();
      e.niche = x.at("niche").get<int>();
      a.add(e);
    } catch (const nlohmann::json::exception& ex) {
      throw Error("archive entry " + std::to_string(i) + ": " + ex.what());
    }
    ++i;
  }
  return a;
}

std::string Archive::to_csv() const {
  std::ostringstream os;
  os.precision(17);
  os << "order,generation,niche,index,arch_str,accuracy,cost\n";
  for (const auto& e : entries_)
    os << e.order << ',' << e.generation << ',' << e.niche << ',' << e.index << ',' << e.arch.str() << ','
       << e.accuracy << ',' << e.cost << '\n';
  return os.str();
}

}  // namespace pelnas
