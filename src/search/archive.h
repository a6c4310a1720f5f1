#pragma once
// Every architecture a search evaluated, in evaluation order, with the objectives the search saw.
// Serialises to JSON (checkpoints) and CSV (run outputs).
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "space/arch.h"
#include "space/arch_code.h"

namespace pelnas {

struct EvaluatedArch {
  Arch arch;              // the NB201 cell (NB201 space only)
  int index = -1;         // NB201 index
  double accuracy = 0;    // as seen by the search (table or predicted), percent
  double cost = 0;        // cost source unit
  int order = 0;          // 1-based evaluation number
  int generation = 0;     // search-defined (0 = initial population)
  int niche = -1;         // PEL-NAS niche, -1 when the search has none
  ArchCode code{};        // the architecture in its space: the key searches use (NB201: from `arch`)
  std::vector<double> extra_costs{};  // the extra cost objectives (3+ objectives), the evaluator's order
};

// The objectives of an entry as minimised: (100 - accuracy, cost, extra costs...).
std::vector<double> minimised_objectives(const EvaluatedArch& e);
// a dominates b: accuracy >= and every cost <=, one of them strictly.
bool dominates(const EvaluatedArch& a, const EvaluatedArch& b);

class Archive {
 public:
  void add(const EvaluatedArch& e) { entries_.push_back(e); }
  const std::vector<EvaluatedArch>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // Positions (into entries()) of the non-dominated entries under (max accuracy, min cost[, min
  // extra costs]); ties on every objective are all kept. Sorted by cost ascending (then accuracy
  // descending, extra costs ascending, evaluation order).
  std::vector<std::size_t> pareto_front_positions() const;
  std::vector<EvaluatedArch> pareto_front() const;

  nlohmann::json to_json() const;
  nlohmann::json to_json(std::size_t from) const;  // entries()[from, size()) only
  static Archive from_json(const nlohmann::json& j);  // throws pelnas::Error naming the bad field
  // The same, naming fields under `path` (e.g. "search.archive[3].accuracy"). Checks each entry's
  // types and ranges; consistency with a run (orders, niches, the data) is the reader's job.
  static Archive from_json(const nlohmann::json& j, const std::string& path);
  // CSV with header: order,generation,niche,index,arch_str,accuracy,cost (then one column per extra
  // cost, named by `extra_cost_names`, when the entries have extra costs)
  std::string to_csv(const std::vector<std::string>& extra_cost_names = {}) const;

 private:
  std::vector<EvaluatedArch> entries_;
};

}  // namespace pelnas
