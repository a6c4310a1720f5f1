#pragma once
// PRIVATE to the LibTorch back end: include only from *_torch.cpp files (it pulls in torch).
// The NAS-Bench-201 TinyNetwork (C=16, N=5) in the LibTorch C++ frontend, following NB201's
// cell_infers/tiny_network.py: stem conv3x3+BN, 3 stages of 5 cells joined by ResNet basic blocks
// with stride 2, BN+ReLU, global average pooling, linear classifier. The forward pass can record
// what the zero-cost proxies need (no module hooks exist in the C++ frontend).
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "data/enums.h"
#include "space/arch.h"

namespace pelnas::torch_backend {

// What a forward pass records. Everything is optional so a plain forward pays nothing.
struct Trace {
  bool skip_batchnorm = false;    // synflow: NASLib's prunable copy with BN forward a no-op
  bool record_layers = false;     // conv/linear outputs (fisher) and per-image MACs (flops)
  bool record_relu_codes = false; // NASWOT kernel over the inputs of every ReLU
  bool fused_bn_double_backward = false;  // train-mode BN with a fused double backward (GRASP); no running-stat update
  struct Layer {
    torch::Tensor output;  // in the autograd graph
    torch::Tensor weight;
  };
  std::vector<Layer> layers;
  std::int64_t macs_per_image = 0;
  // NASWOT K (B x B, row-major): for every ReLU, K_ij += #units where sign patterns agree.
  std::vector<double> relu_kernel;
  int batch = 0;

  void relu_input(const torch::Tensor& x, int multiplicity);
  void layer(const torch::Tensor& output, const torch::Tensor& weight, bool is_conv);
};

// While alive on this thread, a first-order backward (no create_graph) through the GRASP-path
// stride-1 convolutions takes the kernels their double-backward form uses, so weight gradients
// come out bit-identical whether or not GRASP is computed in the same pass (proxy values in a
// cache must not depend on which proxy set computed them). CPU autograd runs on the calling thread.
class GraphKernelsForFirstOrder {
 public:
  GraphKernelsForFirstOrder();
  ~GraphKernelsForFirstOrder();
  GraphKernelsForFirstOrder(const GraphKernelsForFirstOrder&) = delete;
  GraphKernelsForFirstOrder& operator=(const GraphKernelsForFirstOrder&) = delete;
  static bool active();

 private:
  bool previous_;
};

// ReLU -> Conv (no bias) -> BN (affine, running stats). The ReLU is applied by the caller so that
// edges reading the same node share one ReLU (identical values; NASWOT counts it per edge).
struct ReLUConvBNImpl : torch::nn::Module {
  ReLUConvBNImpl(int cin, int cout, int kernel, int stride, int padding);
  torch::Tensor forward_relu_applied(const torch::Tensor& relu_x, Trace* trace);
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(ReLUConvBN);

struct CellImpl : torch::nn::Module {
  CellImpl(const Arch& arch, int channels);
  torch::Tensor forward(const torch::Tensor& x, Trace* trace);
  Arch arch;
  std::vector<ReLUConvBN> convs;  // per edge; empty holder for non-conv edges
};
TORCH_MODULE(Cell);

struct ResBlockImpl : torch::nn::Module {
  ResBlockImpl(int cin, int cout);
  torch::Tensor forward(const torch::Tensor& x, Trace* trace);
  ReLUConvBN conv_a{nullptr}, conv_b{nullptr};
  torch::nn::Conv2d shortcut{nullptr};  // after a 2x2 average pool
};
TORCH_MODULE(ResBlock);

struct Nb201NetworkImpl : torch::nn::Module {
  Nb201NetworkImpl(const Arch& arch, Dataset dataset);
  struct Output {
    torch::Tensor features;  // after the final BN+ReLU, before global pooling (Zen-NAS)
    torch::Tensor logits;
  };
  Output forward(const torch::Tensor& x, Trace* trace = nullptr);

  // Conv and linear weights in a fixed order (the layers every proxy sums over).
  std::vector<torch::Tensor> prunable_weights();
  std::vector<torch::nn::BatchNorm2d> batchnorms();
  std::int64_t parameter_count();

  Arch arch;
  Dataset dataset;
  torch::nn::Conv2d stem_conv{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr}, last_bn{nullptr};
  std::vector<Cell> cells;
  std::vector<ResBlock> blocks;
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(Nb201Network);

}  // namespace pelnas::torch_backend
