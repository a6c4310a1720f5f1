// Predictor features and model variants: proxy subsets, cell graph features, ensembles and the
// ranking objective (saved and loaded, deterministic, independent of thread count).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "fake_proxy_computer.h"
#include "predictor/predictor_features.h"
#include "predictor/rank_correlation.h"
#include "predictor/training_labels.h"
#include "predictor/xgboost_predictor.h"
#include "test_support.h"

namespace pelnas {
namespace {

TEST(ProxySubsets, NamesListsAndErrors) {
  EXPECT_EQ(resolve_proxy_set("all").size(), 13u);
  EXPECT_EQ(resolve_proxy_set("default"), default_proxy_set());
  EXPECT_LT(default_proxy_set().size(), 13u);
  // Any order in, kProxyNames order out.
  EXPECT_EQ(resolve_proxy_set("zen, nwot,synflow"), (std::vector<std::string>{"nwot", "synflow", "zen"}));
  for (const auto& name : proxy_set_names()) EXPECT_NO_THROW(resolve_proxy_set(name)) << name;
  try {
    resolve_proxy_set("nwot,gradnorm");
    FAIL();
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const char* want : {"gradnorm", "all", "default", "grad_norm", "zen"}) EXPECT_NE(msg.find(want), std::string::npos) << msg;
  }
  EXPECT_THROW(resolve_proxy_set(""), Error);
  PredictorOptions o;
  o.proxies = {"synflow", "nwot"};  // not in kProxyNames order
  EXPECT_THROW(o.validate(), Error);
}

TEST(CellGraphFeatures, HandCheckedCellAndZeroOutputAgreement) {
  // 0->3 skip (live, skip only); 0->1->3 and 0->2->3 cut by none; 0->1->2->3 = conv3, conv3, conv1.
  const Arch a = Arch::parse("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|");
  const auto f = cell_graph_features(a);
  const std::array<float, 8> want = {2, 3, 0, 2, 1, 0, 1, 0};
  EXPECT_EQ(f, want);
  // A conv whose path is dead counts as dead, not live.
  const auto g = cell_graph_features(Arch::parse("|nor_conv_3x3~0|+|none~0|none~1|+|avg_pool_3x3~0|none~1|none~2|"));
  EXPECT_EQ(g, (std::array<float, 8>{1, 0, 0, 0, 0, 1, 0, 1}));
  // live_paths == 0 exactly for the cells Arch::zero_output() finds (an independent implementation).
  int zero = 0;
  for (int code = 0; code < kNumArchs; ++code) {
    const Arch x = Arch::from_lex_code(code);
    const auto h = cell_graph_features(x);
    ASSERT_EQ(h[0] == 0, x.zero_output()) << x.str();
    zero += h[0] == 0;
    ASSERT_LE(h[2], h[1]);
  }
  EXPECT_GT(zero, 0);
}

void make_rows(const PredictorOptions& o, int start, int n, std::vector<float>& rows, std::vector<float>& labels,
               std::vector<double>& truth) {
  auto data = test::data();
  for (int k = 0; k < n; ++k) {
    const int idx = (start + k * 7) % data->size();
    append_features(rows, test::FakeProxyComputer::fake_values(data->arch(idx), Dataset::Cifar10), data->arch(idx), o);
    truth.push_back(*data->accuracy(idx, Dataset::Cifar10));
    labels.push_back(static_cast<float>(truth.back()));
  }
}

TEST(PredictorVariants, EnsembleAndRankObjectiveRoundTripAndAreDeterministic) {
  for (const std::string objective : {"reg:squarederror", "rank:pairwise"}) {
    PredictorMeta m;
    m.proxy_key.code_version = "fake-1";
    m.options.n_estimators = 40;
    m.options.proxies = resolve_proxy_set("nwot,params,synflow");
    m.options.graph_features = true;
    m.options.one_hot = true;
    m.options.ensemble = 3;
    m.options.objective = objective;
    if (objective == "rank:pairwise") m.options.top_weight = 1.0;  // ranking weighs groups, not rows
    m.features = predictor_feature_names(m.options);
    ASSERT_EQ(m.features.size(), 3u + 8u + 30u);
    std::vector<float> rows, labels, trows, tlabels;
    std::vector<double> truth, ttruth;
    make_rows(m.options, 0, 400, rows, labels, truth);
    make_rows(m.options, 5000, 300, trows, tlabels, ttruth);
    auto p = XgboostPredictor::train(rows, labels, m);
    const auto y = p.predict(trows);
    EXPECT_GT(spearman(y, ttruth), 0.8) << objective;
    // Percent scale either way: the rank model's scores are mapped into the training labels' range.
    const auto [lo, hi] = std::minmax_element(labels.begin(), labels.end());
    for (double v : y) {
      ASSERT_GE(v, *lo - 5.0) << objective;
      ASSERT_LE(v, *hi + 5.0) << objective;
    }
    for (int threads : {1, 3}) {
      p.set_predict_threads(threads);
      EXPECT_EQ(p.predict(trows), y) << objective << " " << threads;
    }
    EXPECT_EQ(XgboostPredictor::train(rows, labels, m).predict(trows), y) << objective;
    // The ensemble differs from its first member alone (the members have their own seeds).
    auto single = m;
    single.options.ensemble = 1;
    EXPECT_NE(XgboostPredictor::train(rows, labels, single).predict(trows), y) << objective;

    const std::string dir = test::temp_dir("xgbvar");
    const std::string path = dir + "/model.json";
    p.save(path);
    EXPECT_TRUE(std::filesystem::exists(XgboostPredictor::member_path(path, 2)));
    EXPECT_EQ(XgboostPredictor::load(path).predict(trows), y) << objective;
    std::filesystem::remove(XgboostPredictor::member_path(path, 2));
    try {
      XgboostPredictor::load(path);
      FAIL() << "a missing member must be an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("member 2"), std::string::npos) << e.what();
    }
  }
}

TEST(PredictorVariants, SidecarWithoutTheNewKeysLoadsAsAllThirteenProxies) {
  PredictorMeta m;
  m.proxy_key.code_version = "fake-1";
  m.options.n_estimators = 10;
  m.options.proxies = resolve_proxy_set("all");
  m.options.one_hot = true;  // the first format's model: 13 proxies + one-hot, plain accuracy
  m.options.graph_features = false;
  m.options.label_transform = LabelTransform::None;
  m.options.top_weight = 1.0;
  m.features = predictor_feature_names(m.options);
  std::vector<float> rows, labels;
  std::vector<double> truth;
  make_rows(m.options, 0, 50, rows, labels, truth);
  const auto p = XgboostPredictor::train(rows, labels, m);
  const std::string path = test::temp_dir("xgbold") + "/model.json";
  p.save(path);
  auto j = nlohmann::json::parse(test::read_file(XgboostPredictor::sidecar_path(path)));
  for (const char* key : {"proxies", "graph_features", "ensemble", "objective", "label_transform", "top_weight"})
    j["options"].erase(key);
  j.erase("calibration");
  test::write_file(XgboostPredictor::sidecar_path(path), j.dump());
  const auto loaded = XgboostPredictor::load(path);
  EXPECT_EQ(loaded.meta().options.proxies.size(), 13u);
  EXPECT_EQ(loaded.meta().options.label_transform, LabelTransform::None);
  EXPECT_EQ(loaded.meta().options.top_weight, 1.0);
  EXPECT_EQ(loaded.predict(rows), p.predict(rows));
}

TEST(TrainingLabels, TransformRoundTripWeightsAndErrors) {
  for (double a : {10.0, 55.5, 93.66, 99.9}) {
    EXPECT_EQ(transform_label(LabelTransform::None, a), a);
    EXPECT_DOUBLE_EQ(transform_label(LabelTransform::LogError, a), -std::log(100.0 - a));
    EXPECT_NEAR(untransform_label(LabelTransform::LogError, transform_label(LabelTransform::LogError, a)), a, 1e-9);
  }
  EXPECT_THROW(transform_label(LabelTransform::LogError, 100.0), Error);
  EXPECT_EQ(label_transform_from_string("log-error"), LabelTransform::LogError);
  try {
    label_transform_from_string("log");
    FAIL();
  } catch (const Error& e) {
    for (const char* want : {"'log'", "none", "log-error"}) EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
  }
  // Best ceil(0.4 * 5) = 2 labels: 5 (arch 4) and 3 (arch 0).
  EXPECT_EQ(top_label_weights({3, 1, 2, 2, 5}, 0.4, 4.0), (std::vector<float>{4, 1, 1, 1, 4}));
  // A tie at the cut: the later arch ranks higher (stable sort).
  EXPECT_EQ(top_label_weights({2, 2, 1}, 0.3, 5.0), (std::vector<float>{1, 5, 1}));
  EXPECT_EQ(top_label_weights({2, 2, 1}, 0.2, 1.0), (std::vector<float>{1, 1, 1}));
  PredictorOptions o;
  o.top_weight = 0;
  EXPECT_THROW(o.validate(), Error);
  o.top_weight = 5;
  o.objective = "rank:pairwise";
  try {
    o.validate();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("top_weight must be 1 with objective rank:pairwise"), std::string::npos) << e.what();
  }
}

TEST(PredictorVariants, LogErrorAndTopWeightMatchTheirDefinitions) {
  PredictorMeta m;
  m.proxy_key.code_version = "fake-1";
  m.options.n_estimators = 30;
  m.options.proxies = resolve_proxy_set("nwot,params,synflow");
  m.options.subsample = 1.0;  // no row sampling, so a weight of k is exactly k copies of the row
  m.options.colsample_bytree = 1.0;
  m.options.label_transform = LabelTransform::None;
  m.options.top_weight = 1.0;
  m.features = predictor_feature_names(m.options);
  std::vector<float> rows, labels;
  std::vector<double> truth;
  make_rows(m.options, 0, 300, rows, labels, truth);

  // log-error = a plain model fitted on -log(100 - accuracy), mapped back by 100 - exp(-score).
  auto logm = m;
  logm.options.label_transform = LabelTransform::LogError;
  const auto p = XgboostPredictor::train(rows, labels, logm);
  std::vector<float> logged;
  for (float l : labels) logged.push_back(static_cast<float>(-std::log(100.0 - static_cast<double>(l))));
  const auto plain = XgboostPredictor::train(rows, logged, m).predict(rows);
  const auto y = p.predict(rows);
  for (std::size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], 100.0 - std::exp(-plain[i]), 1e-9) << i;
  const std::string path = test::temp_dir("xgblog") + "/model.json";
  p.save(path);
  EXPECT_EQ(XgboostPredictor::load(path).predict(rows), y);
  EXPECT_EQ(XgboostPredictor::load(path).meta().options.label_transform, LabelTransform::LogError);

  // top_weight k = the best 20 % of the training rows repeated k times.
  auto wm = m;
  wm.options.top_weight = 3.0;
  const auto weighted = XgboostPredictor::train(rows, labels, wm).predict(rows);
  const auto w = top_label_weights(labels, kTopLabelFraction, 3.0);
  std::vector<float> rrows, rlabels;
  const std::size_t ncol = m.features.size();
  for (std::size_t i = 0; i < labels.size(); ++i)
    for (int k = 0; k < static_cast<int>(w[i]); ++k) {
      rrows.insert(rrows.end(), rows.begin() + static_cast<long>(i * ncol), rows.begin() + static_cast<long>((i + 1) * ncol));
      rlabels.push_back(labels[i]);
    }
  ASSERT_EQ(rlabels.size(), labels.size() + 2 * 60);
  const auto repeated = XgboostPredictor::train(rrows, rlabels, m).predict(rows);
  const auto unweighted = XgboostPredictor::train(rows, labels, m).predict(rows);
  double diff_rep = 0, diff_unw = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    diff_rep = std::max(diff_rep, std::abs(weighted[i] - repeated[i]));
    diff_unw = std::max(diff_unw, std::abs(weighted[i] - unweighted[i]));
  }
  EXPECT_LT(diff_rep, 1e-3);
  EXPECT_GT(diff_unw, 0.01);
}

}  // namespace
}  // namespace pelnas
