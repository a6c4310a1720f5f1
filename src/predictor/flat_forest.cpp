#include "predictor/flat_forest.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <tuple>

#include "common/error.h"
#include "common/json_fields.h"

namespace pelnas {

namespace {

// XGBoost writes some numbers as strings ("base_score": "5E-1").
double number(const nlohmann::json& j) { return j.is_string() ? std::strtod(j.get<std::string>().c_str(), nullptr) : j.get<double>(); }

}  // namespace

FlatForest FlatForest::from_xgboost_json(const nlohmann::json& doc, const std::string& name) {
  const auto bad = [&](const std::string& what) { return Error("predictor model " + name + ": " + what); };
  FlatForest f;
  try {
    const auto& learner = doc.at("learner");
    const auto& params = learner.at("learner_model_param");
    if (number(params.at("num_class")) > 1) throw bad("multi-class models are not supported");
    if (params.contains("num_target") && number(params.at("num_target")) > 1) throw bad("multi-output models are not supported");
    f.base_score_ = static_cast<float>(number(params.at("base_score")));
    const double num_feature = number(params.at("num_feature"));
    // Feature indices share 32 bits with the missing-goes-right flag.
    if (!(num_feature >= 0 && num_feature <= 0x7fffffff) || num_feature != std::floor(num_feature))
      throw bad("num_feature must be a whole number from 0 to 2^31-1");
    f.num_features_ = static_cast<std::size_t>(num_feature);
    const std::string objective = learner.at("objective").at("name").get<std::string>();
    // Objectives whose prediction is the margin itself (no sigmoid or exp afterwards).
    if (objective != "reg:squarederror" && objective != "rank:pairwise")
      throw bad("objective " + objective + " is not supported by the flat evaluator");
    const auto& booster = learner.at("gradient_booster");
    if (booster.at("name").get<std::string>() != "gbtree") throw bad("booster " + booster.at("name").get<std::string>() + " is not gbtree");
    const auto& trees = booster.at("model").at("trees");
    for (const auto& t : trees) {
      const auto& left = t.at("left_children");
      const auto& right = t.at("right_children");
      const auto& cond = t.at("split_conditions");
      const auto& feat = t.at("split_indices");
      const auto& dl = t.at("default_left");
      const std::size_t n = left.size();
      if (right.size() != n || cond.size() != n || feat.size() != n || dl.size() != n || n == 0)
        throw bad("tree " + std::to_string(f.tree_offset_.size()) + " has arrays of different lengths");
      if (t.contains("split_type"))
        for (const auto& s : t.at("split_type"))
          if (json_fields::get_integral<int>(s) != 0) throw bad("categorical splits are not supported");
      const auto first = static_cast<std::int32_t>(f.nodes_.size());
      f.tree_offset_.push_back(static_cast<std::uint32_t>(first));
      for (std::size_t i = 0; i < n; ++i) {
        Node node{};
        const auto l = json_fields::get_integral<std::int64_t>(left[i]), r = json_fields::get_integral<std::int64_t>(right[i]);
        node.value = cond[i].get<float>();
        if (l == -1) {
          node.feature = -1;
          node.left = node.right = first + static_cast<std::int32_t>(i);
          node.default_left = 1;
        } else {
          if (l < 0 || r < 0 || static_cast<std::size_t>(l) >= n || static_cast<std::size_t>(r) >= n)
            throw bad("tree " + std::to_string(f.tree_offset_.size() - 1) + " has a child index out of range");
          const auto fi = json_fields::get_integral<std::int64_t>(feat[i]);
          if (fi < 0 || static_cast<std::size_t>(fi) >= f.num_features_)
            throw bad("tree " + std::to_string(f.tree_offset_.size() - 1) + " splits on feature " + std::to_string(fi) +
                      " of " + std::to_string(f.num_features_));
          node.feature = static_cast<std::int32_t>(fi);
          node.left = first + static_cast<std::int32_t>(l);
          node.right = first + static_cast<std::int32_t>(r);
          node.default_left = dl[i].is_boolean() ? dl[i].get<bool>() : json_fields::get_integral<int>(dl[i]) != 0;
        }
        f.nodes_.push_back(node);
      }
      // Depth by a walk from the root (children have larger indices in XGBoost's trees, but the
      // walk does not rely on it); a cycle would exceed n steps.
      std::vector<std::pair<std::int32_t, int>> stack{{first, 0}};
      int depth = 0;
      std::size_t visited = 0;
      while (!stack.empty()) {
        const auto [at, d] = stack.back();
        stack.pop_back();
        if (++visited > n) throw bad("tree " + std::to_string(f.tree_offset_.size() - 1) + " is not a tree");
        const Node& node = f.nodes_[static_cast<std::size_t>(at)];
        if (node.feature < 0) {
          depth = std::max(depth, d);
          continue;
        }
        stack.emplace_back(node.left, d + 1);
        stack.emplace_back(node.right, d + 1);
      }
      if (depth > 255) throw bad("a tree deeper than 255 levels");
      f.tree_depth_.push_back(static_cast<std::uint8_t>(depth));
    }
  } catch (...) {  // a library error or an integer that does not fit; anything else passes through
    throw bad(std::string("unexpected XGBoost model JSON: ") + json_fields::malformed_document_message());
  }
  f.build_complete();
  return f;
}

void FlatForest::build_complete() {
  for (auto d : tree_depth_)
    if (d > kMaxCompleteDepth) return;
  complete_ = true;
  for (std::size_t t = 0; t < tree_offset_.size(); ++t) {
    const int depth = tree_depth_[t];
    const std::size_t splits = (std::size_t{1} << depth) - 1;
    complete_offset_.push_back(static_cast<std::uint32_t>(split_.size()));
    leaf_offset_.push_back(static_cast<std::uint32_t>(leaf_value_.size()));
    split_.resize(split_.size() + splits, Split{0.0f, 0});
    leaf_value_.resize(leaf_value_.size() + splits + 1, 0.0f);
    const std::size_t so = complete_offset_.back(), lo = leaf_offset_.back();
    // Position pos at level d holds node `at`; a leaf above the last level becomes a split whose
    // both subtrees hold its value, so whichever way a row goes it ends on that value.
    std::vector<std::tuple<std::int32_t, std::size_t, int>> stack{{static_cast<std::int32_t>(tree_offset_[t]), 0, 0}};
    while (!stack.empty()) {
      const auto [at, pos, d] = stack.back();
      stack.pop_back();
      const Node& node = nodes_[static_cast<std::size_t>(at)];
      if (d == depth) {
        leaf_value_[lo + pos - splits] = node.value;  // a leaf (depth is the deepest leaf's level)
        continue;
      }
      if (node.feature >= 0) {
        // -inf (a missing value in the first copy) must go left: refused for a threshold it would not.
        if (!(node.value > -std::numeric_limits<float>::infinity())) {
          complete_ = false;
          split_.clear(), leaf_value_.clear(), complete_offset_.clear(), leaf_offset_.clear();
          return;
        }
        split_[so + pos] = Split{node.value, static_cast<std::uint32_t>(node.feature) +
                                                 (node.default_left != 0 ? 0u : static_cast<std::uint32_t>(num_features_))};
        stack.emplace_back(node.left, 2 * pos + 1, d + 1);
        stack.emplace_back(node.right, 2 * pos + 2, d + 1);
      } else {
        stack.emplace_back(at, 2 * pos + 1, d + 1);
        stack.emplace_back(at, 2 * pos + 2, d + 1);
      }
    }
  }
}

std::vector<float> FlatForest::predict(const std::vector<float>& rows) const {
  const std::size_t ncol = num_features_;
  if (ncol == 0 || rows.size() % ncol != 0)
    throw Error("predictor: feature matrix of " + std::to_string(rows.size()) + " values is not a multiple of " +
                std::to_string(ncol) + " features");
  const std::size_t n = rows.size() / ncol;
  std::vector<float> out(n, base_score_);
  // Blocks of rows stay in cache while every tree passes over them.
  constexpr std::size_t kBlock = 64;
  for (std::size_t b0 = 0; b0 < n; b0 += kBlock) {
    const std::size_t bn = std::min(kBlock, n - b0);
    if (complete_) predict_complete(rows.data() + b0 * ncol, bn, out.data() + b0);
    else predict_nodes(rows.data() + b0 * ncol, bn, out.data() + b0);
  }
  return out;
}

void FlatForest::predict_complete(const float* block, std::size_t bn, float* out) const {
  const std::size_t ncol = num_features_, ncol2 = 2 * ncol;
  // The block twice side by side: missing as -inf (goes left), then missing as +inf (goes right).
  thread_local std::vector<float> doubled;
  doubled.resize(bn * ncol2);
  constexpr float kInf = std::numeric_limits<float>::infinity();
  for (std::size_t r = 0; r < bn; ++r)
    for (std::size_t c = 0; c < ncol; ++c) {
      const float x = block[r * ncol + c];
      doubled[r * ncol2 + c] = std::isnan(x) ? -kInf : x;
      doubled[r * ncol2 + ncol + c] = std::isnan(x) ? kInf : x;
    }
  const float* rows = doubled.data();
  std::uint32_t at[64];
  for (std::size_t t = 0; t < tree_depth_.size(); ++t) {
    const int depth = tree_depth_[t];
    const Split* split = split_.data() + complete_offset_[t];
    for (std::size_t r = 0; r < bn; ++r) at[r] = 0;
    // Level by level: the rows' steps are independent, so their loads overlap. XGBoost goes left
    // when x < threshold, right otherwise.
    for (int level = 0; level < depth; ++level)
      for (std::size_t r = 0; r < bn; ++r) {
        const std::uint32_t i = at[r];
        const Split s = split[i];
        const float x = rows[r * ncol2 + s.column];
        at[r] = 2 * i + 1 + static_cast<std::uint32_t>(!(x < s.threshold));
      }
    // XGBoost's order: each tree's leaf added to the running float sum.
    const float* leaf = leaf_value_.data() + leaf_offset_[t] - ((std::size_t{1} << depth) - 1);
    for (std::size_t r = 0; r < bn; ++r) out[r] += leaf[at[r]];
  }
}

void FlatForest::predict_nodes(const float* block, std::size_t bn, float* out) const {
  const std::size_t ncol = num_features_;
  std::int32_t at[64];
  const Node* nodes = nodes_.data();
  for (std::size_t t = 0; t < tree_offset_.size(); ++t) {
    const auto root = static_cast<std::int32_t>(tree_offset_[t]);
    for (std::size_t r = 0; r < bn; ++r) at[r] = root;
    for (int level = 0; level < tree_depth_[t]; ++level) {
      for (std::size_t r = 0; r < bn; ++r) {
        const Node& node = nodes[at[r]];
        // A leaf reads feature 0 and stays (left == right == itself).
        const float x = block[r * ncol + static_cast<std::size_t>(std::max(node.feature, 0))];
        const bool left = (x < node.value) | (std::isnan(x) & (node.default_left != 0));
        at[r] = left ? node.left : node.right;
      }
    }
    for (std::size_t r = 0; r < bn; ++r) out[r] += nodes[at[r]].value;
  }
}

}  // namespace pelnas
