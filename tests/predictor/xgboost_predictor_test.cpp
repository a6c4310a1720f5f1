#include "predictor/xgboost_predictor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "common/error.h"
#include "fake_proxy_computer.h"
#include "predictor/rank_correlation.h"
#include "test_support.h"

namespace pelnas {

namespace {

// Features from the fake computer for the first n archs of a fixed stride through the table.
void make_set(int start, int n, bool one_hot, std::vector<float>& rows, std::vector<float>& labels,
              std::vector<double>* truth = nullptr) {
  auto data = test::data();
  for (int k = 0; k < n; ++k) {
    const int idx = (start + k * 7) % data->size();
    const Arch& a = data->arch(idx);
    append_features(rows, test::FakeProxyComputer::fake_values(a, Dataset::Cifar10), a, one_hot);
    const double acc = *data->accuracy(idx, Dataset::Cifar10, AccuracyMetric::Test);
    labels.push_back(static_cast<float>(acc));
    if (truth) truth->push_back(acc);
  }
}

PredictorMeta meta(bool one_hot, std::uint64_t seed = 0) {
  PredictorMeta m;
  m.proxy_key.code_version = "fake-1";
  m.options.n_estimators = 60;
  m.options.seed = seed;
  m.options.one_hot = one_hot;
  m.options.graph_features = false;  // the first feature layout, fitted on plain accuracy
  m.options.label_transform = LabelTransform::None;
  m.options.top_weight = 1.0;
  m.options.proxies = resolve_proxy_set("all");
  m.features = predictor_feature_names(one_hot);
  return m;
}

}  // namespace

TEST(PredictorOptions, ValidateNamesTheBadField) {
  PredictorOptions o;
  EXPECT_NO_THROW(o.validate());
  auto expect_field = [](PredictorOptions bad, const std::string& field) {
    try {
      bad.validate();
      FAIL() << "expected an error for " << field;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  o = {}; o.n_estimators = 0; expect_field(o, "n_estimators");
  o = {}; o.max_depth = 0; expect_field(o, "max_depth");
  o = {}; o.learning_rate = 0; expect_field(o, "learning_rate");
  o = {}; o.subsample = 1.5; expect_field(o, "subsample");
  o = {}; o.nthread = 0; expect_field(o, "nthread");
  o = {}; o.learning_rate = NAN; expect_field(o, "learning_rate");
}

TEST(XgboostPredictor, FeatureLayout) {
  const auto names = predictor_feature_names(true);
  ASSERT_EQ(names.size(), 13u + 30u);
  EXPECT_EQ(names[0], "epe_nas");
  EXPECT_EQ(names[13], "op0_none");
  EXPECT_EQ(names[42], "op5_avg_pool_3x3");
  std::vector<float> row;
  const Arch a = Arch::parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|");
  ProxyValues v{{"synflow", 2.5}, {"nwot", std::nullopt}};
  append_features(row, v, a, true);
  ASSERT_EQ(row.size(), 43u);
  EXPECT_FLOAT_EQ(row[11], 2.5f);         // synflow
  EXPECT_TRUE(std::isnan(row[7]));        // nwot missing -> XGBoost missing marker
  EXPECT_TRUE(std::isnan(row[0]));        // absent -> missing
  EXPECT_EQ(row[13 + 0 * 5 + 3], 1.0f);   // edge 0 = nor_conv_3x3
  EXPECT_EQ(row[13 + 5 * 5 + 0], 1.0f);   // edge 5 = none
  float sum = 0;
  for (int i = 13; i < 43; ++i) sum += row[i];
  EXPECT_EQ(sum, 6.0f);
}

TEST(XgboostPredictor, LearnsDeterministicallyAndRoundTrips) {
  std::vector<float> rows, labels, trows, tlabels;
  std::vector<double> truth;
  make_set(0, 400, true, rows, labels);
  make_set(5000, 300, true, trows, tlabels, &truth);
  const auto p1 = XgboostPredictor::train(rows, labels, meta(true));
  const auto p2 = XgboostPredictor::train(rows, labels, meta(true));
  const auto y1 = p1.predict(trows);
  ASSERT_EQ(y1.size(), 300u);
  EXPECT_EQ(y1, p2.predict(trows));  // same seed, same bits
  // Prediction is per row: one row at a time and any thread count give the same bits.
  auto p3 = XgboostPredictor::train(rows, labels, meta(true));
  for (int threads : {1, 2, 3}) {
    p3.set_predict_threads(threads);
    EXPECT_EQ(p3.predict(trows), y1) << threads << " threads";
  }
  const std::size_t nf = p1.num_features();
  for (std::size_t r : {std::size_t{0}, std::size_t{17}, std::size_t{299}}) {
    const std::vector<float> one(trows.begin() + static_cast<std::ptrdiff_t>(r * nf),
                                 trows.begin() + static_cast<std::ptrdiff_t>((r + 1) * nf));
    EXPECT_EQ(p1.predict(one), std::vector<double>{y1[r]}) << "row " << r;
  }
  EXPECT_THROW(p3.set_predict_threads(0), Error);
  // The fake's nwot is the 12-epoch accuracy: a real signal, so held-out ranking must be good.
  EXPECT_GT(spearman(y1, truth), 0.8);

  const std::string dir = test::temp_dir("xgb");
  for (const std::string ext : {".json", ".ubj"}) {
    const std::string path = dir + "/model" + ext;
    p1.save(path);
    ASSERT_TRUE(std::filesystem::exists(XgboostPredictor::sidecar_path(path)));
    const auto loaded = XgboostPredictor::load(path);
    EXPECT_EQ(loaded.predict(trows), y1) << ext;
    EXPECT_EQ(loaded.meta().features, p1.meta().features);
    EXPECT_EQ(loaded.meta().proxy_key.code_version, "fake-1");
  }
}

TEST(XgboostPredictor, CorruptModelFileGivesClearError) {
  std::vector<float> rows, labels;
  make_set(0, 100, false, rows, labels);
  const auto p = XgboostPredictor::train(rows, labels, meta(false));
  const std::string dir = test::temp_dir("xgb2");
  const std::string path = dir + "/m.json";
  p.save(path);
  // Truncated model.
  std::string text = test::read_file(path);
  test::write_file(path, text.substr(0, text.size() / 2));
  try {
    XgboostPredictor::load(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  // Garbage bytes in a .ubj model.
  const std::string upath = dir + "/m.ubj";
  p.save(upath);
  test::write_file(upath, std::string("\x01\x02garbage\xff\xfe", 12));
  EXPECT_THROW(XgboostPredictor::load(upath), Error);
  // Corrupt sidecar.
  p.save(path);
  test::write_file(XgboostPredictor::sidecar_path(path), "{\"format\": \"pelnas-predictor-1\", \"dataset\": ");
  try {
    XgboostPredictor::load(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(".meta.json"), std::string::npos) << e.what();
  }
  // Missing model.
  EXPECT_THROW(XgboostPredictor::load(dir + "/absent.json"), Error);
}

TEST(XgboostPredictor, RejectsMismatchedInput) {
  std::vector<float> rows(13 * 3, 1.0f), labels = {1, 2};
  EXPECT_THROW(XgboostPredictor::train(rows, labels, meta(false)), Error);
  labels = {1, 2, NAN};
  EXPECT_THROW(XgboostPredictor::train(rows, labels, meta(false)), Error);
}

TEST(FlatForest, PredictionsEqualXgboostsOwnBitForBit) {
  // The flat evaluation of the trees against XGBoost's in-place prediction, on rows with missing
  // values (NaN: the default child) and values exactly at split thresholds, for both objectives,
  // an ensemble, and a model saved and loaded in both formats.
  std::vector<float> rows, labels, test_rows, test_labels;
  make_set(0, 300, true, rows, labels);
  make_set(5000, 400, true, test_rows, test_labels);
  const std::size_t ncol = predictor_feature_names(true).size();
  for (std::size_t i = 0; i < rows.size(); i += 7) rows[i] = NAN;  // training sees missing values too
  for (std::size_t i = 3; i < test_rows.size(); i += 5) test_rows[i] = NAN;
  // Some rows take a training row's values exactly (thresholds lie between such values).
  for (std::size_t c = 0; c < ncol; ++c) test_rows[c] = rows[ncol + c];
  const std::string dir = test::temp_dir("flat_forest");
  for (const std::string objective : {"reg:squarederror", "rank:pairwise"}) {
    PredictorMeta m = meta(true, 3);
    m.options.n_estimators = 80;
    m.options.objective = objective;
    m.options.ensemble = objective == "rank:pairwise" ? 2 : 1;
    const auto model = XgboostPredictor::train(rows, labels, m);
    for (const auto* x : {&rows, &test_rows}) {
      const auto flat = model.predict(*x);
      const auto ref = model.predict_with_xgboost(*x);
      ASSERT_EQ(flat.size(), x->size() / ncol);
      for (std::size_t i = 0; i < flat.size(); ++i) ASSERT_EQ(flat[i], ref[i]) << objective << " row " << i;
    }
    for (const std::string ext : {".json", ".ubj"}) {
      const std::string path = dir + "/m_" + std::to_string(objective.size()) + ext;
      model.save(path);
      const auto loaded = XgboostPredictor::load(path);
      const auto flat = loaded.predict(test_rows);
      EXPECT_EQ(flat, loaded.predict_with_xgboost(test_rows)) << objective << ext;
      EXPECT_EQ(flat, model.predict(test_rows)) << objective << ext;
    }
  }
}

TEST(FlatForest, RefusesModelsItCannotEvaluate) {
  nlohmann::json doc = {{"learner",
                         {{"learner_model_param", {{"num_class", "0"}, {"base_score", "5E-1"}, {"num_feature", "2"}}},
                          {"objective", {{"name", "binary:logistic"}}},
                          {"gradient_booster", {{"name", "gbtree"}, {"model", {{"trees", nlohmann::json::array()}}}}}}}};
  EXPECT_THROW(FlatForest::from_xgboost_json(doc, "m.json"), Error);
  doc["learner"]["objective"]["name"] = "reg:squarederror";
  EXPECT_EQ(FlatForest::from_xgboost_json(doc, "m.json").num_trees(), 0u);
  // A child index out of range, and a split on a feature the model does not have.
  doc["learner"]["gradient_booster"]["model"]["trees"] = {{{"left_children", {1, -1, -1}}, {"right_children", {5, -1, -1}},
                                                          {"split_conditions", {0.5, 1.0, 2.0}}, {"split_indices", {0, 0, 0}},
                                                          {"default_left", {0, 0, 0}}}};
  EXPECT_THROW(FlatForest::from_xgboost_json(doc, "m.json"), Error);
  doc["learner"]["gradient_booster"]["model"]["trees"][0]["right_children"][0] = 2;
  const auto ok = FlatForest::from_xgboost_json(doc, "m.json");
  EXPECT_EQ(ok.predict({0.25f, 0.f, 0.75f, 0.f, NAN, 0.f}), (std::vector<float>{1.5f, 2.5f, 2.5f}));
  // A tree deeper than the complete layout takes (a chain of 11 splits on feature 0: x = k ends on
  // the leaf of value k) is walked node by node, next to a shallow one.
  nlohmann::json chain = {{"left_children", nlohmann::json::array()}, {"right_children", nlohmann::json::array()},
                          {"split_conditions", nlohmann::json::array()}, {"split_indices", nlohmann::json::array()},
                          {"default_left", nlohmann::json::array()}};
  for (int i = 0; i <= 11; ++i) {  // split i at 2i, its left leaf at 2i+1; the last right leaf at 23
    const bool last = i == 11;
    chain["left_children"].push_back(last ? -1 : 2 * i + 1);
    chain["right_children"].push_back(last ? -1 : (i == 10 ? 22 : 2 * i + 2));
    chain["split_conditions"].push_back(last ? 11.0 : i + 0.5);
    chain["split_indices"].push_back(0);
    chain["default_left"].push_back(0);
    if (!last) {
      chain["left_children"].push_back(-1);
      chain["right_children"].push_back(-1);
      chain["split_conditions"].push_back(static_cast<double>(i));
      chain["split_indices"].push_back(0);
      chain["default_left"].push_back(0);
    }
  }
  doc["learner"]["gradient_booster"]["model"]["trees"][0]["split_indices"][0] = 0;
  doc["learner"]["gradient_booster"]["model"]["trees"].push_back(chain);
  const auto deep = FlatForest::from_xgboost_json(doc, "m.json");
  std::vector<float> rows;
  std::vector<float> expected;
  for (int k = 0; k <= 11; ++k) {
    rows.insert(rows.end(), {static_cast<float>(k), 0.f});
    expected.push_back(0.5f + (k < 0.5f ? 1.0f : 2.0f) + static_cast<float>(k));
  }
  EXPECT_EQ(deep.predict(rows), expected);
  doc["learner"]["gradient_booster"]["model"]["trees"][0]["split_indices"][0] = 2;
  EXPECT_THROW(FlatForest::from_xgboost_json(doc, "m.json"), Error);
}

TEST(FlatForest, MissingAndInfiniteValuesFollowXgboostsRule) {
  // One split on feature 0 (leaves 1 left, 2 right): XGBoost goes left when x < threshold and
  // sends a missing value (NaN) to the split's default child.
  const auto model = [](double threshold, int default_left, const char* num_feature = "1") {
    nlohmann::json doc = {
        {"learner",
         {{"learner_model_param", {{"num_class", "0"}, {"base_score", "0"}, {"num_feature", num_feature}}},
          {"objective", {{"name", "reg:squarederror"}}},
          {"gradient_booster",
           {{"name", "gbtree"},
            {"model",
             {{"trees", {{{"left_children", {1, -1, -1}}, {"right_children", {2, -1, -1}},
                          {"split_conditions", {threshold, 1.0, 2.0}}, {"split_indices", {0, 0, 0}},
                          {"default_left", {default_left, 0, 0}}}}}}}}}}}};
    return FlatForest::from_xgboost_json(doc, "m.json");
  };
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> xs = {0.25f, 0.5f, 0.75f, NAN, -inf, inf};
  EXPECT_EQ(model(0.5, 1).predict(xs), (std::vector<float>{1, 2, 2, 1, 1, 2}));
  EXPECT_EQ(model(0.5, 0).predict(xs), (std::vector<float>{1, 2, 2, 2, 1, 2}));
  // A threshold below every float (-1e39 is -inf as a float): nothing is below it, so every value
  // goes right, yet a missing value still takes the default child (left here), which a missing
  // value read as -inf would not.
  EXPECT_EQ(model(-1e39, 1).predict(xs), (std::vector<float>{2, 2, 2, 1, 2, 2}));
  EXPECT_EQ(model(-1e39, 0).predict(xs), (std::vector<float>{2, 2, 2, 2, 2, 2}));
  EXPECT_EQ(model(1e39, 0).predict(xs), (std::vector<float>{1, 1, 1, 2, 1, 2}));
  // Rows in more than one block of the evaluator, with missing values in some blocks only.
  std::vector<float> many, expected;
  for (int k = 0; k < 300; ++k) {
    const float x = k < 150 ? static_cast<float>(k % 2) : (k % 7 == 0 ? NAN : 0.0f);
    many.push_back(x);
    expected.push_back(std::isnan(x) ? 2.0f : (x < 0.5f ? 1.0f : 2.0f));
  }
  EXPECT_EQ(model(0.5, 0).predict(many), expected);
  EXPECT_THROW(model(0.5, 0, "1e300"), Error);
  EXPECT_THROW(model(0.5, 0, "1.5"), Error);
  EXPECT_THROW(model(0.5, 0, "-1"), Error);
}

}  // namespace pelnas
