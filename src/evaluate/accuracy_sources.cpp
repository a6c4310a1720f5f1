#include "evaluate/accuracy_sources.h"

#include <filesystem>
#include <map>
#include <mutex>

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "predictor/predictor_accuracy.h"
#include "predictor/predictor_training.h"

namespace pelnas {

namespace {

std::shared_ptr<AccuracySource> make_predictor(const AccuracySourceOptions& o) {
  namespace fs = std::filesystem;
  const std::string model_path = o.model_path.empty() ? default_predictor_path(o.dataset) : o.model_path;
  const std::string table_path = o.proxy_table_path.empty() ? default_proxy_table_path(o.dataset) : o.proxy_table_path;
  const std::string cache_path = o.cache_path.empty() ? default_proxy_cache_path() : o.cache_path;
  std::shared_ptr<const ProxyTable> table;
  if (fs::exists(table_path)) table = std::make_shared<ProxyTable>(ProxyTable::read(table_path));
  else if (!o.proxy_table_path.empty()) throw Error("proxy table " + table_path + ": no such file");

  std::shared_ptr<const XgboostPredictor> model;
  if (fs::exists(model_path)) {
    model = std::make_shared<XgboostPredictor>(XgboostPredictor::load(model_path));
    if (model->meta().dataset != o.dataset)
      throw Error("predictor model " + model_path + " was trained for " + std::string(to_string(model->meta().dataset)) +
                  ", not " + std::string(to_string(o.dataset)));
  } else if (!o.model_path.empty()) {
    throw Error("predictor model " + model_path + ": no such file");
  }
  if (!model) {
    if (!table)
      throw Error("--accuracy predictor: no model (" + model_path + ") and no proxy table (" + table_path +
                  ") for " + std::string(to_string(o.dataset)) + "; run `pelnas predictor train --dataset " +
                  std::string(to_string(o.dataset)) + "` first");
    // Quick start: fit on the shipped table (seconds), without computing a single proxy.
    TrainRequest req;
    req.dataset = o.dataset;
    req.sample_seed = table->sample_seed;
    req.n_train = std::min<int>(1000, static_cast<int>(table->archs.size()));
    ProxyFeatureSource features(table->key, table, cache_path, o.data->dir(), o.threads, {}, req.options.proxies);
    spdlog::info("training the accuracy predictor for {} on {} archs of {}", to_string(o.dataset), req.n_train, table_path);
    model = std::make_shared<XgboostPredictor>(train_predictor(*o.data, req, features));
  }
  auto features = std::make_shared<ProxyFeatureSource>(model->meta().proxy_key, table, cache_path, o.data->dir(),
                                                       o.threads, ProxyFeatureSource::ComputerFactory{},
                                                       model->meta().options.proxies);
  return std::make_shared<PredictorAccuracy>(model, features);
}

struct Registry {
  std::mutex mutex;
  std::map<std::string, AccuracySourceFactory, std::less<>> factories;
  Registry() {
    auto table = [](AccuracyMetric m) {
      return [m](const AccuracySourceOptions& o) -> std::shared_ptr<AccuracySource> {
        if (!o.data) throw Error("accuracy source: no benchmark data given");
        return std::make_shared<TableAccuracy>(o.data, o.dataset, m);
      };
    };
    factories["test"] = table(AccuracyMetric::Test);
    factories["table"] = table(AccuracyMetric::Test);
    factories["valid"] = table(AccuracyMetric::Valid);
    factories["test12"] = table(AccuracyMetric::Test12);
    factories["valid12"] = table(AccuracyMetric::Valid12);
    factories["predictor"] = [](const AccuracySourceOptions& o) -> std::shared_ptr<AccuracySource> {
      if (!o.data) throw Error("accuracy source: no benchmark data given");
      return make_predictor(o);
    };
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_accuracy_source(const std::string& name, AccuracySourceFactory factory) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[name] = std::move(factory);
}

std::vector<std::string> accuracy_source_names() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, f] : r.factories) names.push_back(name);
  return names;
}

std::shared_ptr<AccuracySource> make_accuracy_source(std::string_view name, const AccuracySourceOptions& options) {
  AccuracySourceFactory f;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.factories.find(name);
    if (it == r.factories.end()) {
      std::string valid;
      for (const auto& [n, g] : r.factories) valid += (valid.empty() ? "" : ", ") + n;
      throw Error("unknown accuracy source '" + std::string(name) + "' (valid: " + valid + ")");
    }
    f = it->second;
  }
  return f(options);
}

}  // namespace pelnas
