#pragma once
// The report of a run on a space without NB201's tables (`pelnas search --space fbnet`,
// run/space_search_run.h): the front of signal (accuracy from the user's evaluator, or the
// training-free score: labelled as what it is) against the device cost, every evaluated point, the
// HV per generation in the run's fixed normalisation (no true front), and the front's
// architectures in the space's strings. `pelnas report RUN` picks it when config.json names a space
// other than nb201.
#include <string>

namespace pelnas::report {

// Whether a run directory was written by the space-generic run (config.json "space" != "nb201").
bool is_space_run_dir(const std::string& dir);
// Throws pelnas::Error naming the file for a missing or malformed archive.csv / summary.json.
std::string render_space_run_report(const std::string& dir);

}  // namespace pelnas::report
