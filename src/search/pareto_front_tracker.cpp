#include "search/pareto_front_tracker.h"

#include <iterator>
#include <limits>

namespace pelnas {

// Archive::pareto_front_positions' sweep order. Along the front, accuracy then grows strictly with
// cost (identical objective vectors aside).
bool ParetoFrontTracker::Less::operator()(const Point& a, const Point& b) const {
  if (a.cost != b.cost) return a.cost < b.cost;
  if (a.accuracy != b.accuracy) return a.accuracy > b.accuracy;
  return a.order != b.order ? a.order < b.order : a.id < b.id;
}

bool ParetoFrontTracker::add(std::size_t id, const EvaluatedArch& entry) {
  const Point p{entry.cost, entry.accuracy, entry.order, id};
  auto next = front_.lower_bound(p);
  if (next != front_.begin()) {
    // Everything before p in the order has accuracy <= that of its immediate predecessor.
    const Point& prev = *std::prev(next);
    const bool identical = prev.cost == p.cost && prev.accuracy == p.accuracy;
    if (!identical && prev.accuracy >= p.accuracy) return false;  // dominated
  }
  // p enters; later points (cost >= p's) with accuracy <= p's are now dominated by it.
  while (next != front_.end() && next->accuracy <= p.accuracy && !(next->cost == p.cost && next->accuracy == p.accuracy))
    next = front_.erase(next);
  front_.insert(next, p);
  return true;
}

std::optional<double> ParetoFrontTracker::best_accuracy_at_most(double cost) const {
  // The first point of higher cost (points of equal cost sort before it: accuracy > -infinity).
  const auto it = front_.upper_bound(Point{cost, -std::numeric_limits<double>::infinity(), std::numeric_limits<int>::max(),
                                           std::numeric_limits<std::size_t>::max()});
  if (it == front_.begin()) return std::nullopt;
  return std::prev(it)->accuracy;
}

std::vector<std::size_t> ParetoFrontTracker::ids() const {
  std::vector<std::size_t> out;
  out.reserve(front_.size());
  for (const auto& p : front_) out.push_back(p.id);
  return out;
}

}  // namespace pelnas
