#include "predictor/predictor_accuracy.h"

#include "common/error.h"

namespace pelnas {

PredictorAccuracy::PredictorAccuracy(std::shared_ptr<const XgboostPredictor> model,
                                     std::shared_ptr<ProxyFeatureSource> features)
    : model_(std::move(model)), features_(std::move(features)) {
  if (!model_ || !features_) throw Error("PredictorAccuracy needs a model and a feature source");
  const ProxyKey& a = model_->meta().proxy_key;
  const ProxyKey& b = features_->key();
  if (a.dataset != b.dataset || a.batch_size != b.batch_size || a.seed != b.seed || a.input != b.input ||
      a.code_version != b.code_version)
    throw Error("PredictorAccuracy: the feature source's proxy settings differ from the ones the model was trained on");
}

std::optional<double> PredictorAccuracy::accuracy(int, const Arch& arch) { return predict({arch}).front(); }

std::vector<std::optional<double>> PredictorAccuracy::accuracies(std::span<const int>, std::span<const Arch> archs) {
  const auto p = predict(std::vector<Arch>(archs.begin(), archs.end()));
  return {p.begin(), p.end()};
}

std::vector<double> PredictorAccuracy::predict(const std::vector<Arch>& archs) {
  std::vector<Arch> todo;
  for (const Arch& a : archs)
    if (!memo_.contains(a)) todo.push_back(a);
  if (!todo.empty()) {
    const auto values = features_->get(todo);
    std::vector<float> rows;
    rows.reserve(todo.size() * model_->num_features());
    for (std::size_t i = 0; i < todo.size(); ++i) append_features(rows, values[i], todo[i], model_->meta().options);
    const auto pred = model_->predict(rows);
    for (std::size_t i = 0; i < todo.size(); ++i) memo_.emplace(todo[i], pred[i]);
  }
  std::vector<double> out;
  out.reserve(archs.size());
  for (const Arch& a : archs) out.push_back(memo_.at(a));
  return out;
}

}  // namespace pelnas
