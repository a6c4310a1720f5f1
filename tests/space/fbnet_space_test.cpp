#include "space/fbnet_space.h"

#include <gtest/gtest.h>

#include "common/rng.h"
#include "test_support.h"

namespace pelnas {
namespace {

FbnetArch all_of(int block) {
  FbnetArch a;
  a.ops.fill(static_cast<std::uint8_t>(block));
  return a;
}

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : "-") + n;
  return s;
}

TEST(FbnetArch, CanonicalStringIs22BlockNames) {
  FbnetArch a;
  for (int p = 0; p < kFbnetLayers; ++p) a.ops[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(p % kFbnetNumBlocks);
  const std::string s = a.str();
  EXPECT_EQ(s.substr(0, 64), "k3_e1-k3_e1_g2-k3_e3-k3_e6-k5_e1-k5_e1_g2-k5_e3-k5_e6-skip-k3_e1");
  EXPECT_EQ(FbnetArch::parse(s), a);
  // HW-NAS-Bench's op_idx_list form gives the same architecture.
  EXPECT_EQ(FbnetArch::parse("[0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3]"), a);
  EXPECT_EQ(FbnetArch::parse("  " + s + "\n"), a);
}

TEST(FbnetArch, BadStringsNameThePosition) {
  std::vector<std::string> names(kFbnetLayers, "k3_e1");
  names[4] = "k7_e1";
  try {
    FbnetArch::parse(join(names));
    FAIL();
  } catch (const SpaceParseError& e) {
    EXPECT_EQ(e.position(), 4);
    EXPECT_NE(std::string(e.what()).find("position 4 is 'k7_e1', expected a block name (k3_e1, k3_e1_g2"),
              std::string::npos)
        << e.what();
  }
  names[4] = "skip";
  names.pop_back();
  try {
    FbnetArch::parse(join(names));
    FAIL();
  } catch (const SpaceParseError& e) {
    EXPECT_EQ(e.position(), 21);
    EXPECT_NE(std::string(e.what()).find("21 blocks, expected 22"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("positions 21..21 missing"), std::string::npos) << e.what();
  }
  names.push_back("skip");
  names.push_back("skip");
  EXPECT_NE(test::error_of([&] { FbnetArch::parse(join(names)); }).find("23 blocks, expected 22"), std::string::npos);
  EXPECT_NE(test::error_of([] { FbnetArch::parse("[0, 1, 9]"); }).find("3 op ids, expected 22"), std::string::npos);
  std::string ids = "[0";
  for (int p = 1; p < kFbnetLayers; ++p) ids += p == 7 ? ", x" : ", 0";
  ids += "]";
  EXPECT_NE(test::error_of([&] { FbnetArch::parse(ids); }).find("position 7 is 'x', expected an op id 0..8"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { FbnetArch::parse(""); }).find("empty"), std::string::npos);
  // A stray separator is an empty block name at its position.
  names.resize(kFbnetLayers);
  EXPECT_NE(test::error_of([&] { FbnetArch::parse(join(names) + "-"); }).find("23 blocks, expected 22 block names separated by '-' (positions 22.. are extra)"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] { FbnetArch::parse("k3_e1--" + join(names)); }).find("position 1 is ''"),
            std::string::npos);
}

TEST(FbnetLayout, MacroStructureOfTheDataReadme) {
  const auto c = fbnet_layers(all_of(0), FbnetDataset::Cifar100);
  ASSERT_EQ(c.size(), 26u);
  EXPECT_EQ(c.front().lut_key(), "ConvNorm_H32_W32_Cin3_Cout16_kernel3_stride1_group1");
  EXPECT_EQ(c[1].lut_key(), "ConvBlock_H32_W32_Cin16_Cout16_exp1_kernel3_stride1_group1");
  EXPECT_EQ(c[6].lut_key(), "ConvBlock_H32_W32_Cin24_Cout32_exp1_kernel3_stride2_group1");  // stage 2 starts, stride 2
  EXPECT_EQ(c[22].lut_key(), "ConvBlock_H4_W4_Cin184_Cout352_exp1_kernel3_stride1_group1");
  EXPECT_EQ(c[23].lut_key(), "ConvNorm_H4_W4_Cin352_Cout1504_kernel1_stride1_group1");
  EXPECT_EQ(c[24].lut_key(), "AvgP_H4_W4_Cin1504_Cout1504_kernel4_stride1");
  EXPECT_EQ(c[25].lut_key(), "FC_Cin1504_Cout100");
  const auto i = fbnet_layers(all_of(kFbnetSkip), FbnetDataset::ImageNet);
  EXPECT_EQ(i.front().lut_key(), "ConvNorm_H224_W224_Cin3_Cout16_kernel3_stride2_group1");
  EXPECT_EQ(i[2].lut_key(), "Skip_H112_W112_Cin16_Cout24_stride2");
  EXPECT_EQ(i[24].lut_key(), "AvgP_H7_W7_Cin1984_Cout1984_kernel7_stride1");
  EXPECT_EQ(i[25].lut_key(), "FC_Cin1984_Cout1000");
}

TEST(FbnetLayout, AllSkipParamsCountedByHand) {
  // stem 3*16*9 + 2*16; 1x1 conv + BN skips where channels or stride change (positions 1, 5, 9, 13,
  // 17, 21); header 352*1504 + 2*1504; classifier 1504*100 + 100.
  const std::int64_t expect = (432 + 32) + (16 * 24 + 48) + (24 * 32 + 64) + (32 * 64 + 128) + (64 * 112 + 224) +
                              (112 * 184 + 368) + (184 * 352 + 704) + (352 * 1504 + 3008) + (1504 * 100 + 100);
  EXPECT_EQ(fbnet_param_count(all_of(kFbnetSkip), FbnetDataset::Cifar100), expect);
  EXPECT_EQ(expect, 780660);
}

TEST(FbnetLayout, OneBlockCountedByHand) {
  // k5_e1_g2 at position 0 (16 -> 16, 32x32, stride 1): grouped 1x1 16*16/2, BN 32, depthwise
  // 5*5*16, BN 32, grouped 1x1 16*16/2, BN 32. MACs: (128 + 400 + 128) * 32*32.
  FbnetArch a = all_of(kFbnetSkip);
  a.ops[0] = 5;
  const auto l = fbnet_layers(a, FbnetDataset::Cifar100)[1];
  EXPECT_EQ(l.params(), 128 + 32 + 400 + 32 + 128 + 32);
  EXPECT_EQ(l.macs(), (128 + 400 + 128) * 1024);
  EXPECT_TRUE(l.has_residual());
  EXPECT_EQ(fbnet_param_count(a, FbnetDataset::Cifar100) - fbnet_param_count(all_of(kFbnetSkip), FbnetDataset::Cifar100),
            l.params());
}

TEST(FbnetSpace, FeatureBoundsAreAttained) {
  for (FbnetDataset d : {FbnetDataset::Cifar100, FbnetDataset::ImageNet}) {
    FbnetSpace space(d);
    const auto& fs = space.features();
    // Largest network: all k5_e6. Smallest: not all skip, because a skip where a stage changes
    // channels is a full 1x1 conv, dearer than a k3_e1_g2 block (two grouped 1x1 convs). Find the
    // smallest by whole-network counts, one position at a time from all skip (the counts are sums
    // of per-position terms, so this is exact).
    FbnetArch fewest_params = all_of(kFbnetSkip), fewest_macs = all_of(kFbnetSkip);
    for (int p = 0; p < kFbnetLayers; ++p) {
      const auto at = static_cast<std::size_t>(p);
      FbnetArch a = fewest_params, b = fewest_macs;
      for (int blk = 0; blk < kFbnetNumBlocks; ++blk) {
        a.ops[at] = b.ops[at] = static_cast<std::uint8_t>(blk);
        if (fbnet_param_count(a, d) < fbnet_param_count(fewest_params, d)) fewest_params = a;
        if (fbnet_flop_count(b, d) < fbnet_flop_count(fewest_macs, d)) fewest_macs = b;
      }
    }
    EXPECT_NE(fewest_params, all_of(kFbnetSkip));
    EXPECT_EQ(fewest_params.ops[21], 1) << fewest_params.str();  // k3_e1_g2 where 184 -> 352
    const auto big = space.feature_values(FbnetSpace::encode(all_of(7)));
    EXPECT_DOUBLE_EQ(space.feature_values(FbnetSpace::encode(fewest_macs))[7], fs[7].min);
    EXPECT_DOUBLE_EQ(big[7], fs[7].max);
    EXPECT_DOUBLE_EQ(space.feature_values(FbnetSpace::encode(fewest_params))[8], fs[8].min);
    EXPECT_DOUBLE_EQ(big[8], fs[8].max);
    EXPECT_EQ(space.feature_values(FbnetSpace::encode(all_of(kFbnetSkip)))[0], 22);
    EXPECT_EQ(big[1], 22);
    EXPECT_EQ(big[6], 132);
  }
}

TEST(FbnetSpace, HashIsTheDocumentedFnv1a) {
  // FNV-1a 64 over "fbnet\0" and 22 little-endian int32 zeros, computed independently (Python:
  // h=0xcbf29ce484222325; for b in b"fbnet\0"+bytes(88): h=((h^b)*0x100000001b3) % 2**64).
  FbnetSpace space(FbnetDataset::Cifar100);
  EXPECT_EQ(space.hash(FbnetSpace::encode(FbnetArch{})), 0xea6a5cc692d7423cULL);
}

}  // namespace
}  // namespace pelnas
