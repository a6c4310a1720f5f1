#pragma once
// The macro structure of HW-NAS-Bench's FBNet networks (hw_nas_bench_api/fbnet_models,
// shared/data/README.md section 7) as a list of layers: stem ConvNorm 3->16 (3x3), 22 searchable
// layers in 7 stages, header ConvNorm 352->header (1x1), global average pool, linear classifier.
// One description serves the LUT cost (hardware/fbnet_lut.h: a key per layer), the analytic
// parameter / FLOP counts below and the LibTorch network (predictor/fbnet_torch.h).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "space/fbnet_arch.h"

namespace pelnas {

inline constexpr std::array<int, 7> kFbnetStageLayers = {1, 4, 4, 4, 4, 4, 1};
inline constexpr std::array<int, 7> kFbnetStageChannels = {16, 24, 32, 64, 112, 184, 352};
inline constexpr int kFbnetStemChannels = 16;

struct FbnetMacro {
  int input_size;                   // square input side
  int stem_stride;
  std::array<int, 7> stage_strides; // stride of each stage's first layer
  int header_channels;
  int classes;
};
const FbnetMacro& fbnet_macro(FbnetDataset d);

enum class FbnetLayerKind { ConvNorm, ConvBlock, Skip, AvgPool, Linear };

struct FbnetLayer {
  FbnetLayerKind kind = FbnetLayerKind::ConvNorm;
  int position = -1;  // 0..21 for the searchable layers, -1 for the fixed ones
  int h = 0;          // input side (square)
  int cin = 0, cout = 0;
  int expansion = 0, kernel = 1, stride = 1, group = 1;

  int h_out() const { return h / stride; }  // every side here is even where stride is 2
  // A Skip with a 1x1 conv + BN + ReLU (channels or stride change), else the identity.
  bool skip_has_conv() const { return kind == FbnetLayerKind::Skip && (stride != 1 || cin != cout); }
  // ConvBlock: the residual sum exists when shapes match.
  bool has_residual() const { return kind == FbnetLayerKind::ConvBlock && stride == 1 && cin == cout; }
  // The HW-NAS-Bench lookup-table key, e.g. ConvBlock_H32_W32_Cin16_Cout16_exp1_kernel3_stride1_group1.
  std::string lut_key() const;
  // Parameters: conv weights (no bias) + BN affine (weight, bias) + linear weight and bias.
  std::int64_t params() const;
  // Multiply-accumulates per image, counted as NB201 counts FLOPs: conv k*k*(Cin/groups)*Cout*Hout*Wout,
  // linear in*out + out; BN, ReLU, pooling, residual sums and channel shuffles are free.
  std::int64_t macs() const;
};

// All 26 layers of the network for `arch` on dataset `d`, in forward order.
std::vector<FbnetLayer> fbnet_layers(const FbnetArch& arch, FbnetDataset d);

std::int64_t fbnet_param_count(const FbnetArch& arch, FbnetDataset d);
std::int64_t fbnet_flop_count(const FbnetArch& arch, FbnetDataset d);  // MACs per image

}  // namespace pelnas
