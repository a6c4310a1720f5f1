#include "evaluate/accuracy_sources.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
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
  if (o.remote_proxies) features->set_remote(o.remote_proxies);
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
    for (AccuracyMetric m : {AccuracyMetric::Test, AccuracyMetric::Valid, AccuracyMetric::Test12, AccuracyMetric::Valid12})
      factories["table:" + std::string(to_string(m))] = table(m);
    factories["predictor"] = [](const AccuracySourceOptions& o) -> std::shared_ptr<AccuracySource> {
      if (!o.data) throw Error("accuracy source: no benchmark data given");
      return make_predictor(o);
    };
    factories[kExternalSignal] = [](const AccuracySourceOptions& o) -> std::shared_ptr<AccuracySource> {
      if (!o.evaluator)
        throw Error("accuracy signal 'external' needs the evaluator program: --evaluator 'CMD ARGS' (docs/EVALUATOR.md)");
      return std::make_shared<ExternalAccuracy>(*o.evaluator, o.dataset);
    };
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

// Fixed aliases (older spellings and short forms); "valid" depends on the dataset.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"test", "table:test"}, {"table", "table:test"}, {"valid12", "table:valid12"}, {"test12", "table:test12"}};

std::string valid_names() {
  std::string out = kDefaultAccuracySignal;
  for (const auto& n : accuracy_source_names()) out += ", " + n;
  out += " (aliases:";
  for (const auto& [alias, target] : kAliases) out += fmt::format(" {} = {};", alias, target);
  out.back() = ')';
  return out;
}

// What a dataset offers, for an error about a column it lacks.
std::string available_on(Dataset d, const BenchmarkData& data) {
  std::string out;
  for (const auto& n : accuracy_source_names()) {
    if (n.rfind("table:", 0) == 0 && !data.has_accuracy(d, accuracy_metric_from_string(n.substr(6)))) continue;
    out += (out.empty() ? "" : ", ") + n;
  }
  return out;
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

std::string accuracy_signal_help() {
  // Every accepted value, so none is hidden; sources registered later appear by name.
  static const std::map<std::string, std::string, std::less<>> what = {
      {"table:valid", "200-epoch validation accuracy (cifar10 only: the cifar10-valid split)"},
      {"table:valid12", "12-epoch validation accuracy (every dataset; low fidelity)"},
      {"table:test12", "12-epoch test accuracy (test-set leakage)"},
      {"table:test", "true 200-epoch test accuracy: an oracle upper bound, not an honest search (aliases: test, table)"},
      {"predictor", "XGBoost over zero-cost proxies, the paper's setting (computes proxies; see `pelnas predictor`)"},
      {"external", "the accuracy your own program reports (set by --evaluator 'CMD'; docs/EVALUATOR.md)"}};
  std::string h = "accuracy the search sees (`accuracy_signal`; scoring always uses true test accuracy):\n"
                  "  valid (default): the best validation accuracy of the dataset: table:valid on cifar10, "
                  "table:valid12 on cifar100 and ImageNet16-120 (their 200-epoch validation accuracy is not in the data)";
  for (const auto& name : accuracy_source_names()) {
    const auto it = what.find(name);
    h += "\n  " + name + (it == what.end() ? std::string() : ": " + it->second);
  }
  return h;
}

bool is_oracle_signal(std::string_view canonical) { return canonical == "table:test"; }

std::string accuracy_signal_description(std::string_view c) {
  std::string what;
  if (c == "table:valid") what = "200-epoch validation accuracy (the cifar10-valid split: models trained on 25k training images, accuracy on the other 25k); it never saw test accuracy";
  else if (c == "table:valid12") what = "12-epoch validation accuracy (the only validation accuracy the data has for this dataset); it never saw test accuracy";
  else if (c == "table:test12") what = "12-epoch test accuracy (low-fidelity test-set leakage)";
  else if (c == "table:test") what = "the true 200-epoch test accuracy itself: an oracle upper bound, not an honest search";
  else if (c == "external") what = "the accuracy reported by the user's evaluator program (--evaluator; docs/EVALUATOR.md)";
  else if (c == "predictor") what = "accuracy predicted by XGBoost from zero-cost proxies; it never saw a trained accuracy";
  else what = "the registered accuracy source '" + std::string(c) + "'";
  return fmt::format("Search signal (accuracy_signal): {} = {}.", c, what);
}

std::string resolve_accuracy_signal(std::string_view requested, Dataset dataset, const BenchmarkData& data) {
  std::string name(requested);
  if (name == kDefaultAccuracySignal)
    name = data.has_accuracy(dataset, AccuracyMetric::Valid) ? "table:valid" : "table:valid12";
  for (const auto& [alias, target] : kAliases)
    if (name == alias) name = target;
  const auto names = accuracy_source_names();
  if (std::find(names.begin(), names.end(), name) == names.end())
    throw Error("unknown accuracy signal '" + std::string(requested) + "' (valid: " + valid_names() + ")");
  if (name.rfind("table:", 0) == 0) {
    const AccuracyMetric m = accuracy_metric_from_string(name.substr(6));
    if (!data.has_accuracy(dataset, m))
      throw Error(fmt::format("accuracy signal '{}': {} has no {} accuracy in the benchmark data{}; it has: {} (`valid` "
                              "picks the best validation signal of each dataset)",
                              requested, to_string(dataset), to_string(m),
                              m == AccuracyMetric::Valid ? " (200-epoch validation exists for cifar10 only)" : "",
                              available_on(dataset, data)));
  }
  return name;
}

std::shared_ptr<AccuracySource> make_accuracy_source(std::string_view name, const AccuracySourceOptions& options) {
  if (!options.data) throw Error("accuracy source: no benchmark data given");
  const std::string canonical = resolve_accuracy_signal(name, options.dataset, *options.data);
  AccuracySourceFactory f;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    f = r.factories.find(canonical)->second;
  }
  return f(options);
}

}  // namespace pelnas
