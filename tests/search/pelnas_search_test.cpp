// The PEL-NAS loop: budget, niches, validation, determinism (also across thread counts), the
// final front, options validation, and checkpoint/resume equivalence at the library level.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "common/error.h"
#include "evaluate/evaluator.h"
#include "hardware/cost_source.h"
#include "search/pelnas_search.h"
#include "test_support.h"

namespace pelnas {
namespace {

struct SearchSetup {
  std::shared_ptr<CostSource> cost = make_cost_source(test::data(), Dataset::Cifar10, CostSpec{"fpga", HwMetric::Latency});
  Evaluator evaluator{test::data(), Dataset::Cifar10,
                      std::make_shared<TableAccuracy>(test::data(), Dataset::Cifar10, AccuracyMetric::Test), cost};
};

std::string archive_text(const Archive& a) { return a.to_csv(); }

Archive run_search(PelnasSearchOptions o, std::uint64_t seed, int budget, PelnasSearch** keep = nullptr) {
  static std::vector<std::unique_ptr<SearchSetup>> setups;
  static std::vector<std::unique_ptr<Problem>> problems;
  static std::vector<std::unique_ptr<PelnasSearch>> searches;
  setups.push_back(std::make_unique<SearchSetup>());
  problems.push_back(std::make_unique<Problem>(setups.back()->evaluator, Budget{budget}));
  searches.push_back(std::make_unique<PelnasSearch>(o));
  Rng rng(seed);
  searches.back()->run(*problems.back(), rng, nullptr);
  if (keep) *keep = searches.back().get();
  return problems.back()->archive();
}

TEST(PelnasSearch, SpendsThePlannedBudgetInsideTheNiches) {
  PelnasSearchOptions o;
  o.allocation = "equal";  // the paper's split: the same children per niche and generation
  PelnasSearch* s = nullptr;
  const Archive a = run_search(o, 1, o.planned_evaluations(6), &s);
  EXPECT_EQ(o.planned_evaluations(6), 6 * (4 + 10 * 5));
  ASSERT_EQ(a.size(), 324u);
  std::set<int> codes;
  std::vector<int> per_niche_gen(6 * 11, 0);
  for (const auto& e : a.entries()) {
    EXPECT_TRUE(codes.insert(e.arch.lex_code()).second) << "evaluated twice: " << e.arch.str();
    ASSERT_GE(e.niche, 0);
    EXPECT_EQ(s->niche_map()->niche_of(e.code), e.niche);
    ++per_niche_gen[e.generation * 6 + e.niche];
    EXPECT_DOUBLE_EQ(e.accuracy, *test::data()->accuracy(e.index, Dataset::Cifar10));
  }
  for (int k = 0; k < 6; ++k) EXPECT_EQ(per_niche_gen[k], 4);  // seeds
  for (int g = 1; g <= 10; ++g)
    for (int k = 0; k < 6; ++k) EXPECT_EQ(per_niche_gen[g * 6 + k], 5) << "generation " << g << " niche " << k;
  // Final front = non-dominated union of niche archives = front of the whole archive.
  const auto front = s->final_front();
  const auto direct = a.pareto_front();
  ASSERT_EQ(front.size(), direct.size());
  for (std::size_t i = 0; i < front.size(); ++i) EXPECT_EQ(front[i].arch, direct[i].arch);
  EXPECT_EQ(s->counters().at("evaluated:seed"), 24);
  EXPECT_EQ(s->counters().at("knowledge_updates"), 60);
  EXPECT_EQ(s->operator_stats().counters.at("calls"), 60);
}

TEST(PelnasSearch, SameSeedSameRunWhateverTheThreadCount) {
  PelnasSearchOptions one, many;
  one.concurrency = 1;
  many.concurrency = 6;
  const Archive a = run_search(one, 42, 200), b = run_search(many, 42, 200), c = run_search(one, 43, 200);
  EXPECT_EQ(archive_text(a), archive_text(b));
  EXPECT_NE(archive_text(a), archive_text(c));
}

TEST(PelnasSearch, TightBudgetIsSharedAcrossNiches) {
  PelnasSearchOptions o;
  o.allocation = "equal";
  const Archive a = run_search(o, 5, 40);  // 24 seeds + 16 children: niches get 3,3,3,3,2,2
  ASSERT_EQ(a.size(), 40u);
  std::vector<int> gen1(6, 0);
  for (const auto& e : a.entries())
    if (e.generation == 1) ++gen1[e.niche];
  EXPECT_EQ(gen1, (std::vector<int>{3, 3, 3, 3, 2, 2}));
}

// The "front" allocation, recomputed independently from the archive before each generation: every
// niche gets min_children_per_niche, the rest goes by (1 + global-front members) x sqrt(size)
// (largest remainder, ties to the lower niche); the total stays 6 x 5 per generation.
TEST(PelnasSearch, FrontAllocationFollowsTheGlobalFront) {
  PelnasSearchOptions o;
  ASSERT_EQ(o.allocation, "front");
  PelnasSearch* s = nullptr;
  const Archive a = run_search(o, 3, o.planned_evaluations(6), &s);
  ASSERT_EQ(a.size(), 324u);
  std::vector<double> size(6);
  for (int k = 0; k < 6; ++k) size[k] = s->niche_map()->size_of(k);
  EXPECT_EQ(size, (std::vector<double>{729, 3367, 6144, 3840, 1280, 265}));
  bool uneven = false;
  for (int g = 1; g <= 10; ++g) {
    std::vector<EvaluatedArch> before;
    std::vector<int> got(6, 0);
    for (const auto& e : a.entries()) {
      if (e.generation < g) before.push_back(e);
      if (e.generation == g) ++got[e.niche];
    }
    std::vector<double> w(6, 1.0);
    for (const auto& e : before) {
      bool dominated = false;
      for (const auto& f : before)
        if (f.accuracy >= e.accuracy && f.cost <= e.cost && (f.accuracy > e.accuracy || f.cost < e.cost)) dominated = true;
      if (!dominated) w[e.niche] += 1;
    }
    double sum = 0;
    for (int k = 0; k < 6; ++k) sum += (w[k] *= std::sqrt(size[k]));
    std::vector<int> want(6, 2);
    std::vector<std::pair<double, int>> frac;
    int left = 30 - 12;
    for (int k = 0; k < 6; ++k) {
      const double exact = 18 * w[k] / sum;
      want[k] += static_cast<int>(exact);
      left -= static_cast<int>(exact);
      frac.emplace_back(exact - std::floor(exact), k);
    }
    std::stable_sort(frac.begin(), frac.end(), [](auto& x, auto& y) { return x.first > y.first; });
    for (int i = 0; i < left; ++i) ++want[frac[i].second];
    EXPECT_EQ(got, want) << "generation " << g;
    for (int k = 0; k < 6; ++k) uneven |= got[k] != 5;
  }
  EXPECT_TRUE(uneven);
}

TEST(PelnasSearch, NoPartitionIsOneNiche) {
  PelnasSearchOptions o;
  o.no_partition = true;
  PelnasSearch* s = nullptr;
  const Archive a = run_search(o, 1, o.planned_evaluations(1), &s);
  EXPECT_EQ(s->niche_map()->niches().size(), 1u);
  EXPECT_EQ(a.size(), static_cast<std::size_t>(4 + 10 * 5));
  for (const auto& e : a.entries()) EXPECT_EQ(e.niche, 0);
}

TEST(PelnasSearch, ResumeFromACheckpointGivesTheUninterruptedRun) {
  PelnasSearchOptions o;
  const Archive full = run_search(o, 9, 324);
  for (int stop_at : {0, 3, 9}) {
    SearchSetup s1;
    Problem p1(s1.evaluator, Budget{324});
    PelnasSearch first(o);
    Rng rng(9);
    nlohmann::json saved;
    first.run(p1, rng, [&](const GenerationReport& r) {
      if (r.generation < stop_at) return CallbackAction::Continue;
      saved = first.checkpoint().to_json();
      return CallbackAction::Stop;
    });
    ASSERT_EQ(saved["generation"], stop_at);
    // A new process: fresh evaluator, problem, search; the checkpoint through its JSON text.
    SearchSetup s2;
    Problem p2(s2.evaluator, Budget{324});
    PelnasSearch second(o);
    second.resume_from(PelnasCheckpoint::from_json(nlohmann::json::parse(saved.dump())));
    Rng rng2(9);
    second.run(p2, rng2, nullptr);
    EXPECT_EQ(archive_text(p2.archive()), archive_text(full)) << "stopped after generation " << stop_at;
    EXPECT_EQ(second.counters().at("evaluated:seed"), 24);
    EXPECT_EQ(second.operator_stats().counters.at("calls"), 60);  // counted across the resume
    // The new process evaluated exactly the architectures the first had not.
    EXPECT_EQ(s2.evaluator.counts().unique, 324 - static_cast<long>(saved["archive"].size()));
  }
}

TEST(PelnasSearch, OptionsNameTheBadField) {
  auto expect_field = [](nlohmann::json j, const std::string& field) {
    try {
      PelnasSearchOptions::from_json(j);
      ADD_FAILURE() << "no error for " << j.dump();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  expect_field({{"generations", -2}}, "generations");  // -1 = from the budget
  expect_field({{"children_per_call", 0}}, "children_per_call");
  expect_field({{"calls_per_niche", 1}}, "calls_per_niche");
  expect_field({{"seeds_per_niche", 0}}, "seeds_per_niche");
  expect_field({{"crossover_probability", 2}}, "crossover_probability");
  expect_field({{"max_proposal_rounds", 0}}, "max_proposal_rounds");
  expect_field({{"allocation", "greedy"}}, "allocation");
  expect_field({{"min_children_per_niche", 6}}, "min_children_per_niche");
  expect_field({{"allocation_size_exponent", -1}}, "allocation_size_exponent");
  expect_field({{"migrant_parents", -1}}, "migrant_parents");
  expect_field({{"generatoins", 3}}, "generatoins");
  expect_field({{"generations", "ten"}}, "generations");
  EXPECT_THROW(PelnasSearch(PelnasSearchOptions::from_json({{"operator", "oracle"}})), Error);
  const auto o = PelnasSearchOptions::from_json({{"generations", 3}, {"partition", "conv3x3"}});
  EXPECT_EQ(PelnasSearchOptions::from_json(o.to_json()).to_json(), o.to_json());
}

TEST(PelnasSearch, GenerationsComeFromTheBudgetAndEveryBudgetIsSpent) {
  PelnasSearchOptions o;  // generations unset: derived from the budget
  ASSERT_EQ(o.generations, PelnasSearchOptions::kGenerationsFromBudget);
  EXPECT_EQ(o.planned_evaluations(6), 324);  // the default budget: 10 generations
  // 6 niches x 4 seeds = 24; 30 children per generation: ceil((600 - 24) / 30) = 20, ceil(300/30) = 10.
  EXPECT_EQ(o.generations_for_budget(600, 6), 20);
  EXPECT_EQ(o.generations_for_budget(324, 6), 10);
  EXPECT_EQ(o.generations_for_budget(1000, 6), 33);
  for (int budget : {100, 600, 1000}) {
    PelnasSearch* s = nullptr;
    const Archive a = run_search(o, 2, budget, &s);
    EXPECT_EQ(static_cast<int>(a.size()), budget);
    EXPECT_GE(s->checkpoint().generation, o.generations_for_budget(budget, 6));
    EXPECT_EQ(s->counters().count("budget_unspent"), 0u);
  }
  // One niche (the ablation) with its own plan: ceil((600 - 4) / 32) = 19 generations.
  PelnasSearchOptions one;
  one.no_partition = true;
  one.children_per_call = 32;
  EXPECT_EQ(one.generations_for_budget(600, 1), 19);
  EXPECT_EQ(run_search(one, 2, 600).size(), 600u);
}

TEST(PelnasSearch, BudgetsItCannotSpendOrSeedAreRefused) {
  PelnasSearchOptions o;
  const std::string low = test::error_of([&] { o.check_budget(20, 6); });
  EXPECT_NE(low.find("minimum budget is 24"), std::string::npos) << low;
  EXPECT_TRUE(test::error_of([&] { o.check_budget(24, 6); }).empty());
  o.generations = 5;
  const std::string high = test::error_of([&] { o.check_budget(600, 6); });
  EXPECT_NE(high.find("174 evaluations"), std::string::npos) << high;  // 6 x (4 + 5 x 5)
  EXPECT_NE(high.find("20 generations"), std::string::npos) << high;   // what the budget would need
  EXPECT_TRUE(test::error_of([&] { o.check_budget(174, 6); }).empty());
  EXPECT_TRUE(test::error_of([&] { o.check_budget(100, 6); }).empty());  // a budget may cut a fixed plan short
  // Through the Search interface (as the benchmark grid calls it).
  auto s = SearchRegistry::instance().make("pelnas", {{"generations", 5}});
  EXPECT_THROW(s->check_budget(600), Error);
}

TEST(PelnasSearch, RegisteredByName) {
  auto s = SearchRegistry::instance().make("pelnas", {{"generations", 2}});
  EXPECT_EQ(s->name(), "pelnas");
  SearchSetup setup;
  Problem p(setup.evaluator, Budget{300});
  Rng rng(1);
  int reports = 0;
  s->run(p, rng, [&](const GenerationReport& r) {
    EXPECT_EQ(r.generation, reports++);
    return CallbackAction::Continue;
  });
  EXPECT_EQ(reports, 3);
  EXPECT_EQ(p.evaluations(), 24 + 2 * 30);
}

}  // namespace
}  // namespace pelnas
