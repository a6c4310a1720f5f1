#pragma once
// How the predictor's accuracy labels are shaped before XGBoost fits them: an optional transform
// (regression on -log(error) instead of accuracy) and per-arch weights that stress the best archs.
// Both exist because a Pareto front is made of the top of each cost band: squared error on raw
// accuracy spends its capacity on the low tail (10-80 %), where errors are large in absolute terms
// but no front lives (docs/PROTOCOL.md section 4).
#include <string>
#include <string_view>
#include <vector>

namespace pelnas {

enum class LabelTransform {
  None,      // fit accuracy in percent
  LogError,  // fit -log(100 - accuracy): equal relative error counts equally at 6 % and at 60 % error
};

std::string_view to_string(LabelTransform t);
// Throws pelnas::Error listing the valid names.
LabelTransform label_transform_from_string(std::string_view s);

// Label XGBoost fits. LogError needs accuracy < 100 (percent); throws pelnas::Error otherwise.
double transform_label(LabelTransform t, double accuracy);
// Back to percent (the inverse of transform_label).
double untransform_label(LabelTransform t, double score);

// 1 for every arch, `weight` for the best ceil(top_fraction * n) labels (ties at the cut broken
// by position: the earlier arch is ranked lower, as a stable sort does).
std::vector<float> top_label_weights(const std::vector<float>& labels, double top_fraction, double weight);

}  // namespace pelnas
