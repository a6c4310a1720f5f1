// Every registered search space, on every dataset it has, passes these checks (issue 11): canonical
// strings round-trip, sampling is legal and seeded, the operators stay legal and change what they
// say, the hash is stable, neighbours are valid, features lie in their declared ranges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "common/rng.h"
#include "space/search_space.h"
#include "test_support.h"

namespace pelnas {
namespace {

struct SpaceCase {
  std::string space, dataset;
};

std::vector<SpaceCase> all_cases() {
  std::vector<SpaceCase> out;
  auto& reg = SearchSpaceRegistry::instance();
  for (const auto& name : reg.names())
    for (const auto& d : reg.entry(name).datasets) out.push_back({name, d});
  return out;
}

int differing_positions(const Encoding& a, const Encoding& b) {
  int n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) n += a[i] != b[i];
  return n;
}

class SpaceConformance : public ::testing::TestWithParam<SpaceCase> {
 protected:
  void SetUp() override { space = make_search_space(GetParam().space, GetParam().dataset); }
  std::vector<Encoding> samples(int n, std::uint64_t seed) const {
    Rng rng(seed);
    std::vector<Encoding> out;
    for (int i = 0; i < n; ++i) out.push_back(space->sample(rng));
    return out;
  }
  std::unique_ptr<SearchSpace> space;
};

TEST_P(SpaceConformance, DescribesItself) {
  EXPECT_EQ(space->name(), GetParam().space);
  EXPECT_EQ(space->dataset(), GetParam().dataset);
  ASSERT_GT(space->length(), 0);
  std::set<std::string> names;
  for (const auto& p : space->positions()) {
    EXPECT_TRUE(names.insert(p.name).second) << "duplicate position name " << p.name;
    EXPECT_GE(p.choices.size(), 2u) << p.name;
    std::set<std::string> choices(p.choices.begin(), p.choices.end());
    EXPECT_EQ(choices.size(), p.choices.size()) << "duplicate choice in " << p.name;
  }
  double log10 = 0;
  for (const auto& p : space->positions()) log10 += std::log10(static_cast<double>(p.choices.size()));
  EXPECT_NEAR(space->log10_size(), log10, 1e-9);
  if (auto n = space->cardinality()) {
    EXPECT_NEAR(std::log10(static_cast<double>(*n)), log10, 1e-9);
  } else {
    EXPECT_GT(log10, std::log10(9007199254740992.0) - 1e-9);
  }
  EXPECT_FALSE(space->prompt_description().empty());
  const Encoding ex = space->parse(space->prompt_example());
  EXPECT_TRUE(space->legal(ex));
  EXPECT_EQ(space->print(ex), space->prompt_example());
}

TEST_P(SpaceConformance, CanonicalStringsRoundTrip) {
  for (const auto& e : samples(300, 11)) {
    const std::string s = space->print(e);
    EXPECT_EQ(space->parse(s), e) << s;
    EXPECT_EQ(space->print(space->parse(s)), s);
  }
}

TEST_P(SpaceConformance, BadStringsNameAPosition) {
  const std::string good = space->prompt_example();
  for (const std::string& bad : {std::string(""), good.substr(0, good.size() / 2), good + good, std::string("nonsense")}) {
    try {
      space->parse(bad);
      ADD_FAILURE() << "parsed '" << bad << "'";
    } catch (const SpaceParseError& e) {
      EXPECT_LT(e.position(), space->length()) << e.what();
      EXPECT_NE(std::string(e.what()).find(bad.empty() ? "" : bad.substr(0, 5)), std::string::npos) << e.what();
    }
  }
}

TEST_P(SpaceConformance, SamplingIsLegalSeededAndCoversEveryChoice) {
  const auto a = samples(2000, 42), b = samples(2000, 42), c = samples(2000, 43);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::vector<std::map<int, int>> counts(static_cast<std::size_t>(space->length()));
  for (const auto& e : a) {
    ASSERT_TRUE(space->legal(e)) << space->print(e);
    for (std::size_t p = 0; p < e.size(); ++p) ++counts[p][e[p]];
  }
  // Product spaces: each choice of each position about 2000/choices times (loose 4-sigma band).
  for (std::size_t p = 0; p < counts.size(); ++p) {
    const double k = static_cast<double>(space->positions()[p].choices.size());
    const double expect = 2000.0 / k, sd = std::sqrt(2000.0 * (1 / k) * (1 - 1 / k));
    for (int ch = 0; ch < static_cast<int>(k); ++ch)
      EXPECT_NEAR(counts[p][ch], expect, 4.5 * sd) << "position " << p << " choice " << ch;
  }
}

TEST_P(SpaceConformance, IllegalEncodingsAreNamed) {
  Encoding e = samples(1, 5)[0];
  Encoding shorter(e.begin(), e.end() - 1);
  EXPECT_TRUE(space->illegal_reason(shorter).has_value());
  Encoding out_of_range = e;
  out_of_range.back() = static_cast<int>(space->positions().back().choices.size());
  auto why = space->illegal_reason(out_of_range);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find(space->positions().back().name), std::string::npos) << *why;
  EXPECT_NE(test::error_of([&] { space->print(out_of_range); }), "");
  EXPECT_NE(test::error_of([&] { space->neighbours(shorter); }), "");
}

TEST_P(SpaceConformance, MutationAndCrossoverStayLegal) {
  Rng rng(7);
  const auto parents = samples(200, 8);
  for (std::size_t i = 0; i + 1 < parents.size(); ++i) {
    const Encoding& a = parents[i];
    const Encoding& b = parents[i + 1];
    for (int changes : {1, 2, 3}) {
      const Encoding m = space->mutate(a, rng, changes);
      ASSERT_TRUE(space->legal(m));
      EXPECT_EQ(differing_positions(a, m), std::min(changes, space->length()));
    }
    const Encoding c = space->crossover(a, b, rng);
    ASSERT_TRUE(space->legal(c));
    for (std::size_t p = 0; p < c.size(); ++p) EXPECT_TRUE(c[p] == a[p] || c[p] == b[p]);
  }
  // Seeded: the same generator state gives the same children.
  Rng r1(99), r2(99);
  EXPECT_EQ(space->mutate(parents[0], r1, 2), space->mutate(parents[0], r2, 2));
  EXPECT_EQ(space->crossover(parents[0], parents[1], r1), space->crossover(parents[0], parents[1], r2));
}

TEST_P(SpaceConformance, HashIsStableAndSeparates) {
  const auto xs = samples(1000, 3);
  std::map<std::uint64_t, Encoding> seen;
  for (const auto& e : xs) {
    const auto h = space->hash(e);
    EXPECT_EQ(h, space->hash(space->parse(space->print(e))));
    EXPECT_EQ(h, make_search_space(GetParam().space, GetParam().dataset)->hash(Encoding(e)));
    auto [it, inserted] = seen.emplace(h, e);
    if (!inserted) {
      EXPECT_EQ(it->second, e) << "hash collision";
    }
  }
}

TEST_P(SpaceConformance, NeighboursDifferInOnePosition) {
  for (const auto& e : samples(20, 4)) {
    const auto ns = space->neighbours(e);
    std::set<Encoding> unique(ns.begin(), ns.end());
    EXPECT_EQ(unique.size(), ns.size());
    std::size_t product = 0;
    for (const auto& p : space->positions()) product += p.choices.size() - 1;
    EXPECT_LE(ns.size(), product);
    for (const auto& n : ns) {
      EXPECT_TRUE(space->legal(n));
      EXPECT_EQ(differing_positions(e, n), 1);
    }
  }
}

TEST_P(SpaceConformance, FeaturesLieInTheirRanges) {
  const auto& fs = space->features();
  ASSERT_FALSE(fs.empty());
  std::set<std::string> names;
  for (const auto& f : fs) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_LE(f.min, f.max) << f.name;
  }
  std::vector<double> lo(fs.size(), INFINITY), hi(fs.size(), -INFINITY);
  for (const auto& e : samples(500, 6)) {
    const auto v = space->feature_values(e);
    ASSERT_EQ(v.size(), fs.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      EXPECT_TRUE(std::isfinite(v[i])) << fs[i].name;
      EXPECT_GE(v[i], fs[i].min - 1e-9 * std::abs(fs[i].min)) << fs[i].name;
      EXPECT_LE(v[i], fs[i].max + 1e-9 * std::abs(fs[i].max)) << fs[i].name;
      lo[i] = std::min(lo[i], v[i]);
      hi[i] = std::max(hi[i], v[i]);
    }
    EXPECT_EQ(space->feature_value(e, fs.front().name), v.front());
  }
  // A feature that never varies over 500 samples cannot separate niches.
  for (std::size_t i = 0; i < fs.size(); ++i) EXPECT_LT(lo[i], hi[i]) << fs[i].name;
  EXPECT_NE(test::error_of([&] { space->feature_value(samples(1, 1)[0], "no_such_feature"); }).find(fs.front().name),
            std::string::npos);
}

std::string case_name(const ::testing::TestParamInfo<SpaceCase>& info) {
  std::string s = info.param.space + "_" + info.param.dataset;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(AllSpaces, SpaceConformance, ::testing::ValuesIn(all_cases()), case_name);

TEST(SearchSpaceRegistry, ListsSpacesAndDatasetsOnBadNames) {
  const std::string unknown = test::error_of([] { make_search_space("vit"); });
  EXPECT_NE(unknown.find("unknown search space 'vit'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("nb201"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("fbnet"), std::string::npos) << unknown;
  const std::string fb = test::error_of([] { make_search_space("fbnet", "cifar10"); });
  EXPECT_NE(fb.find("cifar100, ImageNet"), std::string::npos) << fb;
  const std::string nb = test::error_of([] { make_search_space("nb201", "ImageNet"); });
  EXPECT_NE(nb.find("cifar10, cifar100, ImageNet16-120"), std::string::npos) << nb;
  EXPECT_EQ(make_search_space("nb201")->dataset(), "cifar10");
  EXPECT_EQ(make_search_space("fbnet")->dataset(), "cifar100");
  EXPECT_NE(test::error_of([] {
              SearchSpaceRegistry r;
              register_builtin_spaces(r);
              register_builtin_spaces(r);
            }).find("registered twice"),
            std::string::npos);
}

}  // namespace
}  // namespace pelnas
