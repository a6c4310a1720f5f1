// UsedUpNeighbourhoods lets the evolution operator skip draws whose child would be rejected, so a
// wrong "used up" would change results. Cross-checked against an independent enumeration: a
// mutation changes one or two positions (a swap is a two-position change), so a parent is used up
// exactly when no code at Hamming distance 1 or 2 is live; checked as the seen set grows, as it
// does in a search.
#include "search/used_up_neighbourhoods.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/rng.h"
#include "space/fbnet_space.h"
#include "space/nb201_space.h"

namespace pelnas {
namespace {

const Nb201Space& space() {
  static const Nb201Space s("cifar10");
  return s;
}

bool brute_force_used_up(const ArchCode& parent, const std::function<bool(const ArchCode&)>& live) {
  for (int lex = 0; lex < kNumArchs; ++lex) {
    const ArchCode c = ArchCode::from_nb201(Arch::from_lex_code(lex));
    int differ = 0;
    for (int e = 0; e < kNumEdges; ++e) differ += c[e] != parent[e];
    if ((differ == 1 || differ == 2) && live(c)) return false;
  }
  return true;
}

TEST(UsedUpNeighbourhoods, AgreesWithAnIndependentEnumerationAsTheSeenSetGrows) {
  Rng rng(5);
  int used_up_found = 0;
  for (int trial = 0; trial < 12; ++trial) {
    const ArchCode parent = ArchCode::from_nb201(Arch::sample(rng));
    // The "niche": cells with as many ops equal to 0 as the parent, or all cells (trial parity).
    auto zeros = [](const ArchCode& c) {
      int z = 0;
      for (int e = 0; e < kNumEdges; ++e) z += c[e] == 0;
      return z;
    };
    const bool whole = trial % 2 == 0;
    std::vector<char> seen(kNumArchs, 0);
    auto live = [&](const ArchCode& c) { return (whole || zeros(c) == zeros(parent)) && !seen[static_cast<std::size_t>(c.nb201_lex_code())]; };
    // Seen cells: the parent's neighbours in a random order (and random other cells), a batch at a time.
    std::vector<int> order;
    for (int lex = 0; lex < kNumArchs; ++lex) {
      const ArchCode c = ArchCode::from_nb201(Arch::from_lex_code(lex));
      int differ = 0;
      for (int e = 0; e < kNumEdges; ++e) differ += c[e] != parent[e];
      if (differ <= 2 || rng.uniform01() < 0.01) order.push_back(lex);
    }
    rng.shuffle(order);
    // Live neighbours first, so the parent is used up half way and must stay so as more is seen.
    std::stable_partition(order.begin(), order.end(), [&](int lex) {
      const ArchCode c = ArchCode::from_nb201(Arch::from_lex_code(lex));
      int differ = 0;
      for (int e = 0; e < kNumEdges; ++e) differ += c[e] != parent[e];
      return differ >= 1 && differ <= 2 && (whole || zeros(c) == zeros(parent));
    });
    UsedUpNeighbourhoods memo;
    ASSERT_TRUE(NicheNeighbourhoods::trackable(space()));
    for (std::size_t done = 0; done <= order.size(); done += 23) {
      for (std::size_t i = done >= 23 ? done - 23 : 0; i < done && i < order.size(); ++i) seen[static_cast<std::size_t>(order[i])] = 1;
      NicheNeighbourhoods& n = memo.niche(0, static_cast<int>(done), done);
      const bool expected = brute_force_used_up(parent, live);
      ASSERT_EQ(n.used_up(space(), parent, live), expected) << "trial " << trial << " after " << done << " seen";
      ASSERT_EQ(n.known_used_up(parent), expected);
      used_up_found += expected;
    }
    // Every neighbour seen: used up, whatever the niche.
    for (int lex : order) seen[static_cast<std::size_t>(lex)] = 1;
    EXPECT_TRUE(memo.niche(0, 100000, 100000).used_up(space(), parent, live));
  }
  EXPECT_GT(used_up_found, 12 * 3);  // used up before the end, and kept
}

TEST(UsedUpNeighbourhoods, ANewSearchStartsEmpty) {
  const ArchCode parent = ArchCode::from_nb201(Arch::from_lex_code(777));
  UsedUpNeighbourhoods memo;
  auto none = [](const ArchCode&) { return false; };
  auto all = [](const ArchCode&) { return true; };
  EXPECT_TRUE(memo.niche(3, 50, 400).used_up(space(), parent, none));
  EXPECT_TRUE(memo.niche(3, 51, 401).known_used_up(parent));
  // The generation (or the history) went back: another search, whose seen cells are not these.
  EXPECT_FALSE(memo.niche(3, 1, 10).known_used_up(parent));
  EXPECT_FALSE(memo.niche(3, 2, 12).used_up(space(), parent, all));
  // Other niches keep their own.
  EXPECT_TRUE(memo.niche(4, 1, 5).used_up(space(), parent, none));
  EXPECT_FALSE(memo.niche(3, 3, 13).known_used_up(parent));
}

TEST(UsedUpNeighbourhoods, LargeNeighbourhoodsAreNotTracked) {
  // FBNet: 22 layers x 9 blocks, 176 single moves and ~31,000 two-layer children per parent; a check
  // would cost more than the draws it saves, and that space's neighbourhoods are never used up.
  const FbnetSpace fbnet(FbnetDataset::Cifar100);
  EXPECT_FALSE(NicheNeighbourhoods::trackable(fbnet));
  EXPECT_TRUE(NicheNeighbourhoods::trackable(space()));
}

}  // namespace
}  // namespace pelnas
