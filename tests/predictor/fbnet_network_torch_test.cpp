// The LibTorch FBNet network against the analytic counts of space/fbnet_layout.h (derived per
// block by hand in tests/space/fbnet_space_test.cpp) and the shapes HW-NAS-Bench's FBNet_Infer gives.
#include <gtest/gtest.h>

#include "common/rng.h"
#include "predictor/fbnet_network.h"
#include "predictor/fbnet_torch.h"
#include "predictor/proxy_computer.h"
#include "space/fbnet_space.h"
#include "test_support.h"

namespace pelnas {
namespace {

FbnetArch random_arch(Rng& rng) {
  FbnetArch a;
  for (auto& op : a.ops) op = static_cast<std::uint8_t>(rng.uniform_int(0, kFbnetNumBlocks - 1));
  return a;
}

TEST(FbnetNetworkTorch, ParamsAndMacsMatchTheAnalyticCounts) {
  torch::manual_seed(0);
  Rng rng(5);
  std::vector<FbnetArch> archs;
  for (int b = 0; b < kFbnetNumBlocks; ++b) {
    FbnetArch a;
    a.ops.fill(static_cast<std::uint8_t>(b));  // every block at every position
    archs.push_back(a);
  }
  for (int i = 0; i < 6; ++i) archs.push_back(random_arch(rng));
  for (const auto& a : archs) {
    const auto c = fbnet_torch_counts(a, FbnetDataset::Cifar100, 2);
    EXPECT_EQ(c.params, fbnet_param_count(a, FbnetDataset::Cifar100)) << a.str();
    EXPECT_EQ(c.macs, fbnet_flop_count(a, FbnetDataset::Cifar100)) << a.str();
    EXPECT_EQ(c.logits_shape, (std::vector<std::int64_t>{2, 100})) << a.str();
  }
  // The smallest network by hand: 780,660 parameters (FbnetLayout.AllSkipParamsCountedByHand).
  FbnetArch skip;
  skip.ops.fill(kFbnetSkip);
  EXPECT_EQ(fbnet_torch_counts(skip, FbnetDataset::Cifar100).params, 780660);
}

TEST(FbnetNetworkTorch, ImageNetShapes) {
  torch::manual_seed(0);
  Rng rng(9);
  const FbnetArch a = random_arch(rng);
  const auto c = fbnet_torch_counts(a, FbnetDataset::ImageNet, 1);
  EXPECT_EQ(c.logits_shape, (std::vector<std::int64_t>{1, 1000}));
  EXPECT_EQ(c.params, fbnet_param_count(a, FbnetDataset::ImageNet));
  EXPECT_EQ(c.macs, fbnet_flop_count(a, FbnetDataset::ImageNet));
}

TEST(FbnetNetworkTorch, BuiltThroughTheSpaceRegistry) {
  register_torch_space_networks();
  EXPECT_TRUE(has_network_builder("fbnet"));
  auto space = make_search_space("fbnet", "cifar100");
  Rng rng(3);
  const Encoding e = space->sample(rng);
  auto net = torch_backend::build_space_network(*space, e);
  net->train();
  torch_backend::Trace trace;
  trace.record_relu_codes = true;
  auto out = net->forward(torch::randn({4, 3, 32, 32}), &trace);
  EXPECT_EQ(out.logits.sizes().vec(), (std::vector<std::int64_t>{4, 100}));
  EXPECT_EQ(out.features.sizes().vec(), (std::vector<std::int64_t>{4, 1504, 4, 4}));
  EXPECT_EQ(trace.batch, 4);
  EXPECT_EQ(net->parameter_count(), fbnet_param_count(FbnetSpace::decode(e), FbnetDataset::Cifar100));
  // Gradients reach every weight (no dead branch in the module graph).
  out.logits.sum().backward();
  for (const auto& w : net->prunable_weights()) {
    ASSERT_TRUE(w.grad().defined());
    EXPECT_GT(w.grad().abs().sum().item<double>(), 0.0);
  }
  auto nb = make_search_space("nb201");
  EXPECT_NE(test::error_of([&] { torch_backend::build_space_network(*nb, Encoding(6, 0)); })
                .find("no LibTorch network builder for the nb201 search space"),
            std::string::npos);
}

TEST(FbnetNetworkTorch, GroupedBlocksHaveGroupedPointwiseConvs) {
  // k3_e1_g2 at position 0: both 1x1 convs in 2 groups, the 3x3 depthwise (HW-NAS-Bench's ConvBlock).
  FbnetArch a;
  a.ops.fill(kFbnetSkip);
  a.ops[0] = 1;
  torch_backend::FbnetNetwork net(a, FbnetDataset::Cifar100);
  const auto& layout = net.layout();
  ASSERT_EQ(layout[1].group, 2);
  EXPECT_TRUE(layout[1].has_residual());
  // The grouped 1x1 conv has 16 / 2 = 8 input channels per output channel.
  auto named = net.named_parameters();
  EXPECT_EQ(named["layer1_expand_conv.weight"].sizes().vec(), (std::vector<std::int64_t>{16, 8, 1, 1}));
  EXPECT_EQ(named["layer1_depthwise_conv.weight"].sizes().vec(), (std::vector<std::int64_t>{16, 1, 3, 3}));
  EXPECT_EQ(named["layer1_project_conv.weight"].sizes().vec(), (std::vector<std::int64_t>{16, 8, 1, 1}));
}

}  // namespace
}  // namespace pelnas

namespace pelnas {
namespace {

TEST(FbnetProxiesTorch, All13OnTheFbnetNetworkSeededAndConsistent) {
  register_torch_proxy_backend();
  ProxyOptions opt;
  opt.dataset = Dataset::Cifar100;
  opt.batch_size = 8;
  opt.seed = 0;
  opt.threads = 2;
  opt.data_dir = test::data_dir();
  opt.allow_noise_fallback = false;  // the shipped CIFAR-100 sample must load
  auto pc = make_space_proxy_computer(opt);
  auto space = make_search_space("fbnet", "cifar100");
  Rng rng(11);
  const Encoding e = space->sample(rng);
  const ProxyValues a = pc->compute(*space, e);
  ASSERT_EQ(a.size(), kProxyNames.size());
  for (auto name : kProxyNames) {
    auto it = a.find(name);
    ASSERT_NE(it, a.end()) << name;
    ASSERT_TRUE(it->second.has_value()) << name << " missing for " << space->print(e);
  }
  // params and flops are the analytic counts of the macro structure.
  const FbnetArch arch = FbnetSpace::decode(e);
  EXPECT_DOUBLE_EQ(*a.at("params"), static_cast<double>(fbnet_param_count(arch, FbnetDataset::Cifar100)) / 1e6);
  EXPECT_DOUBLE_EQ(*a.at("flops"), static_cast<double>(fbnet_flop_count(arch, FbnetDataset::Cifar100)) / 1e6);
  // Same seed, same values (weights from torch::manual_seed(opt.seed), the same minibatch).
  const ProxyValues b = make_space_proxy_computer(opt)->compute(*space, e);
  for (auto name : kProxyNames) EXPECT_DOUBLE_EQ(*a.at(std::string(name)), *b.at(std::string(name))) << name;
  EXPECT_EQ(pc->code_version(*space), "torch-fbnet-v1");
  // A space built for another dataset than the images is refused.
  auto imagenet = make_search_space("fbnet", "ImageNet");
  EXPECT_NE(test::error_of([&] { pc->compute(*imagenet, e); }).find("set up for cifar100 images, but the fbnet space is built for ImageNet"),
            std::string::npos);
}

}  // namespace
}  // namespace pelnas
