#include "predictor/predictor_accuracy.h"

#include <gtest/gtest.h>

#include <atomic>

#include "common/error.h"
#include "evaluate/accuracy_sources.h"
#include "fake_proxy_computer.h"
#include "predictor/predictor_training.h"
#include "predictor/rank_correlation.h"
#include "test_support.h"

namespace pelnas {

namespace {

ProxyKey fake_key() {
  ProxyKey k;
  k.code_version = "fake-1";
  return k;
}

// A fake proxy table holding the first n archs of the seed-0 sample order.
std::shared_ptr<ProxyTable> fake_table(const std::string& path, int n) {
  auto data = test::data();
  const auto order = arch_sample_order(data->size(), 0);
  std::vector<std::tuple<int, Arch, ProxyValues>> rows;
  for (int i = 0; i < n; ++i) {
    const Arch& a = data->arch(order[i]);
    rows.emplace_back(order[i], a, test::FakeProxyComputer::fake_values(a, Dataset::Cifar10));
  }
  ProxyTable::write(path, fake_key(), 0, rows, "test");
  return std::make_shared<ProxyTable>(ProxyTable::read(path));
}

}  // namespace

TEST(ProxyTable, RoundTripAndSampleOrder) {
  const std::string path = test::temp_dir("ptable") + "/t.csv";
  auto t = fake_table(path, 50);
  ASSERT_EQ(t->archs.size(), 50u);
  EXPECT_EQ(t->key.code_version, "fake-1");
  auto data = test::data();
  const auto order = arch_sample_order(data->size(), 0);
  EXPECT_EQ(t->archs[7], data->arch(order[7]));
  const auto expected = test::FakeProxyComputer::fake_values(t->archs[7], Dataset::Cifar10);
  for (const auto& [name, v] : expected) {
    ASSERT_EQ(t->find(t->archs[7])->at(name).has_value(), v.has_value()) << name;
    if (v) {
      EXPECT_NEAR(*t->find(t->archs[7])->at(name), *v, std::abs(*v) * 1e-9) << name;
    }
  }
  // The order is a permutation, seeded, different per seed.
  auto sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < data->size(); ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_EQ(order, arch_sample_order(data->size(), 0));
  EXPECT_NE(order, arch_sample_order(data->size(), 1));
}

TEST(ArchFile, NamesFileAndLineOfABadArch) {
  const std::string path = test::temp_dir("archs") + "/archs.txt";
  test::write_file(path, "# two good ones\n|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|\n12\n\n"
                         "|conv_5x5~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|\n");
  try {
    read_arch_file(path, test::data().get());
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":5:"), std::string::npos) << e.what();
  }
  test::write_file(path, "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|\n12\n");
  const auto archs = read_arch_file(path, test::data().get());
  ASSERT_EQ(archs.size(), 2u);
  EXPECT_EQ(archs[1], test::data()->arch(12));
}

TEST(PredictorAccuracy, CountsPaidEvaluationsAndUsesTableFirst) {
  auto data = test::data();
  const std::string dir = test::temp_dir("predacc");
  auto table = fake_table(dir + "/t.csv", 250);
  std::atomic<int> calls{0};
  auto factory = [&](const ProxyOptions&) {
    return std::make_unique<test::FakeProxyComputer>(Dataset::Cifar10, "fake-1", &calls);
  };
  ProxyFeatureSource train_features(fake_key(), table, dir + "/c.sqlite", data->dir(), 1, factory);
  TrainRequest req;
  req.n_train = 200;
  req.options.n_estimators = 80;
  auto model = std::make_shared<XgboostPredictor>(train_predictor(*data, req, train_features));
  EXPECT_EQ(calls.load(), 0);  // all 200 from the table
  EXPECT_EQ(train_features.table_hits(), 200);
  ASSERT_EQ(model->meta().train_indices.size(), 200u);

  auto features = std::make_shared<ProxyFeatureSource>(fake_key(), table, dir + "/c.sqlite", data->dir(), 1, factory);
  PredictorAccuracy acc(model, features);
  const auto order = arch_sample_order(data->size(), 0);
  // In the table: free.
  acc.accuracy(order[210], data->arch(order[210]));
  EXPECT_EQ(acc.paid_evaluations(), 0);
  // Outside: computed once, then memoised / cached.
  const Arch outside = data->arch(order[5000]);
  const auto a1 = acc.accuracy(order[5000], outside);
  ASSERT_TRUE(a1.has_value());
  EXPECT_EQ(acc.paid_evaluations(), 1);
  EXPECT_EQ(acc.accuracy(order[5000], outside), a1);
  EXPECT_EQ(acc.paid_evaluations(), 1);
  // A new process (new source) finds it in the SQLite cache: nothing paid.
  auto features2 = std::make_shared<ProxyFeatureSource>(fake_key(), table, dir + "/c.sqlite", data->dir(), 1, factory);
  PredictorAccuracy acc2(model, features2);
  EXPECT_EQ(acc2.accuracy(order[5000], outside), a1);
  EXPECT_EQ(acc2.paid_evaluations(), 0);
  EXPECT_EQ(calls.load(), 1);

  // Held-out evaluation: disjoint from training, and the baselines are the table's own columns.
  const auto test_idx = held_out_indices(*data, model->meta(), 40);
  for (int i : test_idx)
    EXPECT_EQ(std::count(model->meta().train_indices.begin(), model->meta().train_indices.end(), i), 0);
  const auto ev = evaluate_predictor(*data, *model, *features, test_idx);
  std::vector<double> params, truth;
  for (int i : test_idx) {
    params.push_back(data->params(i, Dataset::Cifar10));
    truth.push_back(*data->accuracy(i, Dataset::Cifar10, AccuracyMetric::Test));
  }
  ASSERT_EQ(ev.scores[1].name, "params");
  EXPECT_DOUBLE_EQ(ev.scores[1].spearman, spearman(params, truth));
  EXPECT_EQ(ev.scores[0].name, "predictor");
  EXPECT_GT(ev.scores[0].spearman, 0.7);
}

TEST(AccuracySources, ByNameWithClearErrors) {
  AccuracySourceOptions o;
  o.data = test::data();
  auto test_src = make_accuracy_source("test", o);
  const Arch& a = o.data->arch(100);
  EXPECT_EQ(test_src->accuracy(100, a), o.data->accuracy(100, Dataset::Cifar10, AccuracyMetric::Test));
  auto t12 = make_accuracy_source("test12", o);
  EXPECT_EQ(t12->accuracy(100, a), o.data->accuracy(100, Dataset::Cifar10, AccuracyMetric::Test12));
  EXPECT_EQ(t12->paid_evaluations(), 0);
  try {
    make_accuracy_source("oracle", o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("predictor"), std::string::npos) << e.what();  // lists valid names
  }
  o.model_path = test::temp_dir("accsrc") + "/absent.json";
  EXPECT_THROW(make_accuracy_source("predictor", o), Error);
}

}  // namespace pelnas
