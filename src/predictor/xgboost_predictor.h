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

#include "predictor/flat_forest.h"
#include "predictor/proxy_cache.h"
#include "predictor/proxy_subsets.h"
#include "predictor/training_labels.h"

namespace pelnas {

// Fraction of the training archs (best labels) that PredictorOptions::top_weight applies to.
inline constexpr double kTopLabelFraction = 0.2;

struct PredictorOptions {
  int n_estimators = 600;
  int max_depth = 6;
  double learning_rate = 0.03;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double min_child_weight = 1.0;
  std::uint64_t seed = 0;
  // Default features: the proxies + the 8 cell graph features, without the 30-column one-hot op
  // encoding. The one-hot ranks uniform held-out archs better but chooses worse fronts among the
  // archs a search visits (docs/PROTOCOL.md section 4), so it is an option.
  bool one_hot = false;  // append the 30-column one-hot encoding of the 6 edge ops
  int nthread = 1;      // fixed so results do not depend on the machine
  // The proxy features (kProxyNames order); default: default_proxy_set() (proxy_subsets.h).
  std::vector<std::string> proxies = default_proxy_set();
  bool graph_features = true;  // append cell_graph_feature_names() (predictor_features.h)
  // Independent boosters (seeds seed, seed+1, ...) whose predictions are averaged.
  int ensemble = 1;
  // "reg:squarederror" or "rank:pairwise" (then scores are mapped to accuracy by the training
  // labels' quantiles, a monotone map, so the predictor still speaks percent).
  std::string objective = "reg:squarederror";
  // What the regression fits (training_labels.h); predictions are mapped back to percent.
  LabelTransform label_transform = LabelTransform::LogError;
  // Training weight of the archs whose labels are among the best 20 % (kTopLabelFraction); others 1.
  double top_weight = 5.0;

  // Throws pelnas::Error naming the first bad field and its valid range.
  void validate() const;
  nlohmann::json to_json() const;
  // Keys added after the first format are optional (old sidecars: all 13 proxies, one booster).
  static PredictorOptions from_json(const nlohmann::json& j);
};

// Feature columns, in order: options.proxies, then the cell graph features if enabled, then
// "op<e>_<opname>" for the 6x5 one-hot if enabled.
std::vector<std::string> predictor_feature_names(const PredictorOptions& options);
// Appends one row. A missing proxy becomes NaN, XGBoost's missing-value marker (not a result).
void append_features(std::vector<float>& rows, const ProxyValues& proxies, const Arch& arch,
                     const PredictorOptions& options);
// The same for all 13 proxies (+ one-hot): the first feature layout.
std::vector<std::string> predictor_feature_names(bool one_hot);
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
  // rank:pairwise models: the training scores and labels the score-to-percent map is built from.
  std::vector<double> calibration_scores, calibration_labels;

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

  // Prediction for a dense row-major matrix (NaN = missing). Each row is a sum over the trees in a
  // fixed order, so the result does not depend on the thread count. The trees are evaluated from
  // flat arrays (FlatForest), bit-identical to XGBoost's own prediction and several times faster.
  std::vector<double> predict(const std::vector<float>& rows) const;
  // The same through XGBoost's in-place prediction (the reference the flat evaluation is checked against).
  std::vector<double> predict_with_xgboost(const std::vector<float>& rows) const;
  // Threads for predict() (training uses meta().options.nthread). Default: min(4, hardware threads).
  void set_predict_threads(int threads);
  std::size_t num_features() const { return meta_.features.size(); }
  const PredictorMeta& meta() const { return meta_; }

  static std::string sidecar_path(const std::string& model_path) { return model_path + ".meta.json"; }
  // Where ensemble member i (>= 1) is saved: "<dir>/<stem>.m<i><ext>" next to member 0 at `path`.
  static std::string member_path(const std::string& model_path, int member);

 private:
  std::vector<std::shared_ptr<void>> boosters_;  // BoosterHandles, freed with XGBoosterFree
  std::vector<FlatForest> forests_;              // the same trees, flat (one per booster)
  std::vector<double> predict_raw(const void* booster, const std::vector<float>& rows) const;
  std::vector<double> combine(const std::vector<std::vector<double>>& members) const;
  void build_forests(const std::string& name);
  double calibrate(double score) const;
  PredictorMeta meta_;
};

}  // namespace pelnas
