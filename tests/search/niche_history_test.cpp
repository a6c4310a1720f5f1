// NicheHistory: the running statistics the evolution operator reads every generation equal a scan
// of the entries (counts, pairs, sorted accuracies, the Pareto front, best accuracy at a cost);
// copies share until written; irregular histories (duplicates, NaN, misshapen codes) are flagged so
// the operator falls back to scans. And the operator's children and rules are the same whether it
// reads the running statistics or scans (the scan path forced by a duplicate entry or by equal
// extra costs, which change neither the known set nor dominance).
#include "search/niche_history.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "search/evolution_operator.h"
#include "search/niche_map.h"
#include "search/partition.h"
#include "space/nb201_space.h"
#include "test_support.h"

namespace pelnas {
namespace {

const Nb201Space& space() {
  static const Nb201Space s("cifar10");
  return s;
}

EvaluatedArch entry(int lex, double acc, double cost) {
  EvaluatedArch e;
  e.arch = Arch::from_lex_code(lex);
  e.code = ArchCode::from_nb201(e.arch);
  e.accuracy = acc;
  e.cost = cost;
  return e;
}

// Distinct random cells with coarse accuracies and costs (ties on both, and identical objective vectors).
std::vector<EvaluatedArch> random_entries(int n, std::uint64_t seed) {
  Rng rng(seed);
  std::set<int> used;
  std::vector<EvaluatedArch> out;
  while (static_cast<int>(out.size()) < n) {
    const int lex = static_cast<int>(rng.uniform_int(0, kNumArchs - 1));
    if (!used.insert(lex).second) continue;
    out.push_back(entry(lex, 50 + static_cast<double>(rng.uniform_int(0, 40)), 1 + static_cast<double>(rng.uniform_int(0, 30))));
  }
  return out;
}

void expect_matches_scan(const NicheHistory& h) {
  const auto& st = h.stats(space());
  ASSERT_EQ(st.fed, h.size());
  ASSERT_TRUE(st.front_exact());
  ASSERT_FALSE(st.duplicates);
  const int L = space().length();
  for (int e = 0; e < L; ++e)
    for (int op = 0; op < kNumOps; ++op) {
      std::vector<std::uint32_t> scan;
      for (std::size_t i = 0; i < h.size(); ++i)
        if (h[i].code[e] == op) scan.push_back(static_cast<std::uint32_t>(i));
      const int f = st.offset[static_cast<std::size_t>(e)] + op;
      EXPECT_EQ(st.positions[static_cast<std::size_t>(f)], scan);
      for (int e2 = 0; e2 < L; ++e2)
        for (int op2 = 0; op2 < kNumOps; ++op2) {
          std::int64_t both = 0;
          for (const auto& x : h) both += x.code[e] == op && x.code[e2] == op2;
          ASSERT_EQ(st.pairs[static_cast<std::size_t>(f) * static_cast<std::size_t>(st.features) +
                             static_cast<std::size_t>(st.offset[static_cast<std::size_t>(e2)] + op2)],
                    both);
        }
    }
  std::vector<double> acc;
  for (const auto& x : h) acc.push_back(x.accuracy);
  EXPECT_EQ(st.accuracy, acc);
  std::sort(acc.begin(), acc.end());
  EXPECT_EQ(st.sorted_accuracy, acc);
  // The front against the definition: no other entry dominates it.
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < h.size(); ++i) {
    bool on = true;
    for (std::size_t j = 0; j < h.size() && on; ++j) on = j == i || !dominates(h[j], h[i]);
    if (on) front.push_back(i);
  }
  EXPECT_EQ(st.front_positions(), front);
  for (double c = 0; c <= 32; c += 0.5) {
    std::optional<double> best;
    for (const auto& x : h)
      if (x.cost <= c) best = std::max(best.value_or(-1e300), x.accuracy);
    EXPECT_EQ(st.best_accuracy_at_most(c), best) << "cost " << c;
  }
}

TEST(NicheHistory, RunningStatisticsEqualAScanOfTheEntries) {
  const auto entries = random_entries(400, 3);
  NicheHistory h;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    h.push_back(entries[i]);
    if (i == 0 || i == 2 || i == 37 || i == 150 || i + 1 == entries.size()) expect_matches_scan(h);  // folded in steps
  }
  // Built at once (one fold of everything) gives the same.
  expect_matches_scan(NicheHistory(entries));
}

TEST(NicheHistory, CopiesShareUntilOneIsWritten) {
  const auto entries = random_entries(30, 5);
  NicheHistory a(std::vector<EvaluatedArch>(entries.begin(), entries.begin() + 20));
  (void)a.stats(space());
  NicheHistory b = a;
  EXPECT_EQ(&a.entries(), &b.entries());  // shared
  for (std::size_t i = 20; i < entries.size(); ++i) a.push_back(entries[i]);
  EXPECT_EQ(a.size(), 30u);
  EXPECT_EQ(b.size(), 20u);
  expect_matches_scan(a);
  expect_matches_scan(b);
}

TEST(NicheHistory, FlagsHistoriesTheRunningStatisticsCannotStandInFor) {
  NicheHistory dup({entry(1, 80, 2), entry(2, 81, 3), entry(1, 80, 2)});
  EXPECT_TRUE(dup.stats(space()).duplicates);
  NicheHistory nan({entry(1, 80, 2), entry(2, std::nan(""), 3)});
  EXPECT_FALSE(nan.stats(space()).front_exact());
  EvaluatedArch odd = entry(3, 70, 1);
  odd.code.length = 4;  // not a 6-position NB201 code
  NicheHistory misshapen({entry(1, 80, 2), odd});
  EXPECT_FALSE(misshapen.stats(space()).counts_exact());
  EvaluatedArch three = entry(4, 70, 1);
  three.extra_costs = {2.0};
  EXPECT_TRUE(NicheHistory({entry(1, 80, 2), three}).stats(space()).extra_costs);
  EXPECT_FALSE(NicheHistory(random_entries(10, 1)).stats(space()).duplicates);
}

struct Niche {
  NicheMap map{Partition::builtin("paper"), {test::data(), Dataset::Cifar10, nullptr}};
  std::set<ArchCode> seen;
  // A state of niche 3 whose history is `n` of its cells with accuracies and costs from a simple
  // model (ties included); the parents are the history's front; screening on (cost of any cell).
  NicheState state(int n, std::uint64_t seed) {
    NicheState s;
    s.space = &space();
    s.niche = &map.niches()[3];
    s.generation = 7;
    const auto members = map.member_cells(3);
    Rng rng(seed);
    auto cost = [](const Arch& a) { return 1.0 + static_cast<double>(a.lex_code() % 23); };
    std::vector<EvaluatedArch> h;
    while (static_cast<int>(h.size()) < n) {
      const Arch a = members[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(members.size()) - 1))];
      if (!seen.insert(ArchCode::from_nb201(a)).second) continue;
      h.push_back(entry(a.lex_code(), 60 + static_cast<double>(rng.uniform_int(0, 30)) + 3.0 * (a.ops[1] == Op::Skip), cost(a)));
    }
    s.history = h;
    for (std::size_t i : s.history.stats(space()).front_positions()) s.parents.push_back(h[i]);
    s.seen = [this](const ArchCode& c) { return seen.count(c) > 0; };
    s.cost = [cost](const ArchCode& c) -> std::optional<double> { return cost(c.nb201()); };
    s.children_wanted = 4;
    return s;
  }
};

TEST(EvolutionOperator, ChildrenAreTheSameFromRunningStatisticsAsFromScans) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    Niche niche;
    NicheState fast = niche.state(300, seed);
    NicheState scan = fast;
    scan.history.push_back(scan.history[5]);  // a duplicate: the operator scans (and dedups) instead
    ASSERT_TRUE(scan.history.stats(space()).duplicates);
    EvolutionOperator a(EvolutionOperatorOptions{}), b(EvolutionOperatorOptions{});
    Rng ra(seed), rb(seed);
    for (int round = 0; round < 5; ++round) {
      const auto x = a.propose(fast, ra), y = b.propose(scan, rb);
      ASSERT_EQ(x.size(), y.size());
      for (std::size_t i = 0; i < x.size(); ++i) {
        EXPECT_EQ(x[i].code, y[i].code) << "seed " << seed << " round " << round;
        EXPECT_EQ(x[i].rationale, y[i].rationale);
      }
    }
    EXPECT_EQ(ra.uniform01(), rb.uniform01());  // the same draws
  }
}

TEST(EvolutionOperator, RulesAreTheSameFromTheRunningFrontAsFromPairScans) {
  for (std::uint64_t seed : {4u, 5u}) {
    Niche niche;
    NicheState fast = niche.state(250, seed);
    // The same entries with one equal extra cost each: dominance is unchanged, but the operator
    // can no longer use the two-objective running front and compares every pair.
    std::vector<EvaluatedArch> with_extra = fast.history.entries();
    for (auto& e : with_extra) e.extra_costs = {1.0};
    NicheState scan = fast;
    scan.history = with_extra;
    EvolutionOperator op(EvolutionOperatorOptions{});
    Rng r1(1), r2(1);
    op.update_knowledge(fast, r1);
    op.update_knowledge(scan, r2);
    ASSERT_FALSE(fast.knowledge.positive.empty() && fast.knowledge.negative.empty());
    EXPECT_EQ(fast.knowledge.render(), scan.knowledge.render());
    ASSERT_EQ(fast.knowledge.positive.size(), scan.knowledge.positive.size());
    for (std::size_t i = 0; i < fast.knowledge.positive.size(); ++i)
      EXPECT_EQ(fast.knowledge.positive[i].evidence, scan.knowledge.positive[i].evidence);
    ASSERT_EQ(fast.knowledge.negative.size(), scan.knowledge.negative.size());
    for (std::size_t i = 0; i < fast.knowledge.negative.size(); ++i)
      EXPECT_EQ(fast.knowledge.negative[i].evidence, scan.knowledge.negative[i].evidence);
  }
}

}  // namespace
}  // namespace pelnas
