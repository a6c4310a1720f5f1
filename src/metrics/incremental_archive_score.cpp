#include "metrics/incremental_archive_score.h"

#include <algorithm>
#include <iterator>

namespace pelnas {

// The order of Archive::pareto_front_positions' sweep: cost ascending, accuracy descending, then
// evaluation order. Along the front, accuracy then grows strictly with cost (exact ties aside).
bool IncrementalArchiveScore::FrontOrder::operator()(std::size_t a, std::size_t b) const {
  const auto &x = (*entries)[a], &y = (*entries)[b];
  if (x.cost != y.cost) return x.cost < y.cost;
  if (x.accuracy != y.accuracy) return x.accuracy > y.accuracy;
  return x.order != y.order ? x.order < y.order : a < b;
}

IncrementalArchiveScore::IncrementalArchiveScore(const EvaluationProtocol& protocol, const Evaluator& evaluator)
    : protocol_(protocol), evaluator_(evaluator), front_(FrontOrder{&entries_}) {}

bool IncrementalArchiveScore::add(const EvaluatedArch& entry) {
  entries_.push_back(entry);
  const std::size_t pos = entries_.size() - 1;
  const auto& e = entries_[pos];
  if (!e.extra_costs.empty()) n_objectives_ = true;
  if (n_objectives_) {
    for (std::size_t q : front_nd_)
      if (dominates(entries_[q], e)) return false;
    std::erase_if(front_nd_, [&](std::size_t q) { return dominates(e, entries_[q]); });
    front_nd_.push_back(pos);
    cached_.reset();
    return true;
  }
  auto next = front_.lower_bound(pos);
  if (next != front_.begin()) {
    // Everything before e in the order has accuracy <= that of its immediate predecessor.
    const auto& p = entries_[*std::prev(next)];
    const bool identical = p.cost == e.cost && p.accuracy == e.accuracy;
    if (!identical && p.accuracy >= e.accuracy) return false;  // dominated: the answer is unchanged
  }
  // e enters; later entries (cost >= e's) with accuracy <= e's are now dominated by it.
  while (next != front_.end() && entries_[*next].accuracy <= e.accuracy &&
         !(entries_[*next].cost == e.cost && entries_[*next].accuracy == e.accuracy))
    next = front_.erase(next);
  front_.insert(next, pos);
  cached_.reset();
  return true;
}

std::vector<std::size_t> IncrementalArchiveScore::front_positions() const {
  if (!n_objectives_) return {front_.begin(), front_.end()};
  // Archive::pareto_front_positions' order for more than two objectives.
  std::vector<std::size_t> out = front_nd_;
  std::sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) {
    const auto &x = entries_[a], &y = entries_[b];
    if (x.cost != y.cost) return x.cost < y.cost;
    if (x.accuracy != y.accuracy) return x.accuracy > y.accuracy;
    if (x.extra_costs != y.extra_costs) return x.extra_costs < y.extra_costs;
    return x.order < y.order;
  });
  return out;
}

const ProtocolResult& IncrementalArchiveScore::score() {
  if (!cached_) {
    std::vector<Arch> answer;
    for (std::size_t p : front_positions()) answer.push_back(entries_[p].arch);
    cached_ = protocol_.score(answer, evaluator_);
  }
  return *cached_;
}

}  // namespace pelnas
