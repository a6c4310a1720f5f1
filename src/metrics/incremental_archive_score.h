#pragma once
// Anytime scoring of a growing archive (learning curves) without re-scoring from scratch: the
// answer of a search is the Pareto front of its archive under the objectives it saw, and that front
// (hence every metric of it) changes only when a new entry enters it. The front is kept in a
// sorted set for two objectives (O(log n) per entry, amortised; a list for more), and the metrics are recomputed only when it changed
// since the last score. The result is bit-identical to EvaluationProtocol::score_archive_prefix.
#include <optional>
#include <set>
#include <vector>

#include "metrics/evaluation_protocol.h"

namespace pelnas {

class IncrementalArchiveScore {
 public:
  // Both must outlive this object.
  IncrementalArchiveScore(const EvaluationProtocol& protocol, const Evaluator& evaluator);

  // The next archive entry (in evaluation order). Returns whether it entered the front.
  bool add(const EvaluatedArch& entry);
  // The protocol's result for every entry added so far (cached while the front is unchanged).
  // Throws pelnas::Error as EvaluationProtocol::score does (e.g. before any entry).
  const ProtocolResult& score();

  std::size_t size() const { return entries_.size(); }
  // Positions (into the added entries) of the current front, by cost ascending as
  // Archive::pareto_front_positions orders them.
  std::vector<std::size_t> front_positions() const;

 private:
  struct FrontOrder {
    const std::vector<EvaluatedArch>* entries;
    bool operator()(std::size_t a, std::size_t b) const;
  };
  const EvaluationProtocol& protocol_;
  const Evaluator& evaluator_;
  std::vector<EvaluatedArch> entries_;
  std::set<std::size_t, FrontOrder> front_;
  // More than two objectives (entries with extra costs): the front as a plain list, each new entry
  // compared with every member (fronts stay small next to the archive).
  bool n_objectives_ = false;
  std::vector<std::size_t> front_nd_;
  std::optional<ProtocolResult> cached_;
};

}  // namespace pelnas
