#pragma once
// `pelnas export` for a run of a space without NB201's tables (`pelnas search --space fbnet`): the
// chosen architecture as a JSON record (its signal -- a training-free score or the evaluator's
// accuracy, labelled as such --, every cost objective with name and unit, analytic params / MACs,
// the pick and provenance) or as a standalone PyTorch module (report/fbnet_export.h). Picks: knee,
// max-accuracy, min-latency (the first cost) among the run's front -- the same rules as NB201's
// (report/export.h: with three or more objectives the knee is the point nearest the front's ideal)
// -- or a canonical architecture string of the space (an architecture the run never evaluated comes
// with its LUT costs and no signal). An unfinished run exports from its current front.
#include <string>

namespace pelnas::report {

struct SpaceExport {
  std::string text;     // the JSON record or the Python module
  std::string summary;  // one line for the terminal: what was exported
};

// Throws pelnas::Error (exit 2) naming the run directory, the pick or the format at fault.
SpaceExport export_space_run(const std::string& run_dir, const std::string& pick, const std::string& format);

}  // namespace pelnas::report
