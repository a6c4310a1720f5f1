#include "metrics/true_front.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "common/error.h"

namespace pelnas {

namespace {

// Exact powers of ten (10^k is exactly representable for k <= 22).
constexpr std::array<double, 23> kPow10 = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                           1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Rounds v * 10^shift to an integer exactly as decimal rounding of v would (printf's %.Ng works on
// the exact binary value): the product is rounded to a double, so an apparent .5 tie is resolved
// with the product's exact residual (fma); only a true tie goes to even.
double round_scaled(double v, int shift) {
  double scaled, residual;  // exact value = scaled + residual (in units of the scaled value)
  if (shift >= 0) {
    const double m = kPow10[shift];
    scaled = v * m;
    residual = std::fma(v, m, -scaled);
  } else {
    const double d = kPow10[-shift];
    scaled = v / d;
    residual = std::fma(-scaled, d, v);  // sign of v - scaled*d = sign of the quotient's error
  }
  double r = std::nearbyint(scaled);
  if (std::fabs(scaled - std::trunc(scaled)) == 0.5 && residual != 0) r = residual > 0 ? std::ceil(scaled) : std::floor(scaled);
  return r;
}

}  // namespace

double round_significant(double v, int digits) {
  if (v == 0 || !std::isfinite(v)) return v;
  const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  const int shift = digits - 1 - exponent;  // decimal places to keep
  if (shift >= 0 && shift < static_cast<int>(kPow10.size())) return round_scaled(v, shift) / kPow10[shift];
  if (shift < 0 && -shift < static_cast<int>(kPow10.size())) return round_scaled(v, shift) * kPow10[-shift];
  const double scale = std::pow(10.0, shift);  // far outside the benchmark's ranges
  return std::nearbyint(v * scale) / scale;
}

TrueFront compute_true_front(const BenchmarkData& data, Dataset dataset, const CostSource& cost) {
  struct Candidate {
    double accuracy, cost;  // rounded
    int index;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(data.size());
  for (int i = 0; i < data.size(); ++i) {
    const auto c = cost.cost(i);
    if (!c) continue;
    const auto a = data.accuracy(i, dataset, AccuracyMetric::Test);
    if (!a) continue;
    candidates.push_back({round_significant(*a), round_significant(*c), i});
  }
  TrueFront front;
  front.dataset = dataset;
  front.cost_name = cost.name();
  front.cost_unit = cost.unit();
  front.n_candidates = static_cast<int>(candidates.size());
  front.excluded = cost.excluded();
  front.complete = front.n_candidates + front.excluded == data.size();
  if (candidates.empty())
    throw Error("true front: no architecture has both a " + cost.name() + " value and a " +
                std::string(to_string(dataset)) + " test accuracy");
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
    if (x.cost != y.cost) return x.cost < y.cost;
    if (x.accuracy != y.accuracy) return x.accuracy > y.accuracy;
    return x.index < y.index;
  });
  // Every earlier candidate costs no more; p is non-dominated iff it beats the best accuracy so far,
  // or ties the last front point on both objectives.
  const Candidate* last = nullptr;
  for (const auto& c : candidates) {
    if (last == nullptr || c.accuracy > last->accuracy || (c.accuracy == last->accuracy && c.cost == last->cost)) {
      const int rank = static_cast<int>(front.entries.size());
      front.entries.push_back({rank, c.index, *data.accuracy(c.index, dataset, AccuracyMetric::Test), *cost.cost(c.index)});
      last = &c;
    }
  }
  return front;
}

TrueFront compute_true_front(const BenchmarkData& data, Dataset dataset, const CostSource& cost,
                             const std::vector<const CostSource*>& extra_costs) {
  if (extra_costs.empty()) return compute_true_front(data, dataset, cost);
  struct Candidate {
    std::vector<double> key;  // rounded: cost, -accuracy, extra costs (all minimised)
    int index;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(data.size());
  int with_all_costs = 0;
  for (int i = 0; i < data.size(); ++i) {
    const auto c = cost.cost(i);
    if (!c) continue;
    Candidate cand{{round_significant(*c), 0.0}, i};
    bool all = true;
    for (const auto* x : extra_costs) {
      const auto v = x->cost(i);
      if (!v) { all = false; break; }
      cand.key.push_back(round_significant(*v));
    }
    if (!all) continue;
    ++with_all_costs;
    const auto a = data.accuracy(i, dataset, AccuracyMetric::Test);
    if (!a) continue;
    cand.key[1] = -round_significant(*a);
    candidates.push_back(std::move(cand));
  }
  TrueFront front;
  front.dataset = dataset;
  front.cost_name = cost.name();
  front.cost_unit = cost.unit();
  for (const auto* x : extra_costs) {
    front.extra_cost_names.push_back(x->name());
    front.extra_cost_units.push_back(x->unit());
  }
  front.n_candidates = static_cast<int>(candidates.size());
  // A cell excluded on purpose (degenerate) is excluded from every cost source alike.
  front.excluded = cost.excluded();
  front.complete = with_all_costs + front.excluded == data.size() && front.n_candidates == with_all_costs;
  std::string names = cost.name();
  for (const auto* x : extra_costs) names += ", " + x->name();
  if (candidates.empty())
    throw Error("true front: no architecture has every cost (" + names + ") and a " + std::string(to_string(dataset)) +
                " test accuracy");
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
    return x.key != y.key ? x.key < y.key : x.index < y.index;
  });
  // Lexicographic order: a candidate can only be dominated by an earlier one, and (dominance being
  // transitive) then by an earlier front member, so comparing with the front so far suffices.
  auto dominates = [](const std::vector<double>& a, const std::vector<double>& b) {
    bool strict = false;
    for (std::size_t k = 0; k < a.size(); ++k) {
      if (a[k] > b[k]) return false;
      strict = strict || a[k] < b[k];
    }
    return strict;
  };
  std::vector<const Candidate*> kept;
  for (const auto& c : candidates) {
    bool dominated = false;
    for (const auto* k : kept)
      if (dominates(k->key, c.key)) { dominated = true; break; }
    if (dominated) continue;
    kept.push_back(&c);
    TrueFrontEntry e{static_cast<int>(front.entries.size()), c.index, *data.accuracy(c.index, dataset, AccuracyMetric::Test),
                     *cost.cost(c.index), {}};
    for (const auto* x : extra_costs) e.extra_costs.push_back(*x->cost(c.index));
    front.entries.push_back(std::move(e));
  }
  return front;
}

}  // namespace pelnas
