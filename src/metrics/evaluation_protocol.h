#pragma once
// The one way pelnas scores a search (EvoXBench-style; PEL-NAS does not state its normalisation):
// objectives (test error %, cost[, extra costs]), all minimised, normalised by the true front's ideal
// and nadir points; HV reference at the normalised nadir (1, ..., 1) unless overridden; hv_ratio = HV(found) /
// HV(true front); IGD and IGD+ in the same normalised space. A found set is always re-scored with
// the true test accuracy first, so a search guided by predicted or 12-epoch accuracy is judged on
// what its architectures really achieve.
#include <optional>
#include <string>
#include <vector>

#include "evaluate/evaluator.h"
#include "metrics/hypervolume.h"
#include "metrics/true_front.h"
#include "search/archive.h"

namespace pelnas {

struct ProtocolOptions {
  // HV reference point in the normalised space, one coordinate per objective; (1, ..., 1) = the
  // true front's nadir when unset.
  std::optional<ObjectiveVector> reference_point;
};

// A usable reference point: at least two coordinates, all finite and > 0 (the true front spans [0, 1]).
bool is_valid_reference_point(const ObjectiveVector& p);
// "X,Y[,Z...]" (the form of --hv-ref) as a reference point in the normalised space; throws
// pelnas::Error naming `what` unless all are finite numbers > 0 (e.g. "1.1,1.1"; "1,1" is the
// default). The count must match the objectives (checked by the protocol).
ObjectiveVector parse_reference_point(const std::string& text, const std::string& what);

struct ProtocolResult {
  double hv = 0;        // hypervolume of the found set, normalised space
  double hv_ratio = 0;  // hv / HV(true front); 1 = the whole true front was found
  double igd = 0;       // lower is better; 0 = every true-front point was found
  double igd_plus = 0;  // IGD+ (Ishibuchi et al. 2015), dominance compliant
  int found = 0;        // architectures scored
  int found_front = 0;  // of which non-dominated under the true objectives
};

class EvaluationProtocol {
 public:
  // Throws pelnas::Error when the reference point leaves the true front no volume (HV ratio undefined).
  explicit EvaluationProtocol(TrueFront true_front, ProtocolOptions options = {});
  // Computes the true front of (dataset, cost source) first.
  static EvaluationProtocol for_cost_source(const BenchmarkData& data, Dataset dataset, const CostSource& cost,
                                            ProtocolOptions options = {});
  // The true front of the evaluator's dataset and every cost objective (the primary cost and the
  // extra costs), i.e. of the objectives the evaluator's search sees.
  static EvaluationProtocol for_evaluator(const Evaluator& evaluator, ProtocolOptions options = {});

  // Scores a set of found architectures, each re-scored by evaluator.true_objectives(). Throws
  // pelnas::Error when the evaluator's dataset/cost differ from the true front's, the set is empty,
  // or an architecture has no true objectives (outside the cost source's domain).
  ProtocolResult score(const std::vector<Arch>& found, const Evaluator& evaluator) const;
  // Scores a search's answer: the archive's Pareto front under the objectives the search saw
  // (the search may not pick its answer with the true accuracy), re-scored as above.
  ProtocolResult score_archive(const Archive& archive, const Evaluator& evaluator) const;
  // Same for the first `evaluations` entries of the archive (anytime curves).
  ProtocolResult score_archive_prefix(const Archive& archive, std::size_t evaluations, const Evaluator& evaluator) const;
  // Scores true objective vectors (test error %, cost[, extra costs]) directly.
  ProtocolResult score_objectives(const std::vector<ObjectiveVector>& error_cost) const;

  ObjectiveVector normalise(const ObjectiveVector& error_cost) const;
  std::size_t objectives() const { return ideal_.size(); }  // 2, or more with extra costs
  const ObjectiveVector& ideal() const { return ideal_; }  // (test error %, cost, ...), raw units
  const ObjectiveVector& nadir() const { return nadir_; }
  const ObjectiveVector& reference_point() const { return reference_; }  // normalised space
  double true_front_hv() const { return true_hv_; }
  const TrueFront& true_front() const { return front_; }
  // The protocol in words, with this problem's numbers, for every report.
  std::string describe() const;

 private:
  TrueFront front_;
  ProtocolOptions options_;
  ObjectiveVector ideal_, nadir_, range_, reference_;
  std::vector<ObjectiveVector> true_points_;  // normalised, distinct
  double true_hv_ = 0;
};

}  // namespace pelnas
