// The fixed HV normalisation of a space run: exact cost bounds over the space, scaling, HV, JSON.
#include "run/space_search_run.h"

#include <algorithm>
#include <fmt/format.h>
#include <limits>
#include <tuple>

#include "common/error.h"
#include "common/json_fields.h"
#include "hardware/space_cost.h"
#include "metrics/hypervolume.h"
#include "space/search_space.h"

namespace pelnas {

std::vector<double> SpaceHvNormalisation::normalised(const SpacePoint& p) const {
  if (p.size() != objectives())
    throw Error(fmt::format("HV normalisation: a point with {} values for {} objectives", p.size(), objectives()));
  auto scale = [](double v, double lo, double hi) { return hi > lo ? (v - lo) / (hi - lo) : 0.0; };
  std::vector<double> out;
  out.reserve(p.size());
  out.push_back((signal_max - p[0]) / (signal_max - signal_min));
  out.push_back(scale(p[1], cost_min, cost_max));
  for (std::size_t k = 0; k < extra_costs.size(); ++k) out.push_back(scale(p[2 + k], extra_costs[k].min, extra_costs[k].max));
  return out;
}

double SpaceHvNormalisation::hv(const std::vector<SpacePoint>& points) const {
  if (extra_costs.empty()) {  // two objectives: the exact 2-D sweep (bit-identical to earlier runs)
    std::vector<Point2> pts;
    for (const auto& p : points) {
      const auto n = normalised(p);
      pts.push_back({n[0], n[1]});
    }
    return hypervolume_2d(pts, {1.0, 1.0});
  }
  std::vector<ObjectiveVector> pts;
  for (const auto& p : points) pts.push_back(normalised(p));
  return hypervolume(pts, ObjectiveVector(objectives(), 1.0));
}

nlohmann::json SpaceHvNormalisation::to_json() const {
  nlohmann::json j = {{"signal_min", signal_min}, {"signal_max", signal_max}, {"cost_min", cost_min}, {"cost_max", cost_max},
                      {"reference_point", {{"signal", signal_min}, {"cost", cost_max}}},
                      {"note", "signal and cost scaled to [0, 1] by these bounds (cost: exact minimum and maximum over the space); "
                               "HV in [0, 1] against the reference point; there is no true front"}};
  if (!extra_costs.empty()) {
    auto& a = j["extra_costs"] = nlohmann::json::array();
    for (const auto& b : extra_costs) {
      a.push_back({{"name", b.name}, {"unit", b.unit}, {"min", b.min}, {"max", b.max}});
      j["reference_point"][b.name] = b.max;
    }
    j["note"] = fmt::format("signal and every cost scaled to [0, 1] by these bounds (each cost: exact minimum and maximum over "
                            "the space); exact {}-objective HV (pagmo2) in [0, 1] against the reference point; there is no "
                            "true front",
                            objectives());
  }
  return j;
}

SpaceHvNormalisation SpaceHvNormalisation::from_json(const nlohmann::json& j, const std::string& where) {
  namespace jf = json_fields;
  jf::object(j, where);
  SpaceHvNormalisation n;
  const double big = std::numeric_limits<double>::max();
  n.signal_min = jf::number(jf::member(j, where, "signal_min"), jf::join(where, "signal_min"), -big, big);
  n.signal_max = jf::number(jf::member(j, where, "signal_max"), jf::join(where, "signal_max"), -big, big);
  n.cost_min = jf::number(jf::member(j, where, "cost_min"), jf::join(where, "cost_min"), -big, big);
  n.cost_max = jf::number(jf::member(j, where, "cost_max"), jf::join(where, "cost_max"), -big, big);
  if (j.contains("extra_costs")) {
    const std::string at = jf::join(where, "extra_costs");
    const auto& a = jf::array(j["extra_costs"], at);
    for (std::size_t k = 0; k < a.size(); ++k) {
      const std::string e = jf::join(at, k);
      jf::object(a[k], e);
      SpaceCostBounds b;
      b.name = jf::string(jf::member(a[k], e, "name"), jf::join(e, "name"));
      b.unit = jf::string(jf::member(a[k], e, "unit"), jf::join(e, "unit"));
      b.min = jf::number(jf::member(a[k], e, "min"), jf::join(e, "min"), -big, big);
      b.max = jf::number(jf::member(a[k], e, "max"), jf::join(e, "max"), -big, big);
      n.extra_costs.push_back(b);
    }
  }
  if (!(n.signal_max > n.signal_min)) throw Error(where + ": signal_max must exceed signal_min");
  return n;
}

std::pair<double, double> space_cost_bounds(const SearchSpace& space, const SpaceCost& cost) {
  ArchCode base;
  base.length = static_cast<std::uint8_t>(space.length());
  const auto c0 = cost.cost(base);
  if (!c0) throw Error("space cost " + cost.name() + ": no cost for the all-zero architecture");
  double lo = *c0, hi = *c0;
  for (int p = 0; p < space.length(); ++p) {
    double dlo = 0, dhi = 0;
    for (int c = 1; c < static_cast<int>(space.positions()[static_cast<std::size_t>(p)].choices.size()); ++c) {
      ArchCode x = base;
      x.choices[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(c);
      const auto cx = cost.cost(x);
      if (!cx) throw Error(fmt::format("space cost {}: no cost with choice {} at position {}", cost.name(), c, p));
      const double d = *cx - *c0;
      dlo = std::min(dlo, d);
      dhi = std::max(dhi, d);
    }
    lo += dlo;
    hi += dhi;
  }
  return {lo, hi};
}

SpaceHvNormalisation space_hv_normalisation(const SearchSpace& space, const SpaceCost& cost,
                                            const std::vector<std::shared_ptr<SpaceCost>>& extra_costs) {
  SpaceHvNormalisation n;
  std::tie(n.cost_min, n.cost_max) = space_cost_bounds(space, cost);
  for (const auto& c : extra_costs) {
    SpaceCostBounds b;
    b.name = c->name();
    b.unit = c->unit();
    std::tie(b.min, b.max) = space_cost_bounds(space, *c);
    n.extra_costs.push_back(b);
  }
  return n;
}

}  // namespace pelnas
