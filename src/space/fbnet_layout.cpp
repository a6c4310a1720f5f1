#include "space/fbnet_layout.h"

#include <fmt/format.h>

namespace pelnas {

const FbnetMacro& fbnet_macro(FbnetDataset d) {
  // HW-NAS-Bench FBNet_Infer: CIFAR uses stride 1 in the stem and in stage 1 (unofficial CIFAR
  // setting), ImageNet the official FBNetV1 strides.
  static const FbnetMacro cifar100{32, 1, {1, 1, 2, 2, 1, 2, 1}, 1504, 100};
  static const FbnetMacro imagenet{224, 2, {1, 2, 2, 2, 1, 2, 1}, 1984, 1000};
  return d == FbnetDataset::Cifar100 ? cifar100 : imagenet;
}

std::string FbnetLayer::lut_key() const {
  switch (kind) {
    case FbnetLayerKind::ConvNorm:
      return fmt::format("ConvNorm_H{0}_W{0}_Cin{1}_Cout{2}_kernel{3}_stride{4}_group{5}", h, cin, cout, kernel, stride,
                         group);
    case FbnetLayerKind::ConvBlock:
      return fmt::format("ConvBlock_H{0}_W{0}_Cin{1}_Cout{2}_exp{3}_kernel{4}_stride{5}_group{6}", h, cin, cout,
                         expansion, kernel, stride, group);
    case FbnetLayerKind::Skip:
      return fmt::format("Skip_H{0}_W{0}_Cin{1}_Cout{2}_stride{3}", h, cin, cout, stride);
    case FbnetLayerKind::AvgPool:
      return fmt::format("AvgP_H{0}_W{0}_Cin{1}_Cout{2}_kernel{3}_stride{4}", h, cin, cout, kernel, stride);
    case FbnetLayerKind::Linear:
      return fmt::format("FC_Cin{}_Cout{}", cin, cout);
  }
  return {};
}

std::int64_t FbnetLayer::params() const {
  const std::int64_t ci = cin, co = cout, k = kernel, e = expansion, g = group;
  switch (kind) {
    case FbnetLayerKind::ConvNorm:
      return k * k * (ci / g) * co + 2 * co;
    case FbnetLayerKind::ConvBlock: {
      const std::int64_t mid = ci * e;
      return (ci / g) * mid + 2 * mid      // 1x1 (grouped) expansion + BN
             + k * k * mid + 2 * mid       // kxk depthwise + BN
             + (mid / g) * co + 2 * co;    // 1x1 (grouped) projection + BN
    }
    case FbnetLayerKind::Skip:
      return skip_has_conv() ? ci * co + 2 * co : 0;
    case FbnetLayerKind::AvgPool:
      return 0;
    case FbnetLayerKind::Linear:
      return ci * co + co;
  }
  return 0;
}

std::int64_t FbnetLayer::macs() const {
  const std::int64_t ci = cin, co = cout, k = kernel, e = expansion, g = group;
  const std::int64_t hi2 = static_cast<std::int64_t>(h) * h, ho2 = static_cast<std::int64_t>(h_out()) * h_out();
  switch (kind) {
    case FbnetLayerKind::ConvNorm:
      return k * k * (ci / g) * co * ho2;
    case FbnetLayerKind::ConvBlock: {
      const std::int64_t mid = ci * e;
      return (ci / g) * mid * hi2 + k * k * mid * ho2 + (mid / g) * co * ho2;
    }
    case FbnetLayerKind::Skip:
      return skip_has_conv() ? ci * co * ho2 : 0;
    case FbnetLayerKind::AvgPool:
      return 0;
    case FbnetLayerKind::Linear:
      return ci * co + co;
  }
  return 0;
}

std::vector<FbnetLayer> fbnet_layers(const FbnetArch& arch, FbnetDataset d) {
  const FbnetMacro& m = fbnet_macro(d);
  std::vector<FbnetLayer> layers;
  layers.reserve(kFbnetLayers + 4);
  FbnetLayer stem;
  stem.kind = FbnetLayerKind::ConvNorm;
  stem.h = m.input_size;
  stem.cin = 3;
  stem.cout = kFbnetStemChannels;
  stem.kernel = 3;
  stem.stride = m.stem_stride;
  layers.push_back(stem);
  int h = stem.h_out();
  int c = kFbnetStemChannels;
  int position = 0;
  for (std::size_t stage = 0; stage < kFbnetStageLayers.size(); ++stage) {
    for (int i = 0; i < kFbnetStageLayers[stage]; ++i, ++position) {
      const FbnetBlock& b = arch.block(position);
      FbnetLayer l;
      l.kind = b.is_skip() ? FbnetLayerKind::Skip : FbnetLayerKind::ConvBlock;
      l.position = position;
      l.h = h;
      l.cin = c;
      l.cout = kFbnetStageChannels[stage];
      l.stride = i == 0 ? m.stage_strides[stage] : 1;
      if (!b.is_skip()) {
        l.expansion = b.expansion;
        l.kernel = b.kernel;
        l.group = b.group;
      }
      layers.push_back(l);
      h = l.h_out();
      c = l.cout;
    }
  }
  FbnetLayer header;
  header.kind = FbnetLayerKind::ConvNorm;
  header.h = h;
  header.cin = c;
  header.cout = m.header_channels;
  layers.push_back(header);
  FbnetLayer pool;
  pool.kind = FbnetLayerKind::AvgPool;
  pool.h = h;
  pool.cin = pool.cout = m.header_channels;
  pool.kernel = h;  // the LUT key's kernel; the network uses a global (adaptive) average pool
  layers.push_back(pool);
  FbnetLayer fc;
  fc.kind = FbnetLayerKind::Linear;
  fc.h = 1;
  fc.cin = m.header_channels;
  fc.cout = m.classes;
  layers.push_back(fc);
  return layers;
}

std::int64_t fbnet_param_count(const FbnetArch& arch, FbnetDataset d) {
  std::int64_t n = 0;
  for (const auto& l : fbnet_layers(arch, d)) n += l.params();
  return n;
}

std::int64_t fbnet_flop_count(const FbnetArch& arch, FbnetDataset d) {
  std::int64_t n = 0;
  for (const auto& l : fbnet_layers(arch, d)) n += l.macs();
  return n;
}

}  // namespace pelnas
