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

bool is_valid_reference_point(const Point2& p) {
  return std::isfinite(p[0]) && std::isfinite(p[1]) && p[0] > 0 && p[1] > 0;
}

Point2 parse_reference_point(const std::string& text, const std::string& what) {
  Point2 p{};
  const auto comma = text.find(',');
  bool ok = comma != std::string::npos;
  for (int k = 0; ok && k < 2; ++k) {
    const std::string part = k == 0 ? text.substr(0, comma) : text.substr(comma + 1);
    char* end = nullptr;
    p[k] = std::strtod(part.c_str(), &end);
    while (end && *end == ' ') ++end;
    ok = end != part.c_str() && *end == '\0';
  }
  if (!ok || !is_valid_reference_point(p))
    throw Error(fmt::format("{}: expected two numbers > 0 as X,Y in the normalised objective space (the true front's "
                            "nadir is 1,1), e.g. 1.1,1.1; got '{}'",
                            what, text));
  return p;
}

EvaluationProtocol::EvaluationProtocol(TrueFront true_front, ProtocolOptions options)
    : front_(std::move(true_front)), options_(options) {
  if (front_.entries.empty()) throw Error("evaluation protocol: the true front is empty");
  constexpr double inf = std::numeric_limits<double>::infinity();
  ideal_ = {inf, inf};
  nadir_ = {-inf, -inf};
  for (const auto& e : front_.entries) {
    const Point2 p{100.0 - e.accuracy, e.cost};
    for (int k = 0; k < 2; ++k) {
      ideal_[k] = std::min(ideal_[k], p[k]);
      nadir_[k] = std::max(nadir_[k], p[k]);
    }
  }
  // A front that is a single point in one objective has no spread to normalise by; keep raw units.
  for (int k = 0; k < 2; ++k) range_[k] = nadir_[k] > ideal_[k] ? nadir_[k] - ideal_[k] : 1.0;
  reference_ = options_.reference_point.value_or(Point2{1.0, 1.0});
  if (std::isnan(reference_[0]) || std::isnan(reference_[1]))
    throw Error("evaluation protocol: reference_point must be two numbers");
  // Distinct objective vectors (exact ties are listed once per architecture in the front).
  std::set<std::pair<double, double>> seen;
  std::vector<Point2> normalised;
  for (const auto& e : front_.entries) {
    const Point2 raw{100.0 - e.accuracy, e.cost};
    if (!seen.insert({round_significant(raw[0]), round_significant(raw[1])}).second) continue;
    const Point2 n = normalise(raw);
    normalised.push_back(n);
    true_points_.push_back({n[0], n[1]});
  }
  true_hv_ = hypervolume_2d(normalised, reference_);
  if (!(true_hv_ > 0))
    throw Error(fmt::format(
        "evaluation protocol: the true front of {} / {} has no hypervolume with reference point ({}, {}) "
        "({} distinct points); the HV ratio would be undefined. Choose a reference point beyond (1, 1)",
        to_string(front_.dataset), front_.cost_name, reference_[0], reference_[1], true_points_.size()));
}

EvaluationProtocol EvaluationProtocol::for_cost_source(const BenchmarkData& data, Dataset dataset,
                                                       const CostSource& cost, ProtocolOptions options) {
  return EvaluationProtocol(compute_true_front(data, dataset, cost), options);
}

Point2 EvaluationProtocol::normalise(const Point2& p) const {
  return {(p[0] - ideal_[0]) / range_[0], (p[1] - ideal_[1]) / range_[1]};
}

ProtocolResult EvaluationProtocol::score_objectives(const std::vector<Point2>& error_cost) const {
  if (error_cost.empty()) throw Error("evaluation protocol: the found set is empty");
  std::vector<Point2> normalised;
  std::vector<ObjectiveVector> as_vectors;
  for (const auto& p : error_cost) {
    if (std::isnan(p[0]) || std::isnan(p[1])) throw Error("evaluation protocol: a found objective is NaN");
    const Point2 n = normalise(p);
    normalised.push_back(n);
    as_vectors.push_back({n[0], n[1]});
  }
  // IGD is measured to the found set's non-dominated points (dominated ones are not part of the
  // answer); HV is the same with or without them.
  std::vector<ObjectiveVector> front;
  for (std::size_t i : non_dominated_positions(as_vectors)) front.push_back(as_vectors[i]);
  ProtocolResult r;
  r.found = static_cast<int>(error_cost.size());
  r.found_front = static_cast<int>(front.size());
  r.hv = hypervolume_2d(std::move(normalised), reference_);
  r.hv_ratio = r.hv / true_hv_;
  r.igd = igd(front, true_points_);
  r.igd_plus = igd_plus(front, true_points_);
  return r;
}

ProtocolResult EvaluationProtocol::score(const std::vector<Arch>& found, const Evaluator& evaluator) const {
  if (evaluator.dataset() != front_.dataset || evaluator.cost_source().name() != front_.cost_name)
    throw Error(fmt::format("evaluation protocol: the evaluator scores {} / {} but the true front is {} / {}",
                            to_string(evaluator.dataset()), evaluator.cost_source().name(), to_string(front_.dataset),
                            front_.cost_name));
  std::vector<Point2> points;
  points.reserve(found.size());
  for (const auto& arch : found) {
    const Objectives o = evaluator.true_objectives(arch);
    if (!o.complete())
      throw Error(fmt::format("evaluation protocol: found architecture {} has no {} on {} (outside the domain)",
                              arch.str(), o.cost ? "test accuracy" : "cost", front_.cost_name));
    points.push_back({100.0 - *o.accuracy, *o.cost});
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
  return fmt::format(
      "Objectives: f1 = test error (%) = 100 - true 200-epoch test accuracy on {ds}; f2 = {cost} ({unit}); both "
      "minimised. The answer of a search is the Pareto front of its archive under the objectives it saw; each of "
      "those architectures is re-scored with its true test accuracy and cost before any metric. Normalisation: "
      "f' = (f - ideal) / (nadir - ideal) with the true front's ideal point ({i0:.6g} %, {i1:.6g} {unit}) and nadir "
      "point ({n0:.6g} %, {n1:.6g} {unit}). hv: exact 2-D hypervolume of the re-scored answer in that space with "
      "reference point ({r0:.6g}, {r1:.6g}){refnote}; points not dominating it add nothing. hv_ratio = hv / HV(true "
      "front) = hv / {thv:.6g}. igd / igd_plus: mean, over the {np} distinct true-front points, of the Euclidean "
      "(IGD) or dominance-compliant (IGD+, Ishibuchi et al. 2015) distance to the nearest non-dominated point of the "
      "re-scored answer, in the same normalised space. True front: exact, over {nc} architectures with a {cost} "
      "value{partial}{excl}, dominance tested on values rounded to 10 significant digits, {nf} architectures.",
      fmt::arg("ds", to_string(front_.dataset)), fmt::arg("cost", front_.cost_name), fmt::arg("unit", front_.cost_unit),
      fmt::arg("i0", ideal_[0]), fmt::arg("i1", ideal_[1]), fmt::arg("n0", nadir_[0]), fmt::arg("n1", nadir_[1]),
      fmt::arg("r0", reference_[0]), fmt::arg("r1", reference_[1]),
      fmt::arg("refnote", default_ref ? " (the normalised nadir)" : " (overridden)"), fmt::arg("thv", true_hv_),
      fmt::arg("np", true_points_.size()), fmt::arg("nc", front_.n_candidates),
      fmt::arg("partial", front_.complete ? "" : " (partial coverage: the front of the covered architectures only)"),
      fmt::arg("nf", front_.entries.size()),
      fmt::arg("excl", front_.excluded > 0
                           ? fmt::format(" ({} degenerate cells, whose output is identically zero, excluded from the "
                                         "searchable space and the true front)",
                                         front_.excluded)
                           : std::string()));
}

}  // namespace pelnas
