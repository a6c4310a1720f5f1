#include "search/archive.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"
#include "common/json_fields.h"

namespace pelnas {

std::vector<double> minimised_objectives(const EvaluatedArch& e) {
  std::vector<double> v{100.0 - e.accuracy, e.cost};
  v.insert(v.end(), e.extra_costs.begin(), e.extra_costs.end());
  return v;
}

bool dominates(const EvaluatedArch& a, const EvaluatedArch& b) {
  if (a.accuracy < b.accuracy || a.cost > b.cost) return false;
  bool strict = a.accuracy > b.accuracy || a.cost < b.cost;
  for (std::size_t k = 0; k < a.extra_costs.size() && k < b.extra_costs.size(); ++k) {
    if (a.extra_costs[k] > b.extra_costs[k]) return false;
    strict = strict || a.extra_costs[k] < b.extra_costs[k];
  }
  return strict;
}

namespace {

// More than two objectives: sort by (cost, -accuracy, extra costs, order), a lexicographic order in
// which a dominating entry always comes first, then keep each entry no kept entry dominates
// (identical objective vectors do not dominate each other, so ties are all kept).
std::vector<std::size_t> pareto_front_nd(const std::vector<EvaluatedArch>& entries) {
  std::vector<std::size_t> order(entries.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto &x = entries[a], &y = entries[b];
    if (x.cost != y.cost) return x.cost < y.cost;
    if (x.accuracy != y.accuracy) return x.accuracy > y.accuracy;
    if (x.extra_costs != y.extra_costs) return x.extra_costs < y.extra_costs;
    return x.order < y.order;
  });
  std::vector<std::size_t> front;
  for (std::size_t p : order)
    if (std::none_of(front.begin(), front.end(), [&](std::size_t q) { return dominates(entries[q], entries[p]); }))
      front.push_back(p);
  return front;
}

}  // namespace

std::vector<std::size_t> Archive::pareto_front_positions() const {
  for (const auto& e : entries_)
    if (!e.extra_costs.empty()) return pareto_front_nd(entries_);
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

nlohmann::json Archive::to_json() const { return to_json(0); }

nlohmann::json Archive::to_json(std::size_t from) const {
  nlohmann::json arr = nlohmann::json::array();
  for (std::size_t i = from; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    arr.push_back({{"arch", e.arch.str()},
                   {"index", e.index},
                   {"accuracy", e.accuracy},
                   {"cost", e.cost},
                   {"order", e.order},
                   {"generation", e.generation},
                   {"niche", e.niche}});
    if (!e.extra_costs.empty()) arr.back()["extra_costs"] = e.extra_costs;
  }
  return arr;
}

Archive Archive::from_json(const nlohmann::json& j) { return from_json(j, "archive"); }

Archive Archive::from_json(const nlohmann::json& j, const std::string& path) {
  namespace jf = json_fields;
  jf::array(j, path);
  Archive a;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& x = j[i];
    const std::string at = jf::join(path, i);
    jf::object(x, at);
    EvaluatedArch e;
    const std::string arch_path = jf::join(at, "arch");
    try {
      e.arch = Arch::parse(jf::string(jf::member(x, at, "arch"), arch_path));
      e.code = ArchCode::from_nb201(e.arch);
    } catch (const Error& ex) {
      throw Error(arch_path + ": " + ex.what());
    }
    e.index = static_cast<int>(jf::integer(jf::member(x, at, "index"), jf::join(at, "index"), 0, kNumArchs - 1));
    e.accuracy = jf::number(jf::member(x, at, "accuracy"), jf::join(at, "accuracy"), -std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::max());
    e.cost = jf::number(jf::member(x, at, "cost"), jf::join(at, "cost"), -std::numeric_limits<double>::max(),
                        std::numeric_limits<double>::max());
    e.order = static_cast<int>(jf::integer(jf::member(x, at, "order"), jf::join(at, "order"), 1, kNumArchs));
    e.generation = static_cast<int>(jf::integer(jf::member(x, at, "generation"), jf::join(at, "generation"), 0,
                                                std::numeric_limits<int>::max()));
    e.niche = static_cast<int>(jf::integer(jf::member(x, at, "niche"), jf::join(at, "niche"), -1, std::numeric_limits<int>::max()));
    if (x.contains("extra_costs")) {
      const std::string xp = jf::join(at, "extra_costs");
      const auto& xs = jf::array(x.at("extra_costs"), xp);
      for (std::size_t k = 0; k < xs.size(); ++k)
        e.extra_costs.push_back(jf::number(xs[k], jf::join(xp, k), -std::numeric_limits<double>::max(),
                                           std::numeric_limits<double>::max()));
      if (i > 0 && e.extra_costs.size() != a.entries().front().extra_costs.size())
        throw Error(xp + ": " + std::to_string(e.extra_costs.size()) + " extra costs, but entry 0 has " +
                    std::to_string(a.entries().front().extra_costs.size()));
    } else if (i > 0 && !a.entries().front().extra_costs.empty()) {
      throw Error(at + ": missing extra_costs (entry 0 has them)");
    }
    a.add(e);
  }
  return a;
}

std::string Archive::to_csv(const std::vector<std::string>& extra_cost_names) const {
  std::ostringstream os;
  os.precision(17);
  os << "order,generation,niche,index,arch_str,accuracy,cost";
  const std::size_t extras = entries_.empty() ? 0 : entries_.front().extra_costs.size();
  for (std::size_t k = 0; k < extras; ++k) os << ',' << (k < extra_cost_names.size() ? extra_cost_names[k] : "extra_cost_" + std::to_string(k + 1));
  os << '\n';
  for (const auto& e : entries_) {
    os << e.order << ',' << e.generation << ',' << e.niche << ',' << e.index << ',' << e.arch.str() << ','
       << e.accuracy << ',' << e.cost;
    for (double c : e.extra_costs) os << ',' << c;
    os << '\n';
  }
  return os.str();
}

}  // namespace pelnas
