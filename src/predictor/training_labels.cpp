#include "predictor/training_labels.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.h"

namespace pelnas {

std::string_view to_string(LabelTransform t) {
  switch (t) {
    case LabelTransform::None: return "none";
    case LabelTransform::LogError: return "log-error";
  }
  return "?";
}

LabelTransform label_transform_from_string(std::string_view s) {
  for (LabelTransform t : {LabelTransform::None, LabelTransform::LogError})
    if (s == to_string(t)) return t;
  throw Error("unknown label transform '" + std::string(s) + "' (valid: none, log-error)");
}

double transform_label(LabelTransform t, double accuracy) {
  if (t == LabelTransform::None) return accuracy;
  if (!(accuracy < 100.0) || !std::isfinite(accuracy))
    throw Error("label transform log-error: an accuracy must be a finite percentage below 100 (got " +
                std::to_string(accuracy) + ")");
  return -std::log(100.0 - accuracy);
}

double untransform_label(LabelTransform t, double score) {
  return t == LabelTransform::None ? score : 100.0 - std::exp(-score);
}

std::vector<float> top_label_weights(const std::vector<float>& labels, double top_fraction, double weight) {
  const std::size_t n = labels.size();
  std::vector<float> w(n, 1.0f);
  if (n == 0 || weight == 1.0) return w;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return labels[a] < labels[b]; });
  const auto top = static_cast<std::size_t>(std::ceil(top_fraction * static_cast<double>(n) - 1e-9));
  for (std::size_t r = n - std::min(top, n); r < n; ++r) w[order[r]] = static_cast<float>(weight);
  return w;
}

}  // namespace pelnas
