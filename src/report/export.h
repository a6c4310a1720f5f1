#pragma once
// Getting a chosen architecture out of a run: which front point (knee, max accuracy, min cost, or
// an NB201 index), as a JSON record with metrics and provenance, or as a standalone PyTorch module
// file that builds the NB201 cell network (the TinyNetwork layout of the LibTorch model, so the
// parameter counts agree with the benchmark table) ready to train.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/enums.h"
#include "report/run_data.h"
#include "space/arch.h"

namespace pelnas::report {

enum class PickRule { Knee, MaxAccuracy, MinCost, Index };

struct Pick {
  PickRule rule = PickRule::Knee;
  int index = -1;  // NB201 index when rule == Index
  std::optional<Arch> arch;  // when picked by arch string (index resolved later with the table)
  // "knee", "max-accuracy" (also "most-accurate"), "min-latency" (also "fastest", "min-cost",
  // "cheapest"), a decimal NB201 index, or an arch string (read as its NB201 index).
  static Pick parse(std::string_view text);
  std::string str() const;
  std::string describe() const;  // the rule in words, for the exported file's header
};

using ExportCandidate = RunPoint;

// The knee of a bi-objective front (max accuracy, min cost): both objectives are normalised to
// [0, 1] over the front (cost by its min/max, accuracy by its min/max); the knee is the point with
// the largest perpendicular distance to the straight line joining the two extreme points (the
// lowest-cost and the most accurate). Ties go to the lower cost. With fewer than three distinct
// points (or a flat front) there is no bend, and the lowest-cost point of highest accuracy is
// returned. With three or more objectives (extra costs), the point nearest to the front's ideal
// point in the same normalisation. Returns a position into `front`; throws pelnas::Error on an empty front.
std::size_t knee_position(const std::vector<ExportCandidate>& front);

// Applies a pick rule. Knee / max-accuracy / min-cost choose among `front` using the accuracy the
// search saw (the run's own answer, as a user of that run would choose); Index looks in
// `archive` (every evaluated architecture) and returns nullopt when the run never evaluated it (the
// caller then takes the cell from the benchmark table). Ties: max-accuracy prefers lower cost, min-cost prefers higher accuracy.
std::optional<ExportCandidate> pick_candidate(const std::vector<ExportCandidate>& front,
                                              const std::vector<ExportCandidate>& archive, const Pick& pick);

struct ExportProvenance {
  std::string run_dir;
  std::uint64_t seed = 0;
  bool has_seed = false;
  std::string dataset;     // "cifar10", ...
  std::string device;      // "fpga", ...
  std::string cost_name;   // "fpga_latency", ...
  std::string cost_unit;   // "ms"
  std::string operator_name;
  std::string accuracy_source;  // the run's accuracy_signal: "table:valid", "predictor", ...
  std::string search;      // "pelnas", ...
  std::string run_state = "finished";  // or "not finished: ..." (an unfinished run exports from its current front)
};

// The JSON record: arch, index, metrics {seen_accuracy, true_accuracy, cost {value, unit, name},
// params_m, flops_m}, pick, provenance {..., run_state, pelnas_version}.
nlohmann::json export_json(const ExportCandidate& c, const Pick& pick, const ExportProvenance& prov,
                           double params_m, double flops_m);

// Python source of a standalone module (imports only torch and torch.nn) that builds the cell
// network for `arch` with the dataset's classes, with build_model() and count_parameters(), and a
// comment giving `expected_params` (the table's parameter count, as an integer).
std::string pytorch_module_source(const ExportCandidate& c, Dataset dataset, long long expected_params,
                                  const ExportProvenance& prov, const Pick& pick);

}  // namespace pelnas::report
