#pragma once
// The exact Pareto front of the NB201 space (maximise true 200-epoch test accuracy, minimise one
// cost, or several: extra cost objectives) over every architecture that has every cost value. This is the ground truth the
// evaluation protocol scores searches against; searches never see it.
#include <string>
#include <vector>

#include "data/benchmark_data.h"
#include "hardware/cost_source.h"

namespace pelnas {

// v rounded to `digits` significant decimal digits (as printf's %.<digits>g would read back).
double round_significant(double v, int digits = 10);

struct TrueFrontEntry {
  int rank = 0;         // 0 = lowest cost
  int index = -1;       // NB201 index
  double accuracy = 0;  // true test accuracy (%), unrounded
  double cost = 0;      // the cost source's value, unrounded
  std::vector<double> extra_costs{};  // the extra cost objectives' values, unrounded (empty: two objectives)
};

struct TrueFront {
  Dataset dataset = Dataset::Cifar10;
  std::string cost_name, cost_unit;
  std::vector<std::string> extra_cost_names, extra_cost_units;  // empty for two objectives
  int n_candidates = 0;  // architectures with a cost value (and an accuracy)
  int excluded = 0;      // left out of the searchable space on purpose (degenerate cells; CostSource::excluded())
  bool complete = false;  // every architecture of the space was a candidate or deliberately excluded
  std::vector<TrueFrontEntry> entries;  // by cost ascending; exact ties by NB201 index
  std::size_t objectives() const { return 2 + extra_cost_names.size(); }
};

// A candidate is on the front iff no other candidate has cost <= and accuracy >= with one strict
// inequality, where both objectives are compared after rounding to 10 significant digits (this
// absorbs 1-ulp noise in the published tables, e.g. 15.14352 vs 15.143519999999999). Candidates
// that tie on both rounded objectives are all listed, with consecutive ranks. O(n log n).
TrueFront compute_true_front(const BenchmarkData& data, Dataset dataset, const CostSource& cost);
// With extra cost objectives (3 or more objectives): candidates need every cost; a candidate is on
// the front iff no other is at least as good in every rounded objective and better in one. Ties on
// every rounded objective are all listed. Entries by cost ascending, then accuracy descending, then
// the extra costs ascending, then NB201 index. O(n log n + n F) for a front of F points. With no
// extra costs this is exactly the overload above.
TrueFront compute_true_front(const BenchmarkData& data, Dataset dataset, const CostSource& cost,
                             const std::vector<const CostSource*>& extra_costs);

}  // namespace pelnas
