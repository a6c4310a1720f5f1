// Problem::seen on NB201 answers from a flag per cell (operators ask it for every draw, issue 14):
// it must agree with the set of every code handed to evaluate(), evaluated or refused (out of the
// domain), and with a restored archive. Cross-checked against an independent std::set.
#include <gtest/gtest.h>

#include <set>

#include "common/rng.h"
#include "evaluate/evaluator.h"
#include "hardware/cost_source.h"
#include "search/problem.h"
#include "test_support.h"

namespace pelnas {
namespace {

Evaluator make_evaluator(const std::string& device) {
  std::shared_ptr<CostSource> cost = make_cost_source(test::data(), Dataset::Cifar10, CostSpec{device, HwMetric::Latency});
  auto accuracy = std::make_shared<TableAccuracy>(test::data(), Dataset::Cifar10, AccuracyMetric::Valid);
  return Evaluator(test::data(), Dataset::Cifar10, accuracy, cost);
}

TEST(ProblemSeen, AgreesWithTheSetOfEveryCodeHandedToEvaluateAndWithARestoredArchive) {
  // edgetpu's table covers part of the space: some draws are refused (out of the domain) and must
  // count as seen all the same.
  Evaluator evaluator = make_evaluator("edgetpu");
  Problem problem(evaluator, Budget{3000});
  std::set<ArchCode> handed;
  Rng rng(11);
  int refused = 0;
  for (int i = 0; i < 6000 && !problem.exhausted(); ++i) {
    const ArchCode c = ArchCode::from_nb201(Arch::sample(rng));
    const bool was_seen = handed.count(c) > 0;
    ASSERT_EQ(problem.seen(c), was_seen) << c.nb201().str();
    const auto e = problem.evaluate(c);
    if (!was_seen && !e) ++refused;
    handed.insert(c);
  }
  EXPECT_GT(refused, 0);  // the domain check was exercised
  int seen_cells = 0;
  for (int lex = 0; lex < kNumArchs; ++lex) {
    const ArchCode c = ArchCode::from_nb201(Arch::from_lex_code(lex));
    EXPECT_EQ(problem.seen(c), handed.count(c) > 0) << lex;
    seen_cells += problem.seen(c);
  }
  EXPECT_EQ(seen_cells, static_cast<int>(handed.size()));
  // Codes that are not NB201 cells are never seen (and do not alias a cell).
  ArchCode longer = ArchCode::from_nb201(Arch::from_lex_code(0));
  longer.length = 7;
  EXPECT_FALSE(problem.seen(longer));

  // A restored archive: its entries are seen, nothing else.
  Problem restored(evaluator, Budget{3000});
  restored.restore(problem.archive());
  std::set<ArchCode> archived;
  for (const auto& e : problem.archive().entries()) archived.insert(e.code);
  EXPECT_LT(archived.size(), handed.size());  // refused codes are not in the archive
  for (int lex = 0; lex < kNumArchs; ++lex) {
    const ArchCode c = ArchCode::from_nb201(Arch::from_lex_code(lex));
    EXPECT_EQ(restored.seen(c), archived.count(c) > 0) << lex;
  }
}

}  // namespace
}  // namespace pelnas
