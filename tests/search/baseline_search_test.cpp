// Conformance of every registered search, and the specific properties of the baseline searches
// (random, rea, nsga2, exhaustive).
#include <gtest/gtest.h>

#include <set>

#include "common/error.h"
#include "metrics/evaluation_protocol.h"
#include "search/search.h"
#include "test_support.h"

namespace pelnas {
namespace {

struct Bench {
  std::shared_ptr<CostSource> cost;
  std::unique_ptr<Evaluator> evaluator;
  Bench(const std::string& device, AccuracyMetric seen = AccuracyMetric::Test) {
    cost = make_cost_source(test::data(), Dataset::Cifar10, {device, HwMetric::Latency});
    evaluator = std::make_unique<Evaluator>(
        test::data(), Dataset::Cifar10, std::make_shared<TableAccuracy>(test::data(), Dataset::Cifar10, seen), cost);
  }
};

struct RunResult {
  Archive archive;
  std::vector<GenerationReport> reports;
};

RunResult run_search(const std::string& name, const std::string& device, int budget, std::uint64_t seed,
                     const nlohmann::json& options = nlohmann::json::object(), int stop_after_reports = -1) {
  Bench b(device);
  Problem problem(*b.evaluator, Budget{budget});
  auto search = SearchRegistry::instance().make(name, options);
  Rng rng(seed);
  RunResult r;
  search->run(problem, rng, [&](const GenerationReport& rep) {
    r.reports.push_back(rep);
    EXPECT_EQ(rep.archive, &problem.archive());
    EXPECT_EQ(rep.evaluations, problem.evaluations());
    return static_cast<int>(r.reports.size()) == stop_after_reports ? CallbackAction::Stop : CallbackAction::Continue;
  });
  r.archive = problem.archive();
  return r;
}

void expect_valid_archive(const Archive& a, const std::string& device) {
  Bench b(device);
  std::set<int> indices;
  int order = 0;
  for (const auto& e : a.entries()) {
    EXPECT_EQ(e.order, ++order);
    EXPECT_TRUE(indices.insert(e.index).second) << "duplicate " << e.index;
    EXPECT_EQ(test::data()->arch(e.index), e.arch);
    ASSERT_TRUE(b.evaluator->in_domain(e.arch)) << e.arch.str();
    EXPECT_EQ(e.accuracy, *test::data()->accuracy(e.index, Dataset::Cifar10));
    EXPECT_EQ(e.cost, *b.cost->cost(e.index));
  }
}

class EverySearch : public ::testing::TestWithParam<std::string> {};

TEST_P(EverySearch, SpendsTheBudgetDeterministicallyWithAValidArchive) {
  const std::string name = GetParam();
  for (const std::string device : {"fpga", "edgetpu"}) {  // complete and partial (8787 archs) domains
    SCOPED_TRACE(name + " on " + device);
    const auto a = run_search(name, device, 40, 1);
    EXPECT_EQ(a.archive.size(), 40u);
    expect_valid_archive(a.archive, device);
    ASSERT_FALSE(a.reports.empty());
    EXPECT_EQ(a.reports.back().evaluations, 40);
    const auto again = run_search(name, device, 40, 1);
    EXPECT_EQ(a.archive.to_json(), again.archive.to_json()) << "same seed, different archive";
    if (name != "exhaustive") {  // its order is fixed by design
      const auto other = run_search(name, device, 40, 2);
      EXPECT_NE(a.archive.to_json(), other.archive.to_json()) << "different seeds, identical archive";
    }
  }
}

TEST_P(EverySearch, StopsWhenTheCallbackSaysSo) {
  const auto full = run_search(GetParam(), "fpga", 120, 3, nlohmann::json::object());
  ASSERT_GE(full.reports.size(), 2u) << "needs at least two reports to test stopping";
  const auto stopped = run_search(GetParam(), "fpga", 120, 3, nlohmann::json::object(), 1);
  ASSERT_EQ(stopped.reports.size(), 1u);
  EXPECT_EQ(static_cast<int>(stopped.archive.size()), stopped.reports[0].evaluations) << "evaluated after Stop";
  EXPECT_LT(stopped.archive.size(), full.archive.size());
}

INSTANTIATE_TEST_SUITE_P(Registered, EverySearch, ::testing::ValuesIn(SearchRegistry::instance().names()),
                         [](const auto& info) { return info.param; });

TEST(BaselineSearches, AreRegistered) {
  const auto names = SearchRegistry::instance().names();
  for (const std::string n : {"random", "rea", "nsga2", "exhaustive"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
}

TEST(BaselineSearches, UnknownOptionKeysAndBadValuesAreNamed) {
  for (const std::string n : {"random", "rea", "nsga2", "exhaustive"}) {
    try {
      SearchRegistry::instance().make(n, {{"popluation", 10}});
      ADD_FAILURE() << n << " accepted an unknown key";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'popluation'"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(SearchRegistry::instance().make("rea", {{"sample_size", 100}}), Error);
  EXPECT_THROW(SearchRegistry::instance().make("rea", {{"population", "many"}}), Error);
  EXPECT_THROW(SearchRegistry::instance().make("nsga2", {{"population", 10}}), Error);  // not a multiple of 4
  EXPECT_THROW(SearchRegistry::instance().make("nsga2", {{"crossover_probability", 1.0}}), Error);
  EXPECT_THROW(SearchRegistry::instance().make("random", {{"batch_size", 0}}), Error);
  EXPECT_THROW(SearchRegistry::instance().make("random", nlohmann::json::array()), Error);
  EXPECT_NO_THROW(SearchRegistry::instance().make("rea", {{"population", 20}, {"sample_size", 5}}));
  // Integer options: 20.0 is 20; a float that no int holds (a cast that was undefined behaviour)
  // or one with a fraction is refused by name.
  EXPECT_NO_THROW(SearchRegistry::instance().make("rea", {{"population", 20.0}, {"sample_size", 5}}));
  for (const nlohmann::json& bad : {nlohmann::json(2e125), nlohmann::json(-3e10), nlohmann::json(20.5), nlohmann::json(true)}) {
    try {
      SearchRegistry::instance().make("rea", {{"population", bad}});
      ADD_FAILURE() << "accepted " << bad.dump();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'population' must be an integer in [-2147483648, 2147483647], got " + bad.dump()),
                std::string::npos) << e.what();
    }
  }
}

TEST(ExhaustiveSearch, FindsTheWholeTrueFront) {
  for (const std::string device : {"fpga", "edgegpu"}) {
    SCOPED_TRACE(device);
    Bench b(device);
    Problem problem(*b.evaluator, Budget{b.evaluator->domain_size()});
    SearchRegistry::instance().make("exhaustive")->run(problem, *std::make_unique<Rng>(0), nullptr);
    EXPECT_EQ(static_cast<int>(problem.archive().size()), b.cost->coverage());
    // Index order.
    for (std::size_t i = 1; i < problem.archive().size(); ++i)
      ASSERT_LT(problem.archive().entries()[i - 1].index, problem.archive().entries()[i].index);
    const auto protocol = EvaluationProtocol::for_cost_source(*test::data(), Dataset::Cifar10, *b.cost);
    const auto r = protocol.score_archive(problem.archive(), *b.evaluator);
    EXPECT_DOUBLE_EQ(r.hv_ratio, 1.0);
    EXPECT_EQ(r.igd, 0.0);
    EXPECT_EQ(r.igd_plus, 0.0);
  }
}

TEST(RandomSearch, CoversTheWholePartialDomainWithoutRepeats) {
  Bench b("edgetpu");
  Problem problem(*b.evaluator, Budget{b.evaluator->domain_size()});
  Rng rng(5);
  SearchRegistry::instance().make("random")->run(problem, rng, nullptr);
  EXPECT_EQ(problem.archive().size(), 8787u);
  expect_valid_archive(problem.archive(), "edgetpu");
}

TEST(ReaSearch, ChildrenAreOneEdgeMutantsOfEarlierArchitectures) {
  const auto r = run_search("rea", "fpga", 300, 9, {{"population", 30}, {"sample_size", 5}});
  ASSERT_EQ(r.archive.size(), 300u);
  std::set<Arch> earlier;
  int children = 0, with_parent = 0;
  for (const auto& e : r.archive.entries()) {
    if (e.generation > 0) {
      ++children;
      bool found = false;
      for (const auto& n : e.arch.neighbours()) found = found || earlier.count(n) > 0;
      with_parent += found;
    }
    earlier.insert(e.arch);
  }
  EXPECT_EQ(children, 270);
  // Every child has its parent among the earlier architectures (random immigrants only when a
  // parent's 24 neighbours are all seen, which 300 evaluations out of 15,625 make very rare).
  EXPECT_GE(with_parent, children - 3);
  EXPECT_EQ(r.archive.entries()[29].generation, 0);
  EXPECT_EQ(r.archive.entries()[30].generation, 1);  // the first child after 30 initial members
}

TEST(Nsga2Search, StopsExactlyAtTheBudgetAndImprovesOnItsStart) {
  const auto r = run_search("nsga2", "fpga", 333, 4);
  EXPECT_EQ(r.archive.size(), 333u);
  EXPECT_GT(r.reports.size(), 5u);
  expect_valid_archive(r.archive, "fpga");
}

}  // namespace
}  // namespace pelnas
