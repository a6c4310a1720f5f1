// ArchCode, the key the search core stores architectures of any space by: exact round trips with
// Encoding and the NB201 cell, the NB201 cell's order and identity preserved (sets and maps of the
// searches iterate in the same order as before), distinct keys for distinct FBNet networks beyond
// 2^64, and errors for what does not fit.
#include "space/arch_code.h"

#include <gtest/gtest.h>

#include <set>
#include <unordered_set>

#include "common/rng.h"
#include "test_support.h"

namespace pelnas {
namespace {

TEST(ArchCode, Nb201RoundTripKeepsOrderAndIdentity) {
  std::set<ArchCode> codes;
  ArchCode previous;
  for (int lex = 0; lex < kNumArchs; ++lex) {
    const Arch a = Arch::from_lex_code(lex);
    const ArchCode c = ArchCode::from_nb201(a);
    ASSERT_EQ(c.nb201(), a);
    ASSERT_EQ(ArchCode::from_encoding(c.encoding()), c);
    ASSERT_EQ(c.size(), kNumEdges);
    // Lex order of the cell is the order of its code (std::set<Arch> and std::set<ArchCode> agree).
    if (lex > 0) {
      ASSERT_LT(previous, c) << a.str();
    }
    previous = c;
    codes.insert(c);
  }
  EXPECT_EQ(codes.size(), static_cast<std::size_t>(kNumArchs));
}

TEST(ArchCode, FbnetNetworksBeyond64BitsStayDistinct) {
  auto space = make_search_space("fbnet", "cifar100");
  ASSERT_GT(space->log10_size(), 19.3);  // 9^22 > 2^64: no integer index would do
  Rng rng(5);
  std::unordered_set<ArchCode> seen;
  std::set<std::string> strings;
  for (int i = 0; i < 2000; ++i) {
    const Encoding e = space->sample(rng);
    const ArchCode c = ArchCode::from_encoding(e);
    EXPECT_EQ(c.encoding(), e);
    EXPECT_EQ(seen.insert(c).second, strings.insert(space->print(e)).second);  // same identity as the string
  }
  // Two encodings that differ only in the last position differ as codes and in hash.
  Encoding a(22, 0), b(22, 0);
  b[21] = 8;
  EXPECT_NE(ArchCode::from_encoding(a), ArchCode::from_encoding(b));
  EXPECT_NE(ArchCode::from_encoding(a).hash(), ArchCode::from_encoding(b).hash());
  // A prefix is a different code (length is part of the key).
  EXPECT_NE(ArchCode::from_encoding(Encoding(21, 0)), ArchCode::from_encoding(a));
}

TEST(ArchCode, HashIsFixedFnv1a) {
  // FNV-1a 64 over the bytes {6, 0, 0, 0, 0, 0, 0} (length, then six choices), computed independently.
  std::uint64_t h = 14695981039346656037ull;
  for (int b : {6, 0, 0, 0, 0, 0, 0}) h = (h ^ static_cast<std::uint64_t>(b)) * 1099511628211ull;
  EXPECT_EQ(ArchCode::from_nb201(Arch{}).hash(), h);
}

TEST(ArchCode, RefusesWhatDoesNotFit) {
  EXPECT_NE(test::error_of([] { ArchCode::from_encoding(Encoding(33, 0)); }).find("at most 32"), std::string::npos);
  EXPECT_NE(test::error_of([] { ArchCode::from_encoding(Encoding{0, 256}); }).find("position 1 has choice 256"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { ArchCode::from_encoding(Encoding{0, -1}); }).find("position 1"), std::string::npos);
  EXPECT_NE(test::error_of([] { (void)ArchCode::from_encoding(Encoding(22, 0)).nb201(); }).find("not an NB201 cell"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { (void)ArchCode::from_encoding(Encoding{0, 0, 5, 0, 0, 0}).nb201(); }).find("edge 2"),
            std::string::npos);
}

}  // namespace
}  // namespace pelnas
