#pragma once
// The trees of a trained XGBoost booster (gbtree, one output) in flat arrays, evaluated without
// XGBoost. Each tree (up to kMaxCompleteDepth levels) is stored as a complete binary tree of its
// depth, a leaf above the last level repeated below it, so a row takes exactly `depth` branch-free
// steps (node i's children are 2i+1 and 2i+2) and rows of a block go down a tree together, their
// loads overlapping. Missing values cost no test per step: a block is copied twice side by side,
// NaN as -inf in the first copy and as +inf in the second, and a split whose missing values go
// right reads the second copy (where +inf goes right), one whose missing values go left the first.
// Deeper trees, or a threshold of -inf or NaN (where -inf would not go left), are walked node by
// node with the missing-value test. The sum is XGBoost's: float, base score
// first, then the trees in order, so the predictions are bit-identical to
// XGBoosterPredictFromDense (tests/predictor cross-check them).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pelnas {

class FlatForest {
 public:
  // From XGBoost's JSON model document (XGBoosterSaveModelToBuffer with format json). Throws
  // pelnas::Error (naming `name`) for anything but a gbtree model with one output, numerical
  // splits only and a prediction that is the raw margin (reg:squarederror, rank:pairwise).
  static FlatForest from_xgboost_json(const nlohmann::json& model, const std::string& name);

  // Predictions for a dense row-major matrix of `num_features` columns (NaN = missing, which
  // goes to the split's default child as in XGBoost).
  std::vector<float> predict(const std::vector<float>& rows) const;

  std::size_t num_trees() const { return tree_offset_.size(); }
  std::size_t num_features() const { return num_features_; }

 private:
  // One node: a leaf has feature -1 and points to itself (so a fixed number of steps per tree
  // leaves rows that reached a leaf where they are), and `value` is its leaf value.
  struct Node {
    float value;           // split threshold (go left when x < value), or leaf value
    std::int32_t feature;  // -1 for a leaf
    std::int32_t left, right;
    std::int32_t default_left;  // 1: missing values go left
  };
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> tree_offset_;  // first node of each tree
  std::vector<std::uint8_t> tree_depth_;    // steps from the root to the deepest leaf

  // The complete layout (when every tree has at most kMaxCompleteDepth levels): per tree, 2^d - 1
  // splits from complete_offset_[t] and 2^d leaf values from leaf_offset_[t]. A split's column is
  // in the doubled block: the feature, plus num_features_ when missing values go right.
  static constexpr int kMaxCompleteDepth = 10;
  struct Split {
    float threshold;
    std::uint32_t column;
  };
  bool complete_ = false;
  std::vector<Split> split_;
  std::vector<float> leaf_value_;
  std::vector<std::uint32_t> complete_offset_, leaf_offset_;
  void build_complete();
  void predict_complete(const float* rows, std::size_t n, float* out) const;
  void predict_nodes(const float* rows, std::size_t n, float* out) const;
  float base_score_ = 0;
  std::size_t num_features_ = 0;
};

}  // namespace pelnas
