#pragma once
// Fitting the predictor on a seeded sample of benchmark archs and scoring it on held-out archs
// (rank correlation with the true accuracy, next to #params and #FLOPs alone as baselines).
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/benchmark_data.h"
#include "predictor/proxy_features.h"
#include "predictor/xgboost_predictor.h"

namespace pelnas {

struct TrainRequest {
  Dataset dataset = Dataset::Cifar10;
  AccuracyMetric target = AccuracyMetric::Test;
  int n_train = 1000;
  std::uint64_t sample_seed = 0;
  PredictorOptions options;
};

// Trains on the first n_train archs of arch_sample_order(sample_seed) that have a label.
XgboostPredictor train_predictor(const BenchmarkData& data, const TrainRequest& request, ProxyFeatureSource& features,
                                 const std::function<void(int, int)>& progress = {});

// n_test archs after the training sample in the same seeded order (never in the training set).
std::vector<int> held_out_indices(const BenchmarkData& data, const PredictorMeta& meta, int n_test);

struct RankScore {
  std::string name;  // "predictor", "params", "flops", "proxy:<name>"
  int n = 0;         // archs with a value
  double spearman = 0, kendall = 0;
  // Spearman among the best 20 % of these archs by true accuracy (top_fraction_spearman).
  double top20_spearman = 0;
};

inline constexpr double kTopFraction = 0.2;

struct PredictorEvaluation {
  Dataset dataset = Dataset::Cifar10;
  int n_test = 0;
  std::vector<RankScore> scores;  // predictor first, then the baselines, then single proxies
  std::int64_t paid_proxy_evaluations = 0;
  nlohmann::json to_json() const;
};

PredictorEvaluation evaluate_predictor(const BenchmarkData& data, const XgboostPredictor& model,
                                       ProxyFeatureSource& features, const std::vector<int>& test_indices,
                                       const std::function<void(int, int)>& progress = {});

}  // namespace pelnas
