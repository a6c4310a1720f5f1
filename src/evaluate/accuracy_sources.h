#pragma once
// Accuracy signals: what a search sees as an architecture's accuracy (`--accuracy NAME`), recorded
// everywhere as `accuracy_signal` under its canonical name. Scoring never uses the signal: the
// evaluation protocol always re-scores with true 200-epoch test accuracy.
//
//   valid          (default) the best validation accuracy the dataset has, NB201's usual protocol
//                  (search on validation, report test): table:valid on CIFAR-10, table:valid12 on
//                  CIFAR-100 and ImageNet16-120 (their 200-epoch validation accuracies are not in
//                  the data; see the data README, section 9).
//   table:valid    200-epoch validation accuracy (CIFAR-10 only: the cifar10-valid split)
//   table:valid12  12-epoch validation accuracy (every dataset; low fidelity)
//   table:test12   12-epoch test accuracy (test-set leakage at low fidelity)
//   table:test     true 200-epoch test accuracy: an oracle upper bound, not an honest search
//   external       the user's program (`--evaluator CMD`, docs/EVALUATOR.md)
//   predictor      XGBoost over zero-cost proxies (the paper's setting; a saved model, else trained
//                  in seconds from the shipped proxy table of the dataset)
// Aliases: test and table (= table:test), valid12, test12. More signals can be registered by name.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "evaluate/evaluator.h"
#include "evaluate/external_evaluator.h"
#include "predictor/proxy_features.h"

namespace pelnas {

inline constexpr const char* kDefaultAccuracySignal = "valid";

struct AccuracySourceOptions {
  std::shared_ptr<const BenchmarkData> data;
  Dataset dataset = Dataset::Cifar10;
  // predictor only; empty = defaults (models/predictor_<dataset>.json, models/proxies_<dataset>.csv,
  // the user proxy cache).
  std::string model_path;
  std::string proxy_table_path;
  std::string cache_path;
  int threads = 2;  // for computing proxies of archs not in the table or cache
  // external only: the user's evaluator program (evaluate/external_evaluator.h)
  std::optional<ExternalEvaluatorOptions> evaluator;
  // predictor only: where those proxies are computed instead of here (e.g. on the ranks of an MPI
  // job: distributed/proxy_batches.h); empty = in this process.
  ProxyFeatureSource::RemoteCompute remote_proxies;
};

using AccuracySourceFactory = std::function<std::shared_ptr<AccuracySource>(const AccuracySourceOptions&)>;

void register_accuracy_source(const std::string& name, AccuracySourceFactory factory);

// The canonical signal a requested name means on `dataset` ("valid" -> "table:valid" on CIFAR-10,
// "table:valid12" elsewhere; "test" -> "table:test"). Throws pelnas::Error listing the valid names
// for an unknown one, and listing what the dataset has for a table column it lacks.
std::string resolve_accuracy_signal(std::string_view requested, Dataset dataset, const BenchmarkData& data);
// Resolves the name, then builds the source (its name() is the canonical signal).
std::shared_ptr<AccuracySource> make_accuracy_source(std::string_view name, const AccuracySourceOptions& options);
// Canonical names of every registered signal.
std::vector<std::string> accuracy_source_names();
// Every accepted value with one line each, for --help.
std::string accuracy_signal_help();
// One sentence for protocol texts: what the search saw, under its canonical name.
std::string accuracy_signal_description(std::string_view canonical);
// Whether a signal is the true test accuracy itself (an oracle run, not an honest search).
bool is_oracle_signal(std::string_view canonical);

}  // namespace pelnas
