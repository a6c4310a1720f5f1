// The evolution operator: children are inside the niche, unseen and distinct; the same Rng gives
// the same children; rules learned from archive statistics name the enriched (edge, op) with the
// architectures behind them, and they bias mutation towards it.
#include <gtest/gtest.h>

#include <set>

#include "common/error.h"
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

EvaluatedArch ev(const Arch& a, double acc, double cost) {
  EvaluatedArch e;
  e.arch = a;
  e.code = ArchCode::from_nb201(a);
  e.accuracy = acc;
  e.cost = cost;
  return e;
}

struct Fixture {
  NicheMap map{Partition::builtin("paper"), {test::data(), Dataset::Cifar10, nullptr}};
  std::set<int> seen;
  NicheState state(int niche, int parents, Rng& rng) {
    NicheState s;
    s.space = &space();
    s.niche = &map.niches()[niche];
    auto members = map.member_cells(niche);
    for (int i = 0; i < parents; ++i) {
      const Arch a = members[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(members.size()) - 1))];
      if (seen.insert(a.lex_code()).second) s.parents.push_back(ev(a, 80 + i, 10 + i));
    }
    s.history = s.parents;
    s.seen = [this](const ArchCode& a) { return seen.count(a.nb201().lex_code()) > 0; };
    s.children_wanted = 5;
    return s;
  }
};

TEST(EvolutionOperator, ChildrenAreInsideTheNicheUnseenAndDistinct) {
  Fixture f;
  EvolutionOperator op(EvolutionOperatorOptions{});
  Rng rng(7);
  for (int niche = 0; niche < 6; ++niche) {
    NicheState s = f.state(niche, 4, rng);
    for (int round = 0; round < 20; ++round) {
      const auto children = op.propose(s, rng);
      ASSERT_EQ(children.size(), 5u);
      std::set<int> batch;
      for (const auto& c : children) {
        EXPECT_EQ(f.map.niche_of(c.code.nb201()), niche) << c.code.nb201().str();
        EXPECT_FALSE(f.seen.count(c.code.nb201().lex_code())) << c.code.nb201().str();
        EXPECT_TRUE(batch.insert(c.code.nb201().lex_code()).second);
        EXPECT_FALSE(c.rationale.empty());
      }
      for (const auto& c : children) f.seen.insert(c.code.nb201().lex_code());
    }
  }
  const auto& counters = op.stats().counters;
  EXPECT_EQ(counters.at("calls"), 120);
  EXPECT_GT(counters.at("proposed:crossover"), 0);
  EXPECT_GT(counters.at("proposed:mutation"), 0);
}

TEST(EvolutionOperator, SmallNicheIsExhaustedWithoutRepeats) {
  // Niche 5 has 265 members: proposing until it runs out must list every member exactly once.
  Fixture f;
  EvolutionOperator op(EvolutionOperatorOptions{});
  Rng rng(3);
  NicheState s = f.state(5, 2, rng);
  std::size_t total = s.parents.size();
  for (int round = 0; round < 200; ++round) {
    const auto children = op.propose(s, rng);
    for (const auto& c : children) ASSERT_TRUE(f.seen.insert(c.code.nb201().lex_code()).second);
    total += children.size();
    if (children.size() < 5) break;
  }
  EXPECT_EQ(total, 265u);
}

TEST(EvolutionOperator, SameRngSameChildren) {
  auto run = [](std::uint64_t seed) {
    Fixture f;
    EvolutionOperator op(EvolutionOperatorOptions{});
    Rng setup(1);
    NicheState s = f.state(2, 5, setup);
    Rng rng(seed);
    std::vector<std::string> out;
    for (const auto& c : op.propose(s, rng)) out.push_back(c.code.nb201().str() + c.origin);
    return out;
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
}

TEST(EvolutionOperator, LearnsRulesFromArchiveStatistics) {
  // Pareto members all carry nor_conv_3x3 on edge 3<-0 (edge 3); dominated ones never do, and
  // the dominated ones all carry none on edge 1<-0 (edge 0).
  Fixture f;
  NicheState s;
  s.space = &space();
  s.niche = &f.map.niches()[2];
  s.generation = 4;
  const Arch good1 = Arch::parse("|skip_connect~0|+|skip_connect~0|none~1|+|nor_conv_3x3~0|skip_connect~1|none~2|");
  const Arch good2 = Arch::parse("|avg_pool_3x3~0|+|skip_connect~0|skip_connect~1|+|nor_conv_3x3~0|none~1|skip_connect~2|");
  const Arch good3 = Arch::parse("|skip_connect~0|+|none~0|skip_connect~1|+|nor_conv_3x3~0|nor_conv_1x1~1|none~2|");
  s.history = {ev(good1, 90, 1), ev(good2, 91, 2), ev(good3, 92, 3)};
  const char* bad[] = {"|none~0|+|skip_connect~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|",
                       "|none~0|+|nor_conv_3x3~0|none~1|+|none~0|skip_connect~1|avg_pool_3x3~2|",
                       "|none~0|+|none~0|nor_conv_3x3~1|+|avg_pool_3x3~0|skip_connect~1|skip_connect~2|",
                       "|none~0|+|skip_connect~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|"};
  for (int i = 0; i < 4; ++i) s.history.push_back(ev(Arch::parse(bad[i]), 50 + i, 5 + i));
  EvolutionOperator op(EvolutionOperatorOptions{});
  Rng rng(1);
  op.update_knowledge(s, rng);
  ASSERT_FALSE(s.knowledge.positive.empty());
  bool found_pos = false, found_neg = false;
  for (const auto& r : s.knowledge.positive)
    if (r.text.rfind(EvolutionOperator::rule_text(space(), 3, static_cast<int>(Op::Conv3x3), true), 0) == 0) {
      found_pos = true;
      EXPECT_EQ(r.evidence.size(), 3u);
      EXPECT_EQ(r.round, 4);
    }
  for (const auto& r : s.knowledge.negative)
    if (r.text.rfind(EvolutionOperator::rule_text(space(), 0, static_cast<int>(Op::None), false), 0) == 0) {
      found_neg = true;
      EXPECT_EQ(r.evidence.size(), 4u);
    }
  EXPECT_TRUE(found_pos) << s.knowledge.render();
  EXPECT_TRUE(found_neg) << s.knowledge.render();
  bool positive = false;
  auto parsed = EvolutionOperator::parse_rule_text(space(), s.knowledge.positive[0].text, positive);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(positive);
  EXPECT_FALSE(EvolutionOperator::parse_rule_text(space(), "use more convolutions", positive).has_value());
}

TEST(EvolutionOperator, RulesBiasMutation) {
  // One parent, mutation only, one edge: with a strong positive rule for avg_pool on edge 2<-1
  // the mutated ops on that edge are mostly avg_pool; without it, about a quarter.
  auto share = [](bool with_rule) {
    Fixture f;
    EvolutionOperatorOptions o;
    o.crossover_probability = 0;
    o.two_edge_mutation_probability = 0;
    o.swap_probability = 0;
    o.rule_weight = 20;
    EvolutionOperator op(o);
    NicheState s;
    s.space = &space();
    s.niche = &f.map.niches()[2];
    const Arch p = Arch::parse("|nor_conv_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|none~2|");
    s.parents = {ev(p, 90, 1)};
    if (with_rule) s.knowledge.positive.push_back({EvolutionOperator::rule_text(space(), 2, static_cast<int>(Op::AvgPool), true), {}, 1});
    s.children_wanted = 1;
    Rng rng(5);
    int on_edge = 0, pool = 0;
    for (int i = 0; i < 2000; ++i)
      for (const auto& c : op.propose(s, rng))
        if (c.code.nb201().ops[2] != p.ops[2]) {
          ++on_edge;
          pool += c.code.nb201().ops[2] == Op::AvgPool;
        }
    return on_edge ? static_cast<double>(pool) / on_edge : 0.0;
  };
  EXPECT_GT(share(true), 0.8);
  EXPECT_LT(share(false), 0.4);
}

// Screening picks, among several usable candidates, the one the fitted additive model rates best.
// In a niche whose evaluated cells gain 4 points from skip_connect on edge 1<-0 and lose 3 from
// avg_pool on edge 3<-2 (same cost everywhere), screened children carry the good pattern far more
// often than unscreened ones drawn with the same Rng.
TEST(EvolutionOperator, ScreeningPrefersWhatTheArchiveRewards) {
  auto good = [](const Arch& a) { return a.ops[0] == Op::Skip && a.ops[5] != Op::AvgPool; };
  auto share = [&](int screen) {
    Fixture f;
    Rng pick(11);
    const auto members = f.map.member_cells(2);
    NicheState s;
    s.space = &space();
    s.niche = &f.map.niches()[2];
    for (int i = 0; i < 60; ++i) {
      const Arch a = members[static_cast<std::size_t>(pick.uniform_int(0, static_cast<std::int64_t>(members.size()) - 1))];
      if (!f.seen.insert(a.lex_code()).second) continue;
      const double acc = 85 + 4.0 * (a.ops[0] == Op::Skip) - 3.0 * (a.ops[5] == Op::AvgPool) + 0.1 * (i % 7);
      s.history.push_back(ev(a, acc, 1.0));
    }
    for (int i = 0; i < 6; ++i) s.parents.push_back(s.history[static_cast<std::size_t>(i)]);
    s.seen = [&f](const ArchCode& a) { return f.seen.count(a.nb201().lex_code()) > 0; };
    s.cost = [](const ArchCode&) -> std::optional<double> { return 1.0; };
    s.children_wanted = 5;
    EvolutionOperatorOptions o;
    o.screen_candidates = screen;
    o.crossover_probability = 0.5;
    EvolutionOperator op(o);
    Rng rng(5);
    int n = 0, hits = 0;
    for (int round = 0; round < 20; ++round)
      for (const auto& c : op.propose(s, rng)) {
        ++n;
        hits += good(c.code.nb201());
      }
    EXPECT_EQ(n, 100);
    return static_cast<double>(hits) / n;
  };
  const double plain = share(1), screened = share(8);
  EXPECT_GT(screened, plain + 0.25) << "plain " << plain << " screened " << screened;
}

TEST(EvolutionOperator, OptionsValidateAndNameTheField) {
  EXPECT_THROW(EvolutionOperatorOptions::from_json({{"crossover_probability", 1.5}}), Error);
  try {
    EvolutionOperatorOptions::from_json({{"mutation_rate", 0.1}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mutation_rate"), std::string::npos);
  }
  try {
    EvolutionOperatorOptions::from_json({{"parent_selection", "best"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("parent_selection"), std::string::npos);
  }
  for (const char* field : {"screen_candidates", "ridge", "screen_floor_quantile"}) {
    try {
      EvolutionOperatorOptions::from_json({{field, std::string(field) == "screen_floor_quantile" ? 1.0 : 0.0}});
      ADD_FAILURE() << field;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  }
  const auto o = EvolutionOperatorOptions::from_json({{"rule_weight", 5.0}});
  EXPECT_EQ(EvolutionOperatorOptions::from_json(o.to_json()).to_json(), o.to_json());
}

}  // namespace
}  // namespace pelnas
