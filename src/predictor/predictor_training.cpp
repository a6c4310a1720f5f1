#include "predictor/predictor_training.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "common/error.h"
#include "predictor/rank_correlation.h"

namespace pelnas {

XgboostPredictor train_predictor(const BenchmarkData& data, const TrainRequest& request, ProxyFeatureSource& features,
                                 const std::function<void(int, int)>& progress) {
  request.options.validate();
  if (request.n_train < 2 || request.n_train > data.size())
    throw Error("predictor train: --train must be in [2, " + std::to_string(data.size()) + "] (got " +
                std::to_string(request.n_train) + ")");
  if (!data.has_accuracy(request.dataset, request.target))
    throw Error("predictor train: the benchmark has no " + std::string(to_string(request.target)) + " accuracy for " +
                std::string(to_string(request.dataset)));
  std::vector<int> train;
  for (int idx : arch_sample_order(data.size(), request.sample_seed)) {
    if (static_cast<int>(train.size()) == request.n_train) break;
    if (data.accuracy(idx, request.dataset, request.target)) train.push_back(idx);
  }
  std::vector<Arch> archs;
  for (int idx : train) archs.push_back(data.arch(idx));
  const auto values = features.get(archs, progress);

  PredictorMeta meta;
  meta.dataset = request.dataset;
  meta.target = std::string(to_string(request.target));
  meta.proxy_key = features.key();
  meta.options = request.options;
  meta.features = predictor_feature_names(request.options);
  meta.sample_seed = request.sample_seed;
  meta.train_indices = train;
  if (features.table()) meta.proxy_table = features.table()->path;
  std::vector<float> rows, labels;
  for (std::size_t i = 0; i < train.size(); ++i) {
    append_features(rows, values[i], archs[i], request.options);
    labels.push_back(static_cast<float>(*data.accuracy(train[i], request.dataset, request.target)));
  }
  return XgboostPredictor::train(rows, labels, std::move(meta));
}

std::vector<int> held_out_indices(const BenchmarkData& data, const PredictorMeta& meta, int n_test) {
  if (n_test < 2) throw Error("predictor eval: --test must be at least 2 (got " + std::to_string(n_test) + ")");
  const std::unordered_set<int> train(meta.train_indices.begin(), meta.train_indices.end());
  const auto order = arch_sample_order(data.size(), meta.sample_seed);
  // The training sample is a prefix of this order, so these are the positions right after it: a
  // proxy table of N > n_train rows for the same seed already holds them.
  std::vector<int> out;
  for (int idx : order) {
    if (static_cast<int>(out.size()) == n_test) break;
    if (!train.contains(idx) && data.accuracy(idx, meta.dataset, AccuracyMetric::Test)) out.push_back(idx);
  }
  if (static_cast<int>(out.size()) < n_test)
    throw Error("predictor eval: only " + std::to_string(out.size()) + " archs are outside the training sample");
  return out;
}

nlohmann::json PredictorEvaluation::to_json() const {
  nlohmann::json s = nlohmann::json::array();
  for (const auto& r : scores) s.push_back({{"name", r.name}, {"n", r.n}, {"spearman", r.spearman}, {"kendall_tau", r.kendall},
                   {"top20_spearman", r.top20_spearman}});
  return {{"dataset", std::string(to_string(dataset))},
          {"n_test", n_test},
          {"top_fraction", kTopFraction},
          {"target", "test"},
          {"paid_proxy_evaluations", paid_proxy_evaluations},
          {"scores", s}};
}

PredictorEvaluation evaluate_predictor(const BenchmarkData& data, const XgboostPredictor& model,
                                       ProxyFeatureSource& features, const std::vector<int>& test_indices,
                                       const std::function<void(int, int)>& progress) {
  const Dataset d = model.meta().dataset;
  std::vector<int> idx;
  for (int i : test_indices)
    if (data.accuracy(i, d, AccuracyMetric::Test)) idx.push_back(i);
  if (idx.size() < 2) throw Error("predictor eval: fewer than 2 test archs with a known accuracy");
  std::vector<Arch> archs;
  for (int i : idx) archs.push_back(data.arch(i));
  const auto paid_before = features.paid();
  const auto values = features.get(archs, progress);
  std::vector<float> rows;
  for (std::size_t i = 0; i < idx.size(); ++i) append_features(rows, values[i], archs[i], model.meta().options);
  const auto pred = model.predict(rows);

  std::vector<double> truth;
  for (int i : idx) truth.push_back(*data.accuracy(i, d, AccuracyMetric::Test));
  PredictorEvaluation ev;
  ev.dataset = d;
  ev.n_test = static_cast<int>(idx.size());
  ev.paid_proxy_evaluations = features.paid() - paid_before;
  auto add = [&](const std::string& name, const std::vector<double>& score, const std::vector<double>& t) {
    RankScore r;
    r.name = name;
    r.n = static_cast<int>(score.size());
    if (r.n >= 2) {
      r.spearman = spearman(score, t);
      r.kendall = kendall_tau(score, t);
      if (std::ceil(kTopFraction * r.n - 1e-9) >= 2) r.top20_spearman = top_fraction_spearman(score, t, kTopFraction);
    }
    ev.scores.push_back(r);
  };
  add("predictor", pred, truth);
  std::vector<double> params, flops;
  for (int i : idx) {
    params.push_back(data.params(i, d));
    flops.push_back(data.flops(i, d));
  }
  add("params", params, truth);
  add("flops", flops, truth);
  for (auto name : kProxyNames) {
    std::vector<double> s, t;
    for (std::size_t i = 0; i < idx.size(); ++i) {
      auto it = values[i].find(name);
      if (it != values[i].end() && it->second && std::isfinite(*it->second)) {
        s.push_back(*it->second);
        t.push_back(truth[i]);
      }
    }
    add("proxy:" + std::string(name), s, t);
  }
  return ev;
}

}  // namespace pelnas
