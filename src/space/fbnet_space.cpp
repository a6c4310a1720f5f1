#include "space/fbnet_space.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pelnas {

namespace {

// Per-block contributions to the count features, in features_ order (before flops, params).
std::array<double, 7> block_terms(const FbnetBlock& b) {
  return {b.is_skip() ? 1.0 : 0.0,
          b.kernel == 5 ? 1.0 : 0.0,
          b.expansion == 1 ? 1.0 : 0.0,
          b.expansion == 3 ? 1.0 : 0.0,
          b.expansion == 6 ? 1.0 : 0.0,
          b.group == 2 ? 1.0 : 0.0,
          static_cast<double>(b.expansion)};
}

}  // namespace

FbnetSpace::FbnetSpace(FbnetDataset dataset) : dataset_(dataset) {
  std::vector<std::string> blocks;
  for (const auto& b : kFbnetBlocks) blocks.emplace_back(b.name);
  for (int p = 0; p < kFbnetLayers; ++p) positions_.push_back({fmt::format("layer {}", p), blocks});

  // FLOPs / params bounds: a layer's shape depends only on its position, so the extremes of the
  // sum are the sums of per-position extremes.
  double flops_min = 0, flops_max = 0, params_min = 0, params_max = 0;
  FbnetArch probe;
  const auto fixed = fbnet_layers(probe, dataset);
  for (const auto& l : fixed)
    if (l.position < 0) {
      flops_min += static_cast<double>(l.macs());
      flops_max += static_cast<double>(l.macs());
      params_min += static_cast<double>(l.params());
      params_max += static_cast<double>(l.params());
    }
  for (int p = 0; p < kFbnetLayers; ++p) {
    double fmin = std::numeric_limits<double>::max(), fmax = 0, pmin = std::numeric_limits<double>::max(), pmax = 0;
    for (int b = 0; b < kFbnetNumBlocks; ++b) {
      probe.ops[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(b);
      const FbnetLayer l = fbnet_layers(probe, dataset)[static_cast<std::size_t>(p) + 1];
      fmin = std::min(fmin, static_cast<double>(l.macs()));
      fmax = std::max(fmax, static_cast<double>(l.macs()));
      pmin = std::min(pmin, static_cast<double>(l.params()));
      pmax = std::max(pmax, static_cast<double>(l.params()));
    }
    probe.ops[static_cast<std::size_t>(p)] = 0;
    flops_min += fmin;
    flops_max += fmax;
    params_min += pmin;
    params_max += pmax;
  }
  const double n = kFbnetLayers;
  features_ = {
      {"skip", "number of skip layers (network depth = 22 - skip)", 0, n},
      {"k5", "number of 5x5 blocks", 0, n},
      {"e1", "number of expansion-1 blocks (k3_e1, k3_e1_g2, k5_e1, k5_e1_g2)", 0, n},
      {"e3", "number of expansion-3 blocks", 0, n},
      {"e6", "number of expansion-6 blocks", 0, n},
      {"grouped", "number of group-2 blocks (k3_e1_g2, k5_e1_g2)", 0, n},
      {"expansion_sum", "sum of the expansion ratios over the 22 layers (skip counts 0)", 0, 6 * n},
      {"flops", fmt::format("MFLOPs (multiply-accumulates) per {} image", to_string(dataset)), flops_min / 1e6,
       flops_max / 1e6},
      {"params", "parameters in millions", params_min / 1e6, params_max / 1e6},
  };
}

Encoding FbnetSpace::encode(const FbnetArch& a) { return Encoding(a.ops.begin(), a.ops.end()); }

FbnetArch FbnetSpace::decode(const Encoding& e) {
  if (e.size() != static_cast<std::size_t>(kFbnetLayers))
    throw Error(fmt::format("fbnet encoding: {} positions given, expected {}", e.size(), kFbnetLayers));
  FbnetArch a;
  for (std::size_t p = 0; p < e.size(); ++p) {
    if (e[p] < 0 || e[p] >= kFbnetNumBlocks)
      throw Error(fmt::format("fbnet encoding: position {} has block id {}, expected 0..{}", p, e[p], kFbnetNumBlocks - 1));
    a.ops[p] = static_cast<std::uint8_t>(e[p]);
  }
  return a;
}

Encoding FbnetSpace::parse(std::string_view text) const { return encode(FbnetArch::parse(text)); }

std::string FbnetSpace::print(const Encoding& e) const { return decode(e).str(); }

std::vector<double> FbnetSpace::feature_values(const Encoding& e) const {
  const FbnetArch a = decode(e);
  std::vector<double> v(features_.size(), 0.0);
  for (int p = 0; p < kFbnetLayers; ++p) {
    const auto t = block_terms(a.block(p));
    for (std::size_t i = 0; i < t.size(); ++i) v[i] += t[i];
  }
  std::int64_t macs = 0, params = 0;
  for (const auto& l : fbnet_layers(a, dataset_)) {
    macs += l.macs();
    params += l.params();
  }
  v[7] = static_cast<double>(macs) / 1e6;
  v[8] = static_cast<double>(params) / 1e6;
  return v;
}

std::string FbnetSpace::prompt_description() const {
  const FbnetMacro& m = fbnet_macro(dataset_);
  return fmt::format(
      "An FBNet network (HW-NAS-Bench FBNet space, {0}: {1}x{1} input, {2} classes) is a stem 3x3 conv, then 22\n"
      "searchable layers in 7 stages (1, 4, 4, 4, 4, 4, 1 layers; 16, 24, 32, 64, 112, 184, 352 output channels;\n"
      "stage strides {3}), then a 1x1 conv to {4} channels, global average pooling and a linear classifier.\n"
      "Each layer is one of 9 blocks: an inverted residual kK_eE (1x1 conv expanding the channels E times, KxK\n"
      "depthwise conv, 1x1 projection; _g2 = the 1x1 convs in 2 groups with a channel shuffle) or skip:\n"
      "  k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3, k5_e6, skip\n"
      "skip is the identity, or a 1x1 conv where a stage changes channels or stride (it removes the layer's\n"
      "depth). An architecture is written as the 22 block names in layer order joined by '-'.",
      to_string(dataset_), m.input_size, m.classes, fmt::join(m.stage_strides, ","), m.header_channels);
}

std::string FbnetSpace::prompt_example() const {
  return "k3_e1-k3_e6-k3_e1-skip-k5_e3-k3_e6-k5_e1_g2-skip-k3_e3-k5_e6-k3_e1-skip-k3_e6-k5_e3-k3_e1_g2-k5_e6-"
         "k3_e3-k5_e1-skip-k5_e6-k3_e6-k5_e3";
}

}  // namespace pelnas
