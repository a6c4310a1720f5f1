#include "metrics/evaluation_protocol.h"

#include <cstdlib>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <set>

#include "common/error.h"
#include "metrics/igd.h"

namespace pelnas {

bool is_valid_reference_point(const ObjectiveVector& p) {
  if (p.size() < 2) return false;
  for (double v : p)
    if (!(std::isfinite(v) && v > 0)) return false;
  return true;
}

ObjectiveVector parse_reference_point(const std::string& text, const std::string& what) {
  ObjectiveVector p;
  bool ok = text.find(',') != std::string::npos;
  std::size_t start = 0;
  while (ok) {
    const auto comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const double v = std::strtod(part.c_str(), &end);
    while (end && *end == ' ') ++end;
    ok = end != part.c_str() && *end == '\0';
    p.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (!ok || !is_valid_reference_point(p))
    throw Error(fmt::format("{}: expected one number > 0 per objective as X,Y[,Z...] in the normalised objective "
                            "space (the true front's nadir is 1,1), e.g. 1.1,1.1; got '{}'",
                            what, text));
  return p;
}

namespace {

// (test error %, cost, extra costs...): every objective minimised, raw units.
ObjectiveVector raw_objectives(const TrueFrontEntry& e) {
  ObjectiveVector v{100.0 - e.accuracy, e.cost};
  v.insert(v.end(), e.extra_costs.begin(), e.extra_costs.end());
  return v;
}

double hypervolume_of(const std::vector<ObjectiveVector>& points, const ObjectiveVector& reference) {
  // Two objectives: the exact sweep (the results recorded before n objectives existed); more: pagmo.
  if (reference.size() != 2) return hypervolume(points, reference);
  std::vector<Point2> p2;
  p2.reserve(points.size());
  for (const auto& p : points) p2.push_back({p[0], p[1]});
  return hypervolume_2d(std::move(p2), {reference[0], reference[1]});
}

std::string join_numbers(const ObjectiveVector& v, const char* suffix0 = "", const std::vector<std::string>& units = {}) {
  std::string s;
  for (std::size_t k = 0; k < v.size(); ++k) {
    s += (k ? ", " : "") + fmt::format("{:.6g}", v[k]);
    if (k == 0 && *suffix0) s += std::string(" ") + suffix0;
    if (k > 0 && k - 1 < units.size()) s += " " + units[k - 1];
  }
  return s;
}

}  // namespace

EvaluationProtocol::EvaluationProtocol(TrueFront true_front, ProtocolOptions options)
    : front_(std::move(true_front)), options_(std::move(options)) {
  if (front_.entries.empty()) throw Error("evaluation protocol: the true front is empty");
  const std::size_t dim = front_.objectives();
  constexpr double inf = std::numeric_limits<double>::infinity();
  ideal_.assign(dim, inf);
  nadir_.assign(dim, -inf);
  for (const auto& e : front_.entries) {
    const ObjectiveVector p = raw_objectives(e);
    if (p.size() != dim) throw Error("evaluation protocol: a true-front entry has the wrong number of costs");
    for (std::size_t k = 0; k < dim; ++k) {
      ideal_[k] = std::min(ideal_[k], p[k]);
      nadir_[k] = std::max(nadir_[k], p[k]);
    }
  }
  // A front that is a single point in one objective has no spread to normalise by; keep raw units.
  range_.resize(dim);
  for (std::size_t k = 0; k < dim; ++k) range_[k] = nadir_[k] > ideal_[k] ? nadir_[k] - ideal_[k] : 1.0;
  reference_ = options_.reference_point.value_or(ObjectiveVector(dim, 1.0));
  if (reference_.size() != dim)
    throw Error(fmt::format("evaluation protocol: the HV reference point has {} coordinates but there are {} objectives",
                            reference_.size(), dim));
  for (double r : reference_)
    if (std::isnan(r)) throw Error("evaluation protocol: reference_point must be numbers");
  // Distinct objective vectors (exact ties are listed once per architecture in the front).
  std::set<ObjectiveVector> seen;
  for (const auto& e : front_.entries) {
    const ObjectiveVector raw = raw_objectives(e);
    ObjectiveVector rounded;
    for (double v : raw) rounded.push_back(round_significant(v));
    if (!seen.insert(rounded).second) continue;
    true_points_.push_back(normalise(raw));
  }
  true_hv_ = hypervolume_of(true_points_, reference_);
  if (!(true_hv_ > 0))
    throw Error(fmt::format(
        "evaluation protocol: the true front of {} / {} has no hypervolume with reference point ({}) "
        "({} distinct points); the HV ratio would be undefined. Choose a reference point beyond (1, ..., 1)",
        to_string(front_.dataset), front_.cost_name, join_numbers(reference_), true_points_.size()));
}

EvaluationProtocol EvaluationProtocol::for_cost_source(const BenchmarkData& data, Dataset dataset,
                                                       const CostSource& cost, ProtocolOptions options) {
  return EvaluationProtocol(compute_true_front(data, dataset, cost), options);
}

EvaluationProtocol EvaluationProtocol::for_evaluator(const Evaluator& evaluator, ProtocolOptions options) {
  std::vector<const CostSource*> extras;
  for (const auto& c : evaluator.extra_cost_sources()) extras.push_back(c.get());
  return EvaluationProtocol(compute_true_front(evaluator.data(), evaluator.dataset(), evaluator.cost_source(), extras),
                            std::move(options));
}

ObjectiveVector EvaluationProtocol::normalise(const ObjectiveVector& p) const {
  if (p.size() != ideal_.size())
    throw Error(fmt::format("evaluation protocol: an objective vector has {} values, expected {}", p.size(), ideal_.size()));
  ObjectiveVector n(p.size());
  for (std::size_t k = 0; k < p.size(); ++k) n[k] = (p[k] - ideal_[k]) / range_[k];
  return n;
}

ProtocolResult EvaluationProtocol::score_objectives(const std::vector<ObjectiveVector>& error_cost) const {
  if (error_cost.empty()) throw Error("evaluation protocol: the found set is empty");
  std::vector<ObjectiveVector> as_vectors;
  for (const auto& p : error_cost) {
    for (double v : p)
      if (std::isnan(v)) throw Error("evaluation protocol: a found objective is NaN");
    as_vectors.push_back(normalise(p));
  }
  // IGD is measured to the found set's non-dominated points (dominated ones are not part of the
  // answer); HV is the same with or without them.
  std::vector<ObjectiveVector> front;
  for (std::size_t i : non_dominated_positions(as_vectors)) front.push_back(as_vectors[i]);
  ProtocolResult r;
  r.found = static_cast<int>(error_cost.size());
  r.found_front = static_cast<int>(front.size());
  r.hv = hypervolume_of(as_vectors, reference_);
  r.hv_ratio = r.hv / true_hv_;
  r.igd = igd(front, true_points_);
  r.igd_plus = igd_plus(front, true_points_);
  return r;
}

ProtocolResult EvaluationProtocol::score(const std::vector<Arch>& found, const Evaluator& evaluator) const {
  std::vector<std::string> extra_names;
  for (const auto& c : evaluator.extra_cost_sources()) extra_names.push_back(c->name());
  if (evaluator.dataset() != front_.dataset || evaluator.cost_source().name() != front_.cost_name ||
      extra_names != front_.extra_cost_names)
    throw Error(fmt::format("evaluation protocol: the evaluator scores {} / {} (+{} extra costs) but the true front is "
                            "{} / {} (+{} extra costs)",
                            to_string(evaluator.dataset()), evaluator.cost_source().name(), extra_names.size(),
                            to_string(front_.dataset), front_.cost_name, front_.extra_cost_names.size()));
  std::vector<ObjectiveVector> points;
  points.reserve(found.size());
  for (const auto& arch : found) {
    const Objectives o = evaluator.true_objectives(arch);
    if (!o.complete())
      throw Error(fmt::format("evaluation protocol: found architecture {} has no {} on {} (outside the domain)",
                              arch.str(), o.accuracy ? "cost" : "test accuracy", front_.cost_name));
    ObjectiveVector v{100.0 - *o.accuracy, *o.cost};
    for (const auto& x : o.extra_costs) v.push_back(*x);
    points.push_back(std::move(v));
  }
  return score_objectives(points);
}

ProtocolResult EvaluationProtocol::score_archive(const Archive& archive, const Evaluator& evaluator) const {
  return score_archive_prefix(archive, archive.size(), evaluator);
}

ProtocolResult EvaluationProtocol::score_archive_prefix(const Archive& archive, std::size_t evaluations,
                                                        const Evaluator& evaluator) const {
  Archive prefix;
  const auto& entries = archive.entries();
  for (std::size_t i = 0; i < std::min(evaluations, entries.size()); ++i) prefix.add(entries[i]);
  std::vector<Arch> answer;
  for (const auto& e : prefix.pareto_front()) answer.push_back(e.arch);
  return score(answer, evaluator);
}

std::string EvaluationProtocol::describe() const {
  const bool default_ref = !options_.reference_point.has_value();
  const std::size_t dim = objectives();
  std::string objectives_text = fmt::format("f1 = test error (%) = 100 - true 200-epoch test accuracy on {}; f2 = {} ({})",
                                            to_string(front_.dataset), front_.cost_name, front_.cost_unit);
  for (std::size_t k = 0; k < front_.extra_cost_names.size(); ++k)
    objectives_text += fmt::format("; f{} = {} ({})", k + 3, front_.extra_cost_names[k], front_.extra_cost_units[k]);
  std::vector<std::string> units{front_.cost_unit};
  units.insert(units.end(), front_.extra_cost_units.begin(), front_.extra_cost_units.end());
  std::string cost_names = front_.cost_name;
  for (const auto& n : front_.extra_cost_names) cost_names += " and " + n;
  return fmt::format(
      "Objectives: {objs}; {all} minimised. The answer of a search is the Pareto front of its archive under the "
      "objectives it saw; each of those architectures is re-scored with its true test accuracy and cost{costs_pl} "
      "before any metric. Normalisation: f' = (f - ideal) / (nadir - ideal) with the true front's ideal point ({ideal}) "
      "and nadir point ({nadir}). hv: exact {dim}-D hypervolume{algo} of the re-scored answer in that space with "
      "reference point ({ref}){refnote}; points not dominating it add nothing. hv_ratio = hv / HV(true "
      "front) = hv / {thv:.6g}. igd / igd_plus: mean, over the {np} distinct true-front points, of the Euclidean "
      "(IGD) or dominance-compliant (IGD+, Ishibuchi et al. 2015) distance to the nearest non-dominated point of the "
      "re-scored answer, in the same normalised space. True front: exact, over {nc} architectures with a {cost} "
      "value{partial}{excl}, dominance tested on values rounded to 10 significant digits, {nf} architectures.",
      fmt::arg("objs", objectives_text), fmt::arg("all", dim == 2 ? "both" : "all"),
      fmt::arg("costs_pl", dim == 2 ? "" : "s"), fmt::arg("ideal", join_numbers(ideal_, "%", units)),
      fmt::arg("nadir", join_numbers(nadir_, "%", units)), fmt::arg("dim", dim),
      fmt::arg("algo", dim == 2 ? "" : " (pagmo2)"), fmt::arg("ref", join_numbers(reference_)),
      fmt::arg("refnote", default_ref ? " (the normalised nadir)" : " (overridden)"), fmt::arg("thv", true_hv_),
      fmt::arg("np", true_points_.size()), fmt::arg("nc", front_.n_candidates), fmt::arg("cost", cost_names),
      fmt::arg("partial", front_.complete ? "" : " (partial coverage: the front of the covered architectures only)"),
      fmt::arg("nf", front_.entries.size()),
      fmt::arg("excl", front_.excluded > 0
                           ? fmt::format(" ({} degenerate cells, whose output is identically zero, excluded from the "
                                         "searchable space and the true front)",
                                         front_.excluded)
                           : std::string()));
}

}  // namespace pelnas
