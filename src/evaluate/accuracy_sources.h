#pragma once
// Accuracy sources by name, for searches and the CLI (`--accuracy NAME`):
//   test (alias table), valid, test12, valid12: the benchmark table's column;
//   predictor: the XGBoost zero-cost-proxy predictor (a saved model, else trained in seconds
//              from the shipped proxy table of the dataset).
// More can be registered by name (llama.cpp-style back-end registry).
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "evaluate/evaluator.h"

namespace pelnas {

struct AccuracySourceOptions {
  std::shared_ptr<const BenchmarkData> data;
  Dataset dataset = Dataset::Cifar10;
  // predictor only; empty = defaults (models/predictor_<dataset>.json, models/proxies_<dataset>.csv,
  // the user proxy cache).
  std::string model_path;
  std::string proxy_table_path;
  std::string cache_path;
  int threads = 2;  // for computing proxies of archs not in the table or cache
};

using AccuracySourceFactory = std::function<std::shared_ptr<AccuracySource>(const AccuracySourceOptions&)>;

void register_accuracy_source(const std::string& name, AccuracySourceFactory factory);
// Throws pelnas::Error listing the valid names for an unknown one.
std::shared_ptr<AccuracySource> make_accuracy_source(std::string_view name, const AccuracySourceOptions& options);
std::vector<std::string> accuracy_source_names();

}  // namespace pelnas
