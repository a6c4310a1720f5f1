#pragma once
// The Pareto front (max accuracy, min cost) of a growing set of evaluated archs, updated entry by
// entry (O(log n) amortised) instead of re-sorting everything whenever it is needed: a search's
// niche and global fronts, read every generation, would otherwise cost O(n log n) each time and
// grow with the archive. Same members in the same order as Archive::pareto_front_positions (cost
// ascending, accuracy descending, evaluation order; identical objective vectors all kept).
#include <cstddef>
#include <optional>
#include <set>
#include <vector>

#include "search/archive.h"

namespace pelnas {

class ParetoFrontTracker {
 public:
  // Adds the entry with this id (e.g. its archive position). Returns whether it entered the front.
  bool add(std::size_t id, const EvaluatedArch& e);
  // Ids of the current front, in Archive::pareto_front_positions' order.
  std::vector<std::size_t> ids() const;
  std::size_t size() const { return front_.size(); }
  // The best accuracy among the entries added whose cost is <= cost (nullopt: none): that of the
  // front's last point at cost <= cost, since every entry is on the front or dominated by a point
  // of it at no higher cost.
  std::optional<double> best_accuracy_at_most(double cost) const;
  void clear() { front_.clear(); }

 private:
  struct Point {
    double cost, accuracy;
    int order;
    std::size_t id;
  };
  struct Less {
    bool operator()(const Point& a, const Point& b) const;
  };
  std::set<Point, Less> front_;
};

}  // namespace pelnas
