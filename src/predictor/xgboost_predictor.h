#pragma once
// An XGBoost regressor (C API) from zero-cost proxy features, optionally plus the one-hot arch
// encoding, to accuracy. Deterministic for a seed: the thread count is an option with a fixed
// default, never the machine's core count. The model is XGBoost's own JSON/UBJ file plus a sidecar
// "<model>.meta.json" naming the features, the dataset and the proxy settings it was trained on.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "predictor/proxy_cache.h"

namespace pelnas {

struct PredictorOptions {
  int n_estimators = 600;
  int max_depth = 6;
  double learning_rate = 0.03;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double min_child_weight = 1.0;
  std::uint64_t seed = 0;
  bool one_hot = true;  // append the 30-column one-hot encoding of the 6 edge ops
  int nthread = 1;      // fixed so results do not depend on the machine

  // Throws pelnas::Error naming the first bad field and its valid range.
  void validate() const;
  nlohmann::json to_json() const;
  static PredictorOptions from_json(const nlohmann::json& j);
};

// Feature columns, in order: the 13 proxies (kProxyNames), then "op<e>_<opname>" for 6x5 one-hot.
std::vector<std::string> predictor_feature_names(bool one_hot);
// Appends one row. A missing proxy becomes NaN, XGBoost's missing-value marker (not a result).
void append_features(std::vector<float>& rows, const ProxyValues& proxies, const Arch& arch, bool one_hot);

// What the model was trained on; written next to the model and checked when it is used.
struct PredictorMeta {
  Dataset dataset = Dataset::Cifar10;
  std::string target = "test";  // accuracy metric of the labels
  ProxyKey proxy_key;
  std::vector<std::string> features;
  PredictorOptions options;
  std::uint64_t sample_seed = 0;
  std::vector<int> train_indices;  // NB201 indices of the training archs
  std::string proxy_table;         // the table the proxies came from, if any (informational)

  nlohmann::json to_json() const;
  static PredictorMeta from_json(const nlohmann::json& j, const std::string& name_for_errors);
};

class XgboostPredictor {
 public:
  // rows: n x meta.features.size() row-major; labels: n accuracies.
  static XgboostPredictor train(const std::vector<float>& rows, const std::vector<float>& labels, PredictorMeta meta);
  // Reads "<path>" and "<path>.meta.json". Throws pelnas::Error naming the file on any problem.
  static XgboostPredictor load(const std::string& path);
  // Writes the model (format from the extension: .json or .ubj) and its sidecar.
  void save(const std::string& path) const;

  // In-place prediction on a dense row-major matrix (NaN = missing). Each row is a sum over the
  // trees in a fixed order, so the result does not depend on the thread count.
  std::vector<double> predict(const std::vector<float>& rows) const;
  // Threads for predict() (training uses meta().options.nthread). Default: min(4, hardware threads).
  void set_predict_threads(int threads);
  std::size_t num_features() const { return meta_.features.size(); }
  const PredictorMeta& meta() const { return meta_; }

  static std::string sidecar_path(const std::string& model_path) { return model_path + ".meta.json"; }

 private:
  std::shared_ptr<void> booster_;  // BoosterHandle, freed with XGBoosterFree
  PredictorMeta meta_;
};

}  // namespace pelnas
