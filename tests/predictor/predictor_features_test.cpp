// Predictor features and model variants: proxy subsets, cell graph features, ensembles and the
// ranking objective (saved and loaded, deterministic, independent of thread count).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "fake_proxy_computer.h"
#include "predictor/predictor_features.h"
#include "predictor/rank_correlation.h"
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
    m.options.ensemble = 3;
    m.options.objective = objective;
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
  m.features = predictor_feature_names(m.options);
  std::vector<float> rows, labels;
  std::vector<double> truth;
  make_rows(m.options, 0, 50, rows, labels, truth);
  const auto p = XgboostPredictor::train(rows, labels, m);
  const std::string path = test::temp_dir("xgbold") + "/model.json";
  p.save(path);
  auto j = nlohmann::json::parse(test::read_file(XgboostPredictor::sidecar_path(path)));
  for (const char* key : {"proxies", "graph_features", "ensemble", "objective"}) j["options"].erase(key);
  j.erase("calibration");
  test::write_file(XgboostPredictor::sidecar_path(path), j.dump());
  const auto loaded = XgboostPredictor::load(path);
  EXPECT_EQ(loaded.meta().options.proxies.size(), 13u);
  EXPECT_EQ(loaded.predict(rows), p.predict(rows));
}

}  // namespace
}  // namespace pelnas
