// count_neighbours visits SearchSpace::neighbours() in place; the evolution operator's parent
// weights (hence NB201 results) depend on it counting exactly what listing them counts. Cross-checked
// against space.neighbours() for both spaces and a constrained one, with tests that pass a
// pseudo-random half, nothing, or everything.
#include "search/open_neighbours.h"

#include <gtest/gtest.h>

#include "common/rng.h"
#include "space/fbnet_space.h"
#include "space/nb201_space.h"

namespace pelnas {
namespace {

// NB201 with a constraint between positions (0 and 1 must differ), as a space may have: the
// illegal single changes are not neighbours.
class ConstrainedSpace : public SearchSpace {
 public:
  std::string name() const override { return "constrained"; }
  std::string dataset() const override { return base_.dataset(); }
  const std::vector<SpacePosition>& positions() const override { return base_.positions(); }
  Encoding parse(std::string_view text) const override { return base_.parse(text); }
  std::string print(const Encoding& e) const override { return base_.print(e); }
  const std::vector<ComplexityFeature>& features() const override { return base_.features(); }
  std::vector<double> feature_values(const Encoding& e) const override { return base_.feature_values(e); }
  std::string prompt_description() const override { return base_.prompt_description(); }
  std::string prompt_example() const override { return base_.prompt_example(); }
  bool constrained() const override { return true; }
  std::optional<std::string> illegal_reason(const Encoding& e) const override {
    if (auto why = SearchSpace::illegal_reason(e)) return why;
    if (e[0] == e[1]) return std::string("positions 0 and 1 must differ");
    return std::nullopt;
  }

 private:
  Nb201Space base_{"cifar10"};
};

void expect_same_counts(const SearchSpace& space, int codes, std::uint64_t seed) {
  Rng rng(seed);
  for (int i = 0; i < codes; ++i) {
    const ArchCode code = ArchCode::from_encoding(space.sample(rng));
    const std::uint64_t salt = rng.next();
    auto half = [&](const ArchCode& c) { return ((c.hash() ^ salt) * 0x9E3779B97F4A7C15ull) >> 63; };
    int listed_half = 0, listed_all = 0;
    for (const Encoding& n : space.neighbours(code.encoding())) {
      listed_half += half(ArchCode::from_encoding(n)) != 0;
      ++listed_all;
    }
    EXPECT_EQ(count_neighbours(space, code, half), listed_half) << space.print(code.encoding());
    EXPECT_EQ(count_neighbours(space, code, [](const ArchCode&) { return true; }), listed_all);
    EXPECT_EQ(count_neighbours(space, code, [](const ArchCode&) { return false; }), 0);
  }
}

// What count_neighbours relies on to skip legality: a space that says it is not constrained
// accepts every in-range encoding (drawn position by position, not by sample(), which draws legal ones).
void expect_every_in_range_code_legal(const SearchSpace& space, std::uint64_t seed) {
  ASSERT_FALSE(space.constrained()) << space.name();
  Rng rng(seed);
  for (int i = 0; i < 500; ++i) {
    Encoding e;
    for (const auto& p : space.positions()) e.push_back(static_cast<int>(rng.uniform_int(0, static_cast<std::int64_t>(p.choices.size()) - 1)));
    EXPECT_TRUE(space.legal(e)) << space.name() << " " << space.print(e);
  }
}

TEST(OpenNeighbours, SpacesThatAreNotConstrainedAcceptEveryInRangeCode) {
  expect_every_in_range_code_legal(Nb201Space("cifar10"), 6);
  expect_every_in_range_code_legal(FbnetSpace(FbnetDataset::Cifar100), 7);
}

TEST(OpenNeighbours, CountsWhatListingTheNeighboursCounts) {
  const Nb201Space nb201("cifar10");
  expect_same_counts(nb201, 200, 3);
  EXPECT_EQ(count_neighbours(nb201, ArchCode::from_nb201(Arch::from_lex_code(0)), [](const ArchCode&) { return true; }), 24);
  const FbnetSpace fbnet(FbnetDataset::Cifar100);
  expect_same_counts(fbnet, 50, 4);
  // A constraint between positions: illegal single changes are not neighbours.
  const ConstrainedSpace constrained;
  expect_same_counts(constrained, 200, 5);
  const ArchCode code = ArchCode::from_encoding({0, 1, 0, 0, 0, 0});  // 0->1 and 1->0 would be illegal
  EXPECT_EQ(count_neighbours(constrained, code, [](const ArchCode&) { return true; }), 22);
}

}  // namespace
}  // namespace pelnas
