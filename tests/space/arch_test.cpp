#include "space/arch.h"

#include <gtest/gtest.h>

#include <set>

#include "common/rng.h"
#include "test_support.h"

namespace pelnas {

TEST(Arch, RoundTripsAllTableStrings) {
  auto data = test::data();
  ASSERT_EQ(data->size(), kNumArchs);
  std::set<int> lex;
  for (int i = 0; i < data->size(); ++i) {
    const Arch& a = data->arch(i);
    const std::string s = a.str();
    EXPECT_EQ(Arch::parse(s), a);
    EXPECT_EQ(data->index_of(Arch::parse(s)), i);
    EXPECT_EQ(Arch::from_lex_code(a.lex_code()), a);
    lex.insert(a.lex_code());
  }
  EXPECT_EQ(lex.size(), static_cast<std::size_t>(kNumArchs));
}

TEST(Arch, IndexZeroIsTheDocumentedString) {
  auto data = test::data();
  EXPECT_EQ(data->arch(0).str(),
            "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|");
  EXPECT_EQ(data->arch(0).lex_code(), 13931);  // the table's lex_code column
}

TEST(Arch, ZeroOutputMatchesTableColumn) {
  auto data = test::data();
  int zeros = 0;
  for (int i = 0; i < data->size(); ++i) {
    EXPECT_EQ(data->arch(i).zero_output(), data->zero_output(i)) << data->arch(i).str();
    zeros += data->zero_output(i);
  }
  EXPECT_EQ(zeros, 341);
}

TEST(Arch, CanonicalFormNeverMergesDistinctTableClasses) {
  // Cells with the same canonical form must be in the same (flattened) isomorphism class.
  auto data = test::data();
  std::map<std::string, int> flat_of;
  for (int i = 0; i < data->size(); ++i) {
    auto [it, fresh] = flat_of.emplace(data->arch(i).canonical_form(), data->iso_id_flat(i));
    if (!fresh) {
      EXPECT_EQ(it->second, data->iso_id_flat(i)) << data->arch(i).str();
    }
  }
  EXPECT_GE(flat_of.size(), 4930u);
}

TEST(Arch, ParseErrorsNameThePosition) {
  try {
    Arch::parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|bogus~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|");
    FAIL();
  } catch (const ArchParseError& e) {
    EXPECT_EQ(e.position(), 33u);
    EXPECT_NE(std::string(e.what()).find("bogus"), std::string::npos);
  }
  EXPECT_THROW(Arch::parse(""), ArchParseError);
  EXPECT_THROW(Arch::parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~3|"), ArchParseError);
  EXPECT_THROW(Arch::parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|x"), ArchParseError);
  EXPECT_THROW(Arch::parse("|none~0|+|none~0|none~1|+|none~0|none~1|"), ArchParseError);
}

TEST(Arch, NeighboursDifferOnExactlyOneEdge) {
  Rng rng(7);
  for (int t = 0; t < 50; ++t) {
    Arch a = Arch::sample(rng);
    auto ns = a.neighbours();
    ASSERT_EQ(ns.size(), 24u);
    std::set<Arch> unique(ns.begin(), ns.end());
    EXPECT_EQ(unique.size(), 24u);
    for (const auto& n : ns) {
      int diff = 0;
      for (int e = 0; e < kNumEdges; ++e) diff += n.ops[e] != a.ops[e];
      EXPECT_EQ(diff, 1);
    }
  }
}

TEST(Arch, SamplingIsUniformAndSeeded) {
  Rng a(42), b(42);
  std::vector<int> counts(kNumOps, 0);
  for (int i = 0; i < 20000; ++i) {
    Arch x = Arch::sample(a);
    EXPECT_EQ(x, Arch::sample(b));
    counts[static_cast<int>(x.ops[0])]++;
  }
  for (int c : counts) EXPECT_NEAR(c, 4000, 250);  // ~4 sigma
}

}  // namespace pelnas
