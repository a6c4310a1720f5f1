// `pelnas predictor ...`: the zero-cost-proxy accuracy predictor.
//   table: compute (through the cache) the proxies of the seeded default sample and write a CSV
//   train: fit XGBoost on the first --train archs of the seeded sample, save the model
//   eval:  Spearman / Kendall tau on held-out archs, next to #params and #FLOPs alone
//   predict: the predicted accuracy of given archs (CSV), e.g. to re-select a search's archive
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unordered_set>

#include "cli/command.h"
#include "common/text_table.h"
#include "common/error.h"
#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "distributed/distributed_proxies.h"
#include "distributed/launch.h"
#include "predictor/predictor_accuracy.h"
#include "predictor/predictor_training.h"

namespace pelnas::cli {

namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// A progress bar with ETA on a terminal; a log line every 50 archs otherwise (e.g. under nohup).
std::function<void(int, int)> progress_reporter(const std::string& what) {
  const auto start = std::chrono::steady_clock::now();
  const bool tty = isatty(fileno(stderr)) != 0;
  return [start, tty, what](int done, int total) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double eta = done > 0 ? secs / done * (total - done) : 0.0;
    if (tty) {
      const int width = 30, filled = total > 0 ? width * done / total : width;
      std::fprintf(stderr, "\r%s [%s%s] %d/%d  %.2f s/arch  ETA %dm%02ds", what.c_str(), std::string(filled, '#').c_str(),
                   std::string(width - filled, ' ').c_str(), done, total, done ? secs / done : 0.0,
                   static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
      if (done == total) std::fprintf(stderr, "\n");
      std::fflush(stderr);
    } else if (done % 50 == 0 || done == total) {
      spdlog::info("{}: {}/{} archs, {:.2f} s/arch, ETA {:.0f} s", what, done, total, done ? secs / done : 0.0, eta);
    }
  };
}

struct ProxyCli {
  int batch_size = 64;
  std::uint64_t proxy_seed = 0;
  std::string images;
  std::string cache;
  int threads = 2;
  std::string table;

  void add(CLI::App* c, bool with_table) {
    c->add_option("--batch-size", batch_size, "minibatch size for the data-dependent proxies");
    c->add_option("--proxy-seed", proxy_seed, "seed of the minibatch choice and weight initialisation");
    c->add_option("--images", images, "image file in CIFAR/ImageNet16 binary format (default: the shipped sample)");
    c->add_option("--cache", cache, "SQLite proxy cache (default: $PELNAS_PROXY_CACHE or ~/.cache/pelnas/proxies.sqlite)");
    c->add_option("--threads", threads, "torch threads per process for computing proxies (default: $OMP_NUM_THREADS, else 2)")->check(CLI::Range(1, 256));
    if (with_table)
      c->add_option("--proxies-table", table, "proxy table CSV (default: models/proxies_<dataset>.csv if present)");
  }
  ProxyOptions options(Dataset d, const std::string& data_dir) const {
    ProxyOptions o;
    o.dataset = d;
    o.batch_size = batch_size;
    o.seed = proxy_seed;
    o.images_path = images;
    o.data_dir = data_dir;
    o.threads = threads;
    return o;
  }
  std::string cache_path() const { return cache.empty() ? default_proxy_cache_path() : cache; }
  // The table to read proxies from: --proxies-table, else the shipped one when it exists.
  std::shared_ptr<const ProxyTable> load_table(Dataset d) const {
    const std::string path = table.empty() ? default_proxy_table_path(d) : table;
    if (!fs::exists(path)) {
      if (!table.empty()) throw Error("proxy table " + path + ": no such file");
      return nullptr;
    }
    auto t = std::make_shared<ProxyTable>(ProxyTable::read(path));
    if (t->key.dataset != d)
      throw Error("proxy table " + path + " holds " + std::string(to_string(t->key.dataset)) + " proxies, not " +
                  std::string(to_string(d)));
    return t;
  }
  // The features of a trained model: its proxy settings and proxy set, from the table, the cache or
  // computed.
  std::shared_ptr<ProxyFeatureSource> model_features(const XgboostPredictor& model, const std::string& data_dir) const {
    return std::make_shared<ProxyFeatureSource>(model.meta().proxy_key, load_table(model.meta().dataset), cache_path(), data_dir,
                                                threads, ProxyFeatureSource::ComputerFactory{}, model.meta().options.proxies);
  }
};

std::string command_line(const CLI::App& app) {
  std::string s = "pelnas predictor " + app.get_name();
  for (const auto* opt : app.get_options()) {
    if (opt->get_name() == "--help" || opt->count() == 0) continue;
    s += " " + opt->get_name();
    if (opt->get_type_size() == 0) continue;  // a flag: no value
    for (const auto& r : opt->results()) s += " " + r;
  }
  return s;
}

// ---- table ----
struct TableArgs {
  DataOptions data;
  std::string dataset = "cifar10";
  int sample = 1300;
  std::uint64_t seed = 0;
  std::string out;
  ProxyCli proxy;
  bool json_out = false;
};

void run_table(const TableArgs& a, const CLI::App& app) {
  const Dataset d = dataset_from_string(a.dataset);
  auto data = BenchmarkData::load(resolve_data_dir(a.data.data_dir));
  if (a.sample < 1 || a.sample > data->size())
    throw Error("--sample must be in [1, " + std::to_string(data->size()) + "] (got " + std::to_string(a.sample) + ")");
  // Under mpirun every rank runs this; rank 0 hands the archs missing from the cache out to
  // whichever rank is free and alone writes the cache and the table.
  auto farm = distributed::make_work_farm();
  distributed::ProxyJob job;
  job.options = a.proxy.options(d, data->dir());
  job.options.threads = distributed::resolve_threads(app.get_option("--threads")->count() > 0, a.proxy.threads, 2,
                                                     &job.threads_note);
  const auto order = arch_sample_order(data->size(), a.seed);
  if (farm->coordinator()) {
    for (int i = 0; i < a.sample; ++i) job.archs.push_back(data->arch(order[static_cast<std::size_t>(i)]));
    job.cache_path = a.proxy.cache_path();
    job.progress = progress_reporter("proxies");
    spdlog::info("proxies of {} {} archs (sample seed {}), cache {}", a.sample, to_string(d), a.seed, job.cache_path);
  }
  const auto result = distributed::compute_proxies(*farm, job);
  if (!farm->coordinator()) return;
  std::vector<std::tuple<int, Arch, ProxyValues>> rows;
  int missing = 0;
  for (int i = 0; i < a.sample; ++i) {
    rows.emplace_back(order[static_cast<std::size_t>(i)], job.archs[static_cast<std::size_t>(i)], result.values[static_cast<std::size_t>(i)]);
    for (const auto& [n, v] : result.values[static_cast<std::size_t>(i)]) missing += v ? 0 : 1;
  }
  const std::string out = a.out.empty() ? default_proxy_table_path(d) : a.out;
  ProxyTable::write(out, result.key, a.seed, rows, command_line(app));
  if (a.json_out) {
    std::cout << json{{"out", out}, {"dataset", to_string(d)}, {"rows", rows.size()}, {"computed", result.computed},
                      {"cache_hits", result.cache_hits}, {"missing_values", missing},
                      {"code_version", result.key.code_version}}.dump(2)
              << "\n";
  } else {
    std::cout << format_text_table({"out", "dataset", "rows", "computed", "from cache", "missing values"},
                                   {{out, std::string(to_string(d)), std::to_string(rows.size()), std::to_string(result.computed),
                                     std::to_string(result.cache_hits), std::to_string(missing)}});
  }
}

// ---- train ----
struct TrainArgs {
  DataOptions data;
  std::string dataset = "cifar10";
  int train = 1000;
  std::uint64_t seed = 0;
  std::string out;
  std::string target = "test";
  ProxyCli proxy;
  PredictorOptions options;
  std::string label_transform = std::string(to_string(PredictorOptions{}.label_transform));
  std::string proxies = std::string(kDefaultProxySetName);
  bool json_out = false;
};

void run_train(TrainArgs a) {
  const Dataset d = dataset_from_string(a.dataset);
  a.options.proxies = resolve_proxy_set(a.proxies);
  a.options.label_transform = label_transform_from_string(a.label_transform);
  a.options.validate();
  auto data = BenchmarkData::load(resolve_data_dir(a.data.data_dir));
  auto table = a.proxy.load_table(d);
  // The proxy settings: the table's (so its values are usable), else the installed back end's.
  const ProxyKey key = table ? table->key : ProxyFeatureSource::backend_key(a.proxy.options(d, data->dir()));
  ProxyFeatureSource features(key, table, a.proxy.cache_path(), data->dir(), a.proxy.threads, {}, a.options.proxies);
  TrainRequest req;
  req.dataset = d;
  req.target = accuracy_metric_from_string(a.target);
  req.n_train = a.train;
  req.sample_seed = a.seed;
  req.options = a.options;
  const auto t0 = std::chrono::steady_clock::now();
  const XgboostPredictor model = train_predictor(*data, req, features, progress_reporter("proxies"));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string out = a.out.empty() ? default_predictor_path(d) : a.out;
  model.save(out);
  const json j{{"model", out},
               {"dataset", to_string(d)},
               {"train", model.meta().train_indices.size()},
               {"features", model.meta().features.size()},
               {"proxies", model.meta().options.proxies},
               {"from_table", features.table_hits()},
               {"from_cache", features.cache_hits()},
               {"computed", features.paid()},
               {"seconds", secs},
               {"code_version", key.code_version}};
  if (a.json_out) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << format_text_table({"model", "dataset", "train archs", "features", "proxies: table/cache/computed", "seconds"},
                                   {{out, std::string(to_string(d)), std::to_string(model.meta().train_indices.size()),
                                     std::to_string(model.meta().features.size()),
                                     fmt::format("{}/{}/{}", features.table_hits(), features.cache_hits(), features.paid()),
                                     fmt::format("{:.1f}", secs)}});
  }
}

// ---- eval ----
struct EvalArgs {
  DataOptions data;
  std::string model;
  int test = 300;
  std::string archs;
  ProxyCli proxy;
  bool json_out = false;
};

void run_eval(const EvalArgs& a) {
  auto data = BenchmarkData::load(resolve_data_dir(a.data.data_dir));
  const XgboostPredictor model = XgboostPredictor::load(a.model);
  const Dataset d = model.meta().dataset;
  std::vector<int> test;
  if (!a.archs.empty()) {
    const std::unordered_set<int> train(model.meta().train_indices.begin(), model.meta().train_indices.end());
    int dropped = 0;
    for (const Arch& arch : read_arch_file(a.archs, data.get())) {
      const int idx = data->index_of(arch);
      if (train.contains(idx))
        ++dropped;
      else
        test.push_back(idx);
    }
    if (dropped) spdlog::warn("{} archs of {} are in the training sample and were left out", dropped, a.archs);
  } else {
    test = held_out_indices(*data, model.meta(), a.test);
  }
  const auto features = a.proxy.model_features(model, data->dir());
  const auto ev = evaluate_predictor(*data, model, *features, test, progress_reporter("proxies"));
  if (a.json_out) {
    json j = ev.to_json();
    j["model"] = a.model;
    j["train"] = model.meta().train_indices.size();
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("{}: {} held-out archs (model trained on {}), rank correlation with true test accuracy\n",
                           to_string(d), ev.n_test, model.meta().train_indices.size());
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : ev.scores)
    rows.push_back({s.name, std::to_string(s.n), fmt::format("{:.4f}", s.spearman), fmt::format("{:.4f}", s.kendall),
                    fmt::format("{:.4f}", s.top20_spearman)});
  std::cout << format_text_table({"scorer", "n", "spearman", "kendall_tau", "top20_spearman"}, rows);
  std::cout << "top20_spearman: Spearman among the best 20 % of these archs by true test accuracy\n";
  std::cout << fmt::format("proxy evaluations paid: {}\n", ev.paid_proxy_evaluations);
}

// ---- predict ----
struct PredictArgs {
  DataOptions data;
  std::string model;
  std::string archs;
  ProxyCli proxy;
};

void run_predict(const PredictArgs& a) {
  auto data = BenchmarkData::load(resolve_data_dir(a.data.data_dir));
  auto model = std::make_shared<const XgboostPredictor>(XgboostPredictor::load(a.model));
  const std::vector<Arch> archs = read_arch_file(a.archs, data.get());
  auto features = a.proxy.model_features(*model, data->dir());
  PredictorAccuracy predictor(model, features);
  const auto predicted = predictor.predict(archs);  // one batch: proxies of the missing archs computed together
  std::cout << "index,arch_str,predicted_accuracy\n";
  for (std::size_t i = 0; i < archs.size(); ++i)
    std::cout << fmt::format("{},{},{:.10g}\n", data->index_of(archs[i]), archs[i].str(), predicted[i]);
  spdlog::info("{} archs: proxies from table {}, cache {}, computed {}", archs.size(), features->table_hits(),
               features->cache_hits(), features->paid());
}

void setup(CLI::App& root) {
  auto* pred = root.add_subcommand("predictor", "zero-cost-proxy accuracy predictor: proxy table, train, eval, predict");
  pred->require_subcommand(1);

  static TableArgs ta;
  auto* tc = pred->add_subcommand("table", "compute the proxies of the seeded default sample into a CSV table");
  add_data_option(tc, ta.data);
  tc->add_option("--dataset", ta.dataset, "cifar10, cifar100 or ImageNet16-120");
  tc->add_option("--sample", ta.sample, "number of archs (the first N of the seeded order)");
  tc->add_option("--seed", ta.seed, "sample seed");
  tc->add_option("--out", ta.out, "output CSV (default: models/proxies_<dataset>.csv)");
  ta.proxy.add(tc, false);
  add_json_flag(tc, ta.json_out);
  tc->callback([tc] { run_table(ta, *tc); });
  distributed::declare_distributed_command("predictor table");

  static TrainArgs tr;
  auto* trc = pred->add_subcommand("train", "fit the XGBoost predictor on a seeded sample of archs and save it");
  add_data_option(trc, tr.data);
  trc->add_option("--dataset", tr.dataset, "cifar10, cifar100 or ImageNet16-120");
  trc->add_option("--train", tr.train, "training archs (the first N of the seeded order)");
  trc->add_option("--seed", tr.seed, "sample seed");
  trc->add_option("--out", tr.out, "model file, .json or .ubj (default: models/predictor_<dataset>.json)");
  trc->add_option("--target", tr.target, "accuracy metric of the labels (test, valid, test12, valid12)");
  trc->add_option("--n-estimators", tr.options.n_estimators, "boosting rounds");
  trc->add_option("--max-depth", tr.options.max_depth, "tree depth");
  trc->add_option("--learning-rate", tr.options.learning_rate, "shrinkage (eta)");
  trc->add_option("--subsample", tr.options.subsample, "row subsample per tree");
  trc->add_option("--model-seed", tr.options.seed, "XGBoost seed");
  trc->add_option("--nthread", tr.options.nthread, "XGBoost threads (fixed, so results do not depend on the machine)");
  trc->add_flag("--one-hot,!--no-one-hot", tr.options.one_hot, "add the 30 one-hot op features (default: without)");
  trc->add_option("--proxies", tr.proxies,
                  "proxy features: 'default' (" + join_proxies(default_proxy_set()) + "), 'all', another named set (" +
                      join_proxies(proxy_set_names()) + ") or a comma-separated list of proxies");
  trc->add_flag("--graph-features,!--no-graph-features", tr.options.graph_features,
                "the 8 graph features of the cell (live paths, conv depth, ...; default: with)");
  trc->add_option("--ensemble", tr.options.ensemble, "independent boosters (seeds model-seed, +1, ...) averaged");
  trc->add_option("--objective", tr.options.objective, "reg:squarederror or rank:pairwise (then also --top-weight 1)");
  trc->add_option("--label-transform", tr.label_transform, "what the regression fits: none (accuracy) or log-error (-log(100 - accuracy))");
  trc->add_option("--top-weight", tr.options.top_weight, "training weight of the archs with the best 20 % of labels (others 1)");
  trc->add_option("--colsample-bytree", tr.options.colsample_bytree, "feature subsample per tree");
  trc->add_option("--min-child-weight", tr.options.min_child_weight, "minimum hessian weight of a leaf");
  tr.proxy.add(trc, true);
  add_json_flag(trc, tr.json_out);
  trc->callback([] { run_train(tr); });

  static EvalArgs ev;
  auto* evc = pred->add_subcommand("eval", "rank correlation on held-out archs vs #params / #FLOPs baselines");
  add_data_option(evc, ev.data);
  evc->add_option("--model", ev.model, "model file written by `pelnas predictor train`")->required();
  evc->add_option("--test", ev.test, "held-out archs (after the training sample in the seeded order)");
  evc->add_option("--archs", ev.archs, "evaluate on these archs instead (one arch string or index per line)");
  ev.proxy.add(evc, true);
  add_json_flag(evc, ev.json_out);
  evc->callback([] { run_eval(ev); });

  static PredictArgs pr;
  auto* prc = pred->add_subcommand("predict", "predicted accuracy of the given archs, as CSV (index, arch_str, predicted_accuracy)");
  add_data_option(prc, pr.data);
  prc->add_option("--model", pr.model, "model file written by `pelnas predictor train`")->required();
  prc->add_option("--archs", pr.archs, "archs to predict (one arch string or index per line)")->required();
  pr.proxy.add(prc, true);
  prc->callback([] { run_predict(pr); });
}

PELNAS_REGISTER_COMMAND(60, setup);

}  // namespace

}  // namespace pelnas::cli
