#pragma once
// Every architecture a PEL-NAS niche has evaluated, with the statistics the evolution operator
// learns from kept up to date entry by entry: (position, choice) counts and pair counts (the normal
// matrix of its additive model), the accuracies in order and sorted, the (accuracy, cost) Pareto
// front and the set of codes. The operator reads them every generation; recomputing them from the
// entries made each generation's cost grow with the niche's history (issue 14).
//
// A value type whose copies share their data until one of them is changed (copy-on-write), so the
// search hands a niche's history to the operator without copying it. The statistics are brought
// up to date on first use after entries were added (stats(), under a lock, so concurrent readers of
// one history are fine); writers (push_back) must not run concurrently with anything else on the
// same object.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <vector>

#include "search/archive.h"
#include "search/pareto_front_tracker.h"
#include "space/arch_code.h"
#include "space/search_space.h"

namespace pelnas {

class NicheHistory {
 public:
  struct Stats {
    // The space's shape these statistics are for: choices per position, and where each position's
    // features start in the flat (position, choice) feature index.
    std::vector<int> choices, offset;
    int features = 0;
    std::size_t fed = 0;  // entries folded in so far
    // Entry positions carrying each feature (ascending), and pair counts (features x features,
    // the diagonal is the feature's count).
    std::vector<std::vector<std::uint32_t>> positions;
    std::vector<std::int64_t> pairs;
    // Per entry, in order: accuracy, and its feature index at each position (length() per entry).
    std::vector<double> accuracy;
    std::vector<std::uint16_t> feature_of;
    std::vector<double> sorted_accuracy;  // ascending
    ParetoFrontTracker front;             // (max accuracy, min cost) over every entry; ids = positions
    std::unordered_set<ArchCode> codes;
    bool duplicates = false;   // some code occurs twice
    bool extra_costs = false;  // some entry has extra cost objectives (3+ objectives)
    bool non_finite = false;   // some accuracy or cost is NaN or infinite (the front above is then not kept)
    bool misshapen = false;    // some code does not fit the shape (length or choice out of range)

    int length() const { return static_cast<int>(choices.size()); }
    // The front and sorted accuracies are exact stand-ins for scans of the entries.
    bool front_exact() const { return !non_finite && !misshapen; }
    // Counts, pairs and feature_of are valid.
    bool counts_exact() const { return !misshapen; }
    // Ascending positions of the non-dominated entries (two objectives, front_exact only).
    std::vector<std::size_t> front_positions() const;
    // The best accuracy of an entry whose cost is <= cost, ignoring extra costs (nullopt: none).
    std::optional<double> best_accuracy_at_most(double cost) const { return front.best_accuracy_at_most(cost); }
    std::int64_t count(int feature) const {
      return pairs[static_cast<std::size_t>(feature) * static_cast<std::size_t>(features) + static_cast<std::size_t>(feature)];
    }
  };

  NicheHistory();
  NicheHistory(std::vector<EvaluatedArch> entries);  // NOLINT(google-explicit-constructor): hand-built states
  NicheHistory(std::initializer_list<EvaluatedArch> entries);

  void push_back(const EvaluatedArch& entry);

  const std::vector<EvaluatedArch>& entries() const { return data_->entries; }
  std::size_t size() const { return data_->entries.size(); }
  bool empty() const { return data_->entries.empty(); }
  const EvaluatedArch& operator[](std::size_t i) const { return data_->entries[i]; }
  auto begin() const { return data_->entries.begin(); }
  auto end() const { return data_->entries.end(); }

  // The statistics over every entry for this space's shape: O(new entries) after the first call
  // (a different shape rebuilds them). The reference stays valid until the history is changed.
  const Stats& stats(const SearchSpace& space) const;

 private:
  struct Data {
    std::vector<EvaluatedArch> entries;
    mutable std::mutex mutex;
    mutable std::unique_ptr<Stats> stats;
    Data() = default;
    Data(const Data& other);
  };
  std::shared_ptr<Data> data_;
};

}  // namespace pelnas
