#include "predictor/xgboost_predictor.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/json_fields.h"
#include "predictor/predictor_features.h"

namespace pelnas {

namespace {

std::string last_error() {
  const char* e = XGBGetLastError();
  return e ? std::string(e) : std::string("unknown XGBoost error");
}

void check(int rc, const std::string& doing) {
  if (rc != 0) throw Error("XGBoost: " + doing + ": " + last_error());
}

void quiet_xgboost() {
  static std::once_flag once;
  std::call_once(once, [] { XGBSetGlobalConfig("{\"verbosity\": 0}"); });
}

std::shared_ptr<void> new_booster(DMatrixHandle* train, bst_ulong n) {
  quiet_xgboost();
  BoosterHandle h = nullptr;
  check(XGBoosterCreate(train, n, &h), "creating a booster");
  return std::shared_ptr<void>(h, [](void* p) { XGBoosterFree(p); });
}

struct DMatrix {
  DMatrixHandle h = nullptr;
  DMatrix(const std::vector<float>& rows, std::size_t ncol) {
    if (ncol == 0 || rows.size() % ncol != 0)
      throw Error("predictor: feature matrix of " + std::to_string(rows.size()) + " values is not a multiple of " +
                  std::to_string(ncol) + " features");
    check(XGDMatrixCreateFromMat(rows.data(), rows.size() / ncol, ncol, std::numeric_limits<float>::quiet_NaN(), &h),
          "creating a feature matrix");
  }
  ~DMatrix() { XGDMatrixFree(h); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
};

int default_predict_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(hw, 1u, 4u));
}

void set(BoosterHandle h, const char* name, const std::string& value) {
  check(XGBoosterSetParam(h, name, value.c_str()), std::string("setting ") + name);
}

}  // namespace

void PredictorOptions::validate() const {
  auto bad = [](const std::string& field, const std::string& expected, const std::string& got) {
    throw Error("predictor options: " + field + " must be " + expected + " (got " + got + ")");
  };
  if (n_estimators < 1 || n_estimators > 100000) bad("n_estimators", "in [1, 100000]", std::to_string(n_estimators));
  if (max_depth < 1 || max_depth > 32) bad("max_depth", "in [1, 32]", std::to_string(max_depth));
  if (!(learning_rate > 0 && learning_rate <= 1)) bad("learning_rate", "in (0, 1]", std::to_string(learning_rate));
  if (!(subsample > 0 && subsample <= 1)) bad("subsample", "in (0, 1]", std::to_string(subsample));
  if (!(colsample_bytree > 0 && colsample_bytree <= 1))
    bad("colsample_bytree", "in (0, 1]", std::to_string(colsample_bytree));
  if (!(min_child_weight >= 0 && std::isfinite(min_child_weight)))
    bad("min_child_weight", ">= 0", std::to_string(min_child_weight));
  if (nthread < 1 || nthread > 256) bad("nthread", "in [1, 256]", std::to_string(nthread));
  if (ensemble < 1 || ensemble > 64) bad("ensemble", "in [1, 64]", std::to_string(ensemble));
  if (objective != "reg:squarederror" && objective != "rank:pairwise")
    bad("objective", "reg:squarederror or rank:pairwise", objective);
  if (!(top_weight > 0 && top_weight <= 1000)) bad("top_weight", "in (0, 1000]", std::to_string(top_weight));
  // XGBoost's ranking objectives weigh query groups, not rows; all training archs are one group.
  if (objective == "rank:pairwise" && top_weight != 1.0)
    bad("top_weight", "1 with objective rank:pairwise (give --top-weight 1)", std::to_string(top_weight));
  if (proxies != resolve_proxy_set(join_proxies(proxies)) && !proxies.empty())
    bad("proxies", "distinct proxy names in the order " + join_proxies(resolve_proxy_set("all")), join_proxies(proxies));
  if (proxies.empty() && !one_hot && !graph_features) bad("proxies", "non-empty when there are no other features", "none");
}

nlohmann::json PredictorOptions::to_json() const {
  return {{"n_estimators", n_estimators}, {"max_depth", max_depth},   {"learning_rate", learning_rate},
          {"subsample", subsample},       {"colsample_bytree", colsample_bytree},
          {"min_child_weight", min_child_weight}, {"seed", seed}, {"one_hot", one_hot}, {"nthread", nthread},
          {"proxies", proxies}, {"graph_features", graph_features}, {"ensemble", ensemble}, {"objective", objective},
          {"label_transform", std::string(to_string(label_transform))}, {"top_weight", top_weight}};
}

PredictorOptions PredictorOptions::from_json(const nlohmann::json& j) {
  PredictorOptions o;
  o.n_estimators = json_fields::get_integral<int>(j.at("n_estimators"));
  o.max_depth = json_fields::get_integral<int>(j.at("max_depth"));
  o.learning_rate = j.at("learning_rate").get<double>();
  o.subsample = j.at("subsample").get<double>();
  o.colsample_bytree = j.at("colsample_bytree").get<double>();
  o.min_child_weight = j.at("min_child_weight").get<double>();
  o.seed = json_fields::get_integral<std::uint64_t>(j.at("seed"));
  o.one_hot = j.at("one_hot").get<bool>();
  o.nthread = json_fields::get_integral<int>(j.at("nthread"));
  o.proxies = j.contains("proxies") ? j.at("proxies").get<std::vector<std::string>>() : resolve_proxy_set("all");
  o.graph_features = j.value("graph_features", false);
  o.ensemble = j.value("ensemble", 1);
  o.objective = j.value("objective", std::string("reg:squarederror"));
  o.label_transform = label_transform_from_string(j.value("label_transform", std::string("none")));
  o.top_weight = j.value("top_weight", 1.0);
  o.validate();
  return o;
}

nlohmann::json PredictorMeta::to_json() const {
  return {{"format", "pelnas-predictor-1"},
          {"dataset", std::string(to_string(dataset))},
          {"target", target},
          {"proxy", {{"batch_size", proxy_key.batch_size}, {"seed", proxy_key.seed}, {"input", proxy_key.input},
                     {"code_version", proxy_key.code_version}}},
          {"features", features},
          {"options", options.to_json()},
          {"sample_seed", sample_seed},
          {"train_indices", train_indices},
          {"proxy_table", proxy_table},
          {"calibration", {{"scores", calibration_scores}, {"labels", calibration_labels}}}};
}

PredictorMeta PredictorMeta::from_json(const nlohmann::json& j, const std::string& name) {
  try {
    if (j.value("format", "") != "pelnas-predictor-1")
      throw Error(name + ": not a pelnas predictor sidecar (expected \"format\": \"pelnas-predictor-1\")");
    PredictorMeta m;
    m.dataset = dataset_from_string(j.at("dataset").get<std::string>());
    m.target = j.at("target").get<std::string>();
    const auto& p = j.at("proxy");
    m.proxy_key.dataset = m.dataset;
    m.proxy_key.batch_size = json_fields::get_integral<int>(p.at("batch_size"));
    m.proxy_key.seed = json_fields::get_integral<std::uint64_t>(p.at("seed"));
    m.proxy_key.input = p.at("input").get<std::string>();
    m.proxy_key.code_version = p.at("code_version").get<std::string>();
    m.features = j.at("features").get<std::vector<std::string>>();
    m.options = PredictorOptions::from_json(j.at("options"));
    m.sample_seed = json_fields::get_integral<std::uint64_t>(j.at("sample_seed"));
    m.train_indices = j.at("train_indices").get<std::vector<int>>();
    m.proxy_table = j.value("proxy_table", "");
    if (j.contains("calibration")) {
      m.calibration_scores = j.at("calibration").at("scores").get<std::vector<double>>();
      m.calibration_labels = j.at("calibration").at("labels").get<std::vector<double>>();
    }
    if (m.features != predictor_feature_names(m.options))
      throw Error(name + ": the feature list does not match the one these options give (" +
                  std::to_string(predictor_feature_names(m.options).size()) + " features); retrain the model");
    if (m.options.objective == "rank:pairwise" &&
        (m.calibration_scores.size() < 2 || m.calibration_scores.size() != m.calibration_labels.size() ||
         !std::is_sorted(m.calibration_scores.begin(), m.calibration_scores.end()) ||
         !std::is_sorted(m.calibration_labels.begin(), m.calibration_labels.end())))
      throw Error(name + ": a rank:pairwise model needs its calibration (two sorted lists of equal length >= 2)");
    return m;
  } catch (...) {  // a library error or an integer that does not fit; anything else passes through
    throw Error(name + ": malformed predictor sidecar: " + json_fields::malformed_document_message());
  }
}

XgboostPredictor XgboostPredictor::train(const std::vector<float>& rows, const std::vector<float>& labels,
                                         PredictorMeta meta) {
  meta.options.validate();
  if (meta.features.empty()) meta.features = predictor_feature_names(meta.options);
  const std::size_t ncol = meta.features.size();
  DMatrix d(rows, ncol);
  if (rows.size() / ncol != labels.size())
    throw Error("predictor: " + std::to_string(rows.size() / ncol) + " feature rows but " +
                std::to_string(labels.size()) + " labels");
  if (labels.size() < 2) throw Error("predictor: needs at least 2 training archs");
  for (float l : labels)
    if (!std::isfinite(l)) throw Error("predictor: a training label is not finite");
  const auto& o = meta.options;
  std::vector<float> fitted(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i)
    fitted[i] = static_cast<float>(transform_label(o.label_transform, labels[i]));
  check(XGDMatrixSetFloatInfo(d.h, "label", fitted.data(), fitted.size()), "setting labels");
  if (o.top_weight != 1.0) {
    const auto w = top_label_weights(labels, kTopLabelFraction, o.top_weight);
    check(XGDMatrixSetFloatInfo(d.h, "weight", w.data(), w.size()), "setting weights");
  }
  const bool rank = o.objective == "rank:pairwise";
  if (rank) {
    const unsigned group = static_cast<unsigned>(labels.size());  // one query: all training archs
    check(XGDMatrixSetUIntInfo(d.h, "group", &group, 1), "setting the ranking group");
  }
  XgboostPredictor p;
  for (int m = 0; m < o.ensemble; ++m) {
    p.boosters_.push_back(new_booster(&d.h, 1));
    BoosterHandle h = p.boosters_.back().get();
    set(h, "objective", o.objective);
    set(h, "tree_method", "exact");
    set(h, "max_depth", std::to_string(o.max_depth));
    set(h, "eta", std::to_string(o.learning_rate));
    set(h, "subsample", std::to_string(o.subsample));
    set(h, "colsample_bytree", std::to_string(o.colsample_bytree));
    set(h, "min_child_weight", std::to_string(o.min_child_weight));
    set(h, "seed", std::to_string((o.seed + static_cast<std::uint64_t>(m)) % 2147483647ULL));
    set(h, "nthread", std::to_string(o.nthread));
    for (int it = 0; it < o.n_estimators; ++it) check(XGBoosterUpdateOneIter(h, it, d.h), "training");
  }
  p.meta_ = std::move(meta);
  p.set_predict_threads(default_predict_threads());
  p.build_forests("(trained in memory)");
  if (rank) {
    // Monotone map from score to percent: a score's position among the training scores picks the
    // label at the same quantile (linear in between), so ranks are kept and values look like
    // accuracies of the training distribution.
    p.meta_.calibration_scores.clear();
    p.meta_.calibration_labels.assign(labels.begin(), labels.end());
    for (std::size_t m = 0; m < p.boosters_.size(); ++m) {
      const auto raw = p.predict_raw(p.boosters_[m].get(), rows);
      if (m == 0) p.meta_.calibration_scores.assign(raw.size(), 0.0);
      for (std::size_t i = 0; i < raw.size(); ++i) p.meta_.calibration_scores[i] += raw[i] / static_cast<double>(p.boosters_.size());
    }
    std::sort(p.meta_.calibration_scores.begin(), p.meta_.calibration_scores.end());
    std::sort(p.meta_.calibration_labels.begin(), p.meta_.calibration_labels.end());
  }
  return p;
}

std::vector<double> XgboostPredictor::combine(const std::vector<std::vector<double>>& members) const {
  std::vector<double> out;
  for (std::size_t m = 0; m < members.size(); ++m) {
    if (m == 0) out.assign(members[m].size(), 0.0);
    for (std::size_t i = 0; i < members[m].size(); ++i) out[i] += members[m][i];
  }
  // Members are summed in a fixed order, then averaged: independent of thread count and batch.
  for (double& v : out) v /= static_cast<double>(members.size());
  if (meta_.options.objective == "rank:pairwise")
    for (double& v : out) v = calibrate(v);  // scores, not labels: the label transform does not apply
  else if (meta_.options.label_transform != LabelTransform::None)
    for (double& v : out) v = untransform_label(meta_.options.label_transform, v);
  return out;
}

std::vector<double> XgboostPredictor::predict(const std::vector<float>& rows) const {
  if (rows.empty()) return {};
  if (forests_.size() != boosters_.size()) return predict_with_xgboost(rows);
  std::vector<std::vector<double>> members;
  for (const auto& forest : forests_) {
    const auto raw = forest.predict(rows);
    members.emplace_back(raw.begin(), raw.end());
  }
  return combine(members);
}

std::vector<double> XgboostPredictor::predict_with_xgboost(const std::vector<float>& rows) const {
  if (rows.empty()) return {};
  std::vector<std::vector<double>> members;
  for (const auto& b : boosters_) members.push_back(predict_raw(b.get(), rows));
  return combine(members);
}

void XgboostPredictor::build_forests(const std::string& name) {
  forests_.clear();
  for (const auto& b : boosters_) {
    // UBJSON: floats in binary (exact), and non-finite statistics (XGBoost writes them as bare
    // Infinity/NaN in its text JSON, which is not JSON) are representable.
    bst_ulong len = 0;
    const char* buf = nullptr;
    check(XGBoosterSaveModelToBuffer(b.get(), R"({"format": "ubj"})", &len, &buf), "reading the trees of " + name);
    nlohmann::json doc;
    try {
      doc = nlohmann::json::from_ubjson(buf, buf + len);
      forests_.push_back(FlatForest::from_xgboost_json(doc, name));
    } catch (const std::exception& e) {
      // Never worse than before: XGBoost's own prediction serves this model.
      spdlog::debug("predictor model {}: trees not evaluated flat ({}); using XGBoost's prediction", name, e.what());
      forests_.clear();
      return;
    }
    if (forests_.back().num_features() != num_features())
      throw Error("predictor model " + name + ": its trees have " + std::to_string(forests_.back().num_features()) +
                  " features but its sidecar lists " + std::to_string(num_features()));
  }
}

double XgboostPredictor::calibrate(double score) const {
  const auto& xs = meta_.calibration_scores;
  const auto& ys = meta_.calibration_labels;
  const auto n = xs.size();
  if (score <= xs.front()) return ys.front();
  if (score >= xs.back()) return ys.back();
  // Ties among training scores: take the middle of the labels they span.
  const auto lo = static_cast<std::size_t>(std::lower_bound(xs.begin(), xs.end(), score) - xs.begin());
  const auto hi = static_cast<std::size_t>(std::upper_bound(xs.begin(), xs.end(), score) - xs.begin());
  if (lo != hi) return 0.5 * (ys[lo] + ys[hi - 1]);
  // xs[lo-1] < score < xs[lo]
  const double t = (score - xs[lo - 1]) / (xs[lo] - xs[lo - 1]);
  (void)n;
  return ys[lo - 1] + t * (ys[lo] - ys[lo - 1]);
}

std::vector<double> XgboostPredictor::predict_raw(const void* booster, const std::vector<float>& rows) const {
  const std::size_t ncol = num_features();
  if (ncol == 0 || rows.size() % ncol != 0)
    throw Error("predictor: feature matrix of " + std::to_string(rows.size()) + " values is not a multiple of " +
                std::to_string(ncol) + " features");
  // In-place prediction skips building a DMatrix (about a third of the time for 1,000 rows).
  // The array interface carries the buffer address; "missing": NaN as XGBoost's JSON reader allows.
  const std::string array = fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                                        reinterpret_cast<std::uintptr_t>(rows.data()), rows.size() / ncol, ncol);
  static const char* config =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "cache_id": 0, "missing": NaN})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  check(XGBoosterPredictFromDense(const_cast<void*>(booster), array.c_str(), config, nullptr, &shape, &dim, &out),
        "predicting");
  std::size_t len = 1;
  for (bst_ulong i = 0; i < dim; ++i) len *= shape[i];
  if (len != rows.size() / ncol)
    throw Error("predictor: XGBoost returned " + std::to_string(len) + " predictions for " +
                std::to_string(rows.size() / ncol) + " rows");
  return std::vector<double>(out, out + len);
}

void XgboostPredictor::set_predict_threads(int threads) {
  if (threads < 1 || threads > 256) throw Error("predictor: predict threads must be in [1, 256] (got " + std::to_string(threads) + ")");
  for (auto& b : boosters_) set(b.get(), "nthread", std::to_string(threads));
}

std::string XgboostPredictor::member_path(const std::string& model_path, int member) {
  const std::filesystem::path p(model_path);
  return (p.parent_path() / (p.stem().string() + ".m" + std::to_string(member) + p.extension().string())).string();
}

void XgboostPredictor::save(const std::string& path) const {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  for (std::size_t m = 0; m < boosters_.size(); ++m) {
    const std::string file = m == 0 ? path : member_path(path, static_cast<int>(m));
    check(XGBoosterSaveModel(boosters_[m].get(), file.c_str()), "saving the model to " + file);
  }
  const std::string side = sidecar_path(path);
  std::ofstream f(side);
  f << meta_.to_json().dump(2) << "\n";
  if (!f) throw Error("cannot write " + side);
}

XgboostPredictor XgboostPredictor::load(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw Error("predictor model " + path + ": no such file");
  const std::string side = sidecar_path(path);
  std::ifstream f(side);
  if (!f) throw Error("predictor model " + path + ": its sidecar " + side + " is missing (written by `pelnas predictor train`)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    throw Error(side + ": not valid JSON: " + e.what());
  }
  XgboostPredictor p;
  p.meta_ = PredictorMeta::from_json(j, side);
  for (int m = 0; m < p.meta_.options.ensemble; ++m) {
    const std::string file = m == 0 ? path : member_path(path, m);
    if (!std::filesystem::is_regular_file(file))
      throw Error("predictor model " + path + ": ensemble member " + std::to_string(m) + " (" + file + ") is missing");
    p.boosters_.push_back(new_booster(nullptr, 0));
    if (XGBoosterLoadModel(p.boosters_.back().get(), file.c_str()) != 0)
      throw Error("predictor model " + file + ": not a valid XGBoost model (corrupt or truncated?): " + last_error());
    bst_ulong nfeat = 0;
    check(XGBoosterGetNumFeature(p.boosters_.back().get(), &nfeat), "reading the feature count of " + file);
    if (nfeat != p.meta_.features.size())
      throw Error("predictor model " + file + ": has " + std::to_string(nfeat) + " features but its sidecar lists " +
                  std::to_string(p.meta_.features.size()));
  }
  p.set_predict_threads(default_predict_threads());
  p.build_forests(path);
  return p;
}

}  // namespace pelnas
