#pragma once
// PRIVATE to the LibTorch back end: include only from *_torch.cpp files (it pulls in torch).
// HW-NAS-Bench's FBNet network (hw_nas_bench_api/fbnet_models/model_infer.py, FBNet_Infer) in the
// LibTorch C++ frontend, built from the layer list of space/fbnet_layout.h:
//   ConvNorm  = conv (no bias) + BN + ReLU (stem 3x3 padding 1; header 1x1)
//   ConvBlock = 1x1 conv (groups g) + BN + ReLU, channel shuffle if g > 1, kxk depthwise conv
//               (stride s, padding ceil((k - s) / 2)) + BN + ReLU, 1x1 conv (groups g) + BN,
//               + input when Cin == Cout and s == 1
//   Skip      = identity, or 1x1 conv (stride s) + BN + ReLU where channels or stride change
//   then global average pooling and a linear classifier. Weights are initialised as FBNet_Infer
//   does (Kaiming-normal fan-out convs, BN 1/0, linear N(0, 0.001^2) with zero bias).
// The forward pass records what the zero-cost proxies need through the NB201 network's Trace.
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "predictor/nb201_torch.h"
#include "space/fbnet_layout.h"
#include "space/search_space.h"

namespace pelnas::torch_backend {

// What every search space's network offers the proxies (the NB201 network has the same members;
// it moves under this interface in the space-generic refactor).
struct SpaceNetworkOutput {
  torch::Tensor features;  // last feature map before global pooling (Zen-NAS)
  torch::Tensor logits;
};

class SpaceNetwork : public torch::nn::Module {
 public:
  virtual SpaceNetworkOutput forward(const torch::Tensor& x, Trace* trace = nullptr) = 0;
  // Conv and linear weights in a fixed order (the layers every proxy sums over).
  std::vector<torch::Tensor> prunable_weights();
  std::vector<torch::nn::BatchNorm2d> batchnorms();
  std::int64_t parameter_count();
};

using SpaceNetworkBuilder = std::function<std::shared_ptr<SpaceNetwork>(const SearchSpace&, const Encoding&)>;
void register_space_network(const std::string& space, SpaceNetworkBuilder builder);
// Throws pelnas::Error naming the space when no builder is registered.
std::shared_ptr<SpaceNetwork> build_space_network(const SearchSpace& space, const Encoding& e);

class FbnetNetwork final : public SpaceNetwork {
 public:
  FbnetNetwork(const FbnetArch& arch, FbnetDataset dataset);
  SpaceNetworkOutput forward(const torch::Tensor& x, Trace* trace = nullptr) override;

  const std::vector<FbnetLayer>& layout() const { return layout_; }

 private:
  struct ConvBn {
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
  };
  torch::Tensor conv_bn(ConvBn& m, const torch::Tensor& x, bool relu, Trace* trace);

  FbnetArch arch_;
  FbnetDataset dataset_;
  std::vector<FbnetLayer> layout_;
  std::vector<std::vector<ConvBn>> convs_;  // per layout layer: 0 (identity, pool, FC), 1 or 3 conv+BN
  torch::nn::Linear classifier_{nullptr};
};

}  // namespace pelnas::torch_backend
