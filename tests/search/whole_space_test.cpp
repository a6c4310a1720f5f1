// Any search ends, and a budget as large as the search domain evaluates every cell of it (issue 14:
// `pelnas search --budget 15625` evaluated 15,624 cells and then looped for ever, one cell never
// proposed). PEL-NAS draws what is left of a niche when its operator proposes nothing usable and
// stops when no niche has an unseen cell; NSGA-II draws the rest once its population stalls.
#include <gtest/gtest.h>

#include <set>

#include "search/pelnas_search.h"
#include "search/search.h"
#include "test_support.h"

namespace pelnas {
namespace {

struct Case {
  std::string search, device;
  nlohmann::json options;
};

class WholeDomain : public ::testing::TestWithParam<Case> {};

TEST_P(WholeDomain, BudgetOfTheDomainEvaluatesEveryCellAndEnds) {
  const Case& c = GetParam();
  std::shared_ptr<CostSource> cost = make_cost_source(test::data(), Dataset::Cifar10, {c.device, HwMetric::Latency});
  Evaluator evaluator(test::data(), Dataset::Cifar10,
                      std::make_shared<TableAccuracy>(test::data(), Dataset::Cifar10, AccuracyMetric::Test), cost);
  const int domain = evaluator.domain_size();
  Problem problem(evaluator, Budget{domain});
  Rng rng(7);
  int reports = 0, last_generation = -1;
  SearchRegistry::instance().make(c.search, c.options)->run(problem, rng, [&](const GenerationReport& r) {
    ++reports;
    EXPECT_GE(r.generation, last_generation);
    last_generation = r.generation;
    return CallbackAction::Continue;
  });
  EXPECT_EQ(problem.evaluations(), domain);
  std::set<int> seen;
  for (const auto& e : problem.archive().entries()) {
    EXPECT_TRUE(seen.insert(e.index).second) << "evaluated twice: " << e.index;
    EXPECT_TRUE(cost->cost(e.index).has_value()) << e.index;
  }
  // Every cell with a cost on the device, so also NB201 index 464 (never proposed before the fix).
  for (int i = 0; i < test::data()->size(); ++i)
    if (cost->cost(i)) { ASSERT_TRUE(seen.count(i)) << "never evaluated: NB201 index " << i; }
  EXPECT_GT(reports, 0);
}

INSTANTIATE_TEST_SUITE_P(
    EverySearch, WholeDomain,
    ::testing::Values(Case{"random", "fpga", nlohmann::json::object()}, Case{"exhaustive", "fpga", nlohmann::json::object()},
                      Case{"rea", "fpga", nlohmann::json::object()}, Case{"nsga2", "fpga", nlohmann::json::object()},
                      // Generations enough for the budget; more children per call keep the test short.
                      Case{"pelnas", "fpga", {{"generations", 100000}, {"children_per_call", 100}}},
                      Case{"pelnas", "edgetpu", {{"generations", 100000}, {"children_per_call", 100}}},
                      Case{"pelnas", "fpga", {{"generations", 100000}, {"children_per_call", 100}, {"no_partition", true}}}),
    [](const auto& info) {
      return info.param.search + "_" + info.param.device + (info.param.options.contains("no_partition") ? "_no_partition" : "");
    });

// Table accuracy with every third cell missing: those cells cost nothing but cannot be evaluated.
class GappyAccuracy : public AccuracySource {
 public:
  std::string name() const override { return "gappy"; }
  std::optional<double> accuracy(int index, const Arch&) override {
    if (index % 3 == 0) return std::nullopt;
    return test::data()->accuracy(index, Dataset::Cifar10, AccuracyMetric::Test);
  }
};

// When the budget cannot be spent (cells without an accuracy), the loop stops once no niche has an
// unseen cell instead of repeating empty generations until the planned count, and says so.
TEST(WholeDomainPelnas, StopsWhenNoNicheHasAnUnseenCellLeft) {
  std::shared_ptr<CostSource> cost = make_cost_source(test::data(), Dataset::Cifar10, {"fpga", HwMetric::Latency});
  Evaluator evaluator(test::data(), Dataset::Cifar10, std::make_shared<GappyAccuracy>(), cost);
  const int domain = evaluator.domain_size();
  Problem problem(evaluator, Budget{domain});
  PelnasSearchOptions o;
  o.generations = 1000000;
  o.children_per_call = 200;
  PelnasSearch search(o);
  Rng rng(3);
  int last = -1;
  search.run(problem, rng, [&](const GenerationReport& r) {
    last = r.generation;
    return CallbackAction::Continue;
  });
  int evaluable = 0;
  for (int i = 0; i < domain; ++i) evaluable += i % 3 != 0;
  EXPECT_EQ(problem.evaluations(), evaluable);
  EXPECT_LT(last, 1000);
  EXPECT_EQ(search.counters().at("stopped:no_unseen_cells"), 1);
}

}  // namespace
}  // namespace pelnas
