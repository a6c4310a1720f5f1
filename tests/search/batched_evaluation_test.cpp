// Batched evaluation: searches hand the accuracies of a generation's children to the accuracy
// source as one batch, and the archive is the same as when the source is asked one arch at a time.
#include <gtest/gtest.h>

#include "common/error.h"
#include "evaluate/evaluator.h"
#include "hardware/cost_source.h"
#include "search/search.h"
#include "test_support.h"

namespace pelnas {
namespace {

// The table's test accuracy; records the size of every batch. With `batched` false it keeps the
// base class's one-at-a-time accuracies(), the reference behaviour.
class RecordingAccuracy : public AccuracySource {
 public:
  explicit RecordingAccuracy(bool batched) : batched_(batched) {}
  std::string name() const override { return "recording"; }
  std::optional<double> accuracy(int index, const Arch& arch) override {
    EXPECT_EQ(test::data()->index_of(arch), index);
    ++single_calls;
    return table_.accuracy(index, arch);
  }
  std::vector<std::optional<double>> accuracies(std::span<const int> indices, std::span<const Arch> archs) override {
    if (!batched_) return AccuracySource::accuracies(indices, archs);
    batch_sizes.push_back(static_cast<int>(archs.size()));
    std::vector<std::optional<double>> out;
    for (std::size_t i = 0; i < archs.size(); ++i) out.push_back(table_.accuracy(indices[i], archs[i]));
    return out;
  }
  std::vector<int> batch_sizes;
  int single_calls = 0;

 private:
  bool batched_;
  TableAccuracy table_{test::data(), Dataset::Cifar10, AccuracyMetric::Test};
};

struct SearchRun {
  std::shared_ptr<RecordingAccuracy> accuracy;
  std::unique_ptr<Evaluator> evaluator;
  std::unique_ptr<Problem> problem;
  SearchRun(const std::string& algo, bool batched, int budget, std::uint64_t seed) {
    accuracy = std::make_shared<RecordingAccuracy>(batched);
    std::shared_ptr<CostSource> cost = make_cost_source(test::data(), Dataset::Cifar10, CostSpec{"fpga", HwMetric::Latency});
    evaluator = std::make_unique<Evaluator>(test::data(), Dataset::Cifar10, accuracy, cost);
    problem = std::make_unique<Problem>(*evaluator, Budget{budget});
    Rng rng(seed);
    SearchRegistry::instance().make(algo)->run(*problem, rng, nullptr);
  }
};

TEST(BatchedEvaluation, PelnasEvaluatesEachGenerationAsOneBatchWithTheSameArchive) {
  for (std::uint64_t seed : {0u, 7u}) {
    const SearchRun one("pelnas", false, 324, seed), batched("pelnas", true, 324, seed);
    EXPECT_EQ(one.problem->archive().to_csv(), batched.problem->archive().to_csv()) << "seed " << seed;
    EXPECT_EQ(one.evaluator->counts().requests, batched.evaluator->counts().requests);
    EXPECT_EQ(one.evaluator->counts().unique, batched.evaluator->counts().unique);
    // Every evaluated arch went through a batch: 24 seeds in one, then one per generation.
    EXPECT_EQ(batched.accuracy->single_calls, 0);
    int total = 0;
    for (int b : batched.accuracy->batch_sizes) total += b;
    EXPECT_EQ(total, 324);
    ASSERT_GE(batched.accuracy->batch_sizes.size(), 11u);
    EXPECT_EQ(batched.accuracy->batch_sizes.front(), 24);
    EXPECT_EQ(batched.accuracy->batch_sizes[1], 30);  // 6 niches x 5 children
  }
}

TEST(BatchedEvaluation, BaselinesKeepTheirArchives) {
  for (const std::string algo : {"random", "rea", "nsga2"}) {
    const SearchRun one(algo, false, 150, 3), batched(algo, true, 150, 3);
    EXPECT_EQ(one.problem->archive().to_csv(), batched.problem->archive().to_csv()) << algo;
    EXPECT_EQ(one.evaluator->counts().requests, batched.evaluator->counts().requests) << algo;
  }
  const SearchRun random("random", true, 150, 3);
  EXPECT_GT(random.accuracy->batch_sizes.front(), 1);
}

TEST(BatchedEvaluation, EvaluateManyMatchesEvaluateInOrder) {
  auto accuracy = std::make_shared<RecordingAccuracy>(true);
  std::shared_ptr<CostSource> cost = make_cost_source(test::data(), Dataset::Cifar10, CostSpec{"fpga", HwMetric::Latency});
  Evaluator evaluator(test::data(), Dataset::Cifar10, accuracy, cost);
  Problem problem(evaluator, Budget{3});
  const std::vector<Arch> archs = {test::data()->arch(10), test::data()->arch(20), test::data()->arch(10),
                                   test::data()->arch(30), test::data()->arch(40)};
  const auto out = problem.evaluate_many(archs, 2, 1);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_TRUE(out[0] && out[1] && out[3]);
  EXPECT_FALSE(out[2]);  // a repeat
  EXPECT_FALSE(out[4]);  // over budget: not even computed
  EXPECT_EQ(out[3]->order, 3);
  EXPECT_EQ(out[3]->generation, 2);
  EXPECT_EQ(out[3]->niche, 1);
  EXPECT_DOUBLE_EQ(out[1]->accuracy, *test::data()->accuracy(20, Dataset::Cifar10));
  EXPECT_EQ(accuracy->batch_sizes, std::vector<int>{3});
  EXPECT_EQ(evaluator.counts().unique, 3);
}

}  // namespace
}  // namespace pelnas
