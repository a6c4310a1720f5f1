#pragma once
// Predicted accuracy for any NB201 arch: proxy features (table, cache, or computed and paid for)
// through the XGBoost predictor. Searches run on it with `--accuracy predictor`.
#include <memory>
#include <unordered_map>

#include "evaluate/evaluator.h"
#include "predictor/proxy_features.h"
#include "predictor/xgboost_predictor.h"

namespace pelnas {

class PredictorAccuracy : public AccuracySource {
 public:
  PredictorAccuracy(std::shared_ptr<const XgboostPredictor> model, std::shared_ptr<ProxyFeatureSource> features);

  std::string name() const override { return "predictor"; }
  std::optional<double> accuracy(int index, const Arch& arch) override;
  // One feature lookup (table, cache, then the proxies of the rest computed together) and one
  // XGBoost call for the whole batch.
  std::vector<std::optional<double>> accuracies(std::span<const int> indices, std::span<const Arch> archs) override;
  // Proxy evaluations computed by the back end (not found in the table or cache).
  std::int64_t paid_evaluations() const override { return features_->paid(); }

  // Batch form: one feature lookup and one XGBoost call for all archs (memoised).
  std::vector<double> predict(const std::vector<Arch>& archs);
  const XgboostPredictor& model() const { return *model_; }

 private:
  std::shared_ptr<const XgboostPredictor> model_;
  std::shared_ptr<ProxyFeatureSource> features_;
  std::unordered_map<Arch, double> memo_;
};

}  // namespace pelnas
