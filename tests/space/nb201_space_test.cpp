// The NB201 adapter is a view of Arch: same strings, same random draws, same neighbours.
#include "space/nb201_space.h"

#include <gtest/gtest.h>

#include "common/rng.h"
#include "test_support.h"

namespace pelnas {
namespace {

TEST(Nb201Space, AgreesWithArchOnEveryCell) {
  Nb201Space space("cifar10");
  for (int code = 0; code < kNumArchs; ++code) {
    const Arch a = Arch::from_lex_code(code);
    const Encoding e = Nb201Space::encode(a);
    ASSERT_EQ(space.print(e), a.str());
    ASSERT_EQ(Nb201Space::decode(space.parse(a.str())), a);
    const auto v = space.feature_values(e);
    for (int k = 0; k < kNumOps; ++k) ASSERT_EQ(v[static_cast<std::size_t>(k)], a.count(kAllOps[static_cast<std::size_t>(k)]));
  }
  EXPECT_EQ(space.cardinality(), std::optional<std::uint64_t>(kNumArchs));
}

TEST(Nb201Space, SamplesAndNeighboursExactlyAsArch) {
  Nb201Space space("cifar100");
  Rng r1(2024), r2(2024);
  for (int i = 0; i < 500; ++i) {
    const Arch a = Arch::sample(r1);
    const Encoding e = space.sample(r2);
    ASSERT_EQ(Nb201Space::decode(e), a);
    const auto na = a.neighbours();
    const auto ne = space.neighbours(e);
    ASSERT_EQ(na.size(), ne.size());
    for (std::size_t k = 0; k < na.size(); ++k) ASSERT_EQ(Nb201Space::decode(ne[k]), na[k]);
  }
  EXPECT_EQ(r1.next(), r2.next());  // the same number of draws
}

TEST(Nb201Space, ParseErrorsNameTheEdge) {
  Nb201Space space("cifar10");
  try {
    space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|conv9~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|");
    FAIL();
  } catch (const SpaceParseError& e) {
    EXPECT_EQ(e.position(), 2) << e.what();  // edge 2<-1
    EXPECT_NE(std::string(e.what()).find("conv9"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pelnas
