// Predictor inference for 1,000 archs whose proxies are already known (target: under 10 ms).
// Features here are derived from the benchmark table (params, flops, 12-epoch accuracy, ...) so the
// bench needs no LibTorch; the model has the production shape (the default proxy set + 30 one-hot,
// default PredictorOptions: 600 trees of depth 6), which is what inference cost depends on.
#include <benchmark/benchmark.h>

#include <cmath>

#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "predictor/predictor_accuracy.h"
#include "predictor/predictor_training.h"

namespace {

using namespace pelnas;

ProxyValues table_features(const BenchmarkData& data, int i) {
  ProxyValues v;
  for (auto name : kProxyNames) v.emplace(std::string(name), std::nullopt);
  v["params"] = data.params(i, Dataset::Cifar10);
  v["flops"] = data.flops(i, Dataset::Cifar10);
  v["nwot"] = data.accuracy(i, Dataset::Cifar10, AccuracyMetric::Test12);
  v["synflow"] = std::log1p(data.params(i, Dataset::Cifar10)) + data.arch(i).count(Op::Conv3x3);
  v["jacov"] = data.arch(i).count(Op::Skip) - data.arch(i).count(Op::None);
  return v;
}

struct Setup {
  std::shared_ptr<const BenchmarkData> data = BenchmarkData::load(resolve_data_dir(std::nullopt));
  std::shared_ptr<ProxyTable> table = std::make_shared<ProxyTable>();
  std::shared_ptr<const XgboostPredictor> model;
  std::vector<Arch> query;     // 1,000 archs outside the training sample
  std::string cache_path = "/tmp/pelnas_predictor_bench_cache.sqlite";

  Setup() {
    table->key.code_version = "bench";
    const auto order = arch_sample_order(data->size(), 0);
    for (int k = 0; k < 2000; ++k) {
      const Arch& a = data->arch(order[k]);
      table->archs.push_back(a);
      table->values[a] = table_features(*data, order[k]);
      if (k >= 1000) query.push_back(a);
    }
    ProxyFeatureSource f(table->key, table, ":memory:", data->dir(), 1);
    TrainRequest req;  // default options
    model = std::make_shared<XgboostPredictor>(train_predictor(*data, req, f));
    // The same 1,000 query archs in a SQLite cache (the "cached proxies" path without a table).
    std::remove(cache_path.c_str());
    ProxyCache cache(cache_path);
    std::vector<ProxyCache::Entry> entries;
    for (const Arch& a : query) entries.push_back({a, table->values[a]});
    cache.store(entries, table->key);
  }
};

// Never destroyed: freeing a booster from a static destructor runs after XGBoost's own statics
// are gone (invalid reads at exit under valgrind).
Setup& setup() {
  static Setup* s = new Setup;
  return *s;
}

std::vector<float> query_rows() {
  auto& s = setup();
  std::vector<float> rows;
  for (const Arch& a : s.query) append_features(rows, s.table->values[a], a, s.model->meta().options);
  return rows;
}

// The model alone on a ready 1,000-row feature matrix: XGBoost's in-place prediction (what
// XgboostPredictor::predict did before the flat trees) ...
void BM_XgboostPredict1000(benchmark::State& state) {
  auto& s = setup();
  const auto rows = query_rows();
  for (auto _ : state) benchmark::DoNotOptimize(s.model->predict_with_xgboost(rows));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_XgboostPredict1000)->Unit(benchmark::kMillisecond);

// ... and the same trees evaluated from flat arrays (XgboostPredictor::predict now), checked equal.
void BM_FlatForestPredict1000(benchmark::State& state) {
  auto& s = setup();
  const auto rows = query_rows();
  if (s.model->predict(rows) != s.model->predict_with_xgboost(rows)) state.SkipWithError("flat trees differ from XGBoost");
  for (auto _ : state) benchmark::DoNotOptimize(s.model->predict(rows));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_FlatForestPredict1000)->Unit(benchmark::kMillisecond);

// PredictorAccuracy::predict for the 1,000 query archs with a fresh feature source each time (no
// memoised predictions): from the in-memory table, or else from the SQLite cache file.
void predict_from(benchmark::State& state, bool from_table) {
  auto& s = setup();
  for (auto _ : state) {
    state.PauseTiming();
    auto features = from_table
                        ? std::make_shared<ProxyFeatureSource>(s.table->key, s.table, ":memory:", s.data->dir(), 1)
                        : std::make_shared<ProxyFeatureSource>(s.table->key, nullptr, s.cache_path, s.data->dir(), 1);
    PredictorAccuracy acc(s.model, features);
    state.ResumeTiming();
    benchmark::DoNotOptimize(acc.predict(s.query));
    if (features->paid() != 0) state.SkipWithError("a proxy was not found in the table or cache");
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}

// Feature lookup in the in-memory proxy table + feature rows + XGBoost.
void BM_PredictorAccuracyFromTable1000(benchmark::State& state) { predict_from(state, true); }
BENCHMARK(BM_PredictorAccuracyFromTable1000)->Unit(benchmark::kMillisecond);

// The same with the proxies read from the SQLite cache file (no table).
void BM_PredictorAccuracyFromSqliteCache1000(benchmark::State& state) { predict_from(state, false); }
BENCHMARK(BM_PredictorAccuracyFromSqliteCache1000)->Unit(benchmark::kMillisecond);

// The cache read alone: the proxies of 1,000 archs from the SQLite file (one row per arch).
void BM_ProxyCacheLookupMany1000(benchmark::State& state) {
  auto& s = setup();
  ProxyCache cache(s.cache_path);
  for (auto _ : state) benchmark::DoNotOptimize(cache.lookup_many(s.query, s.table->key));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ProxyCacheLookupMany1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
