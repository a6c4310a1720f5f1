#pragma once
// The FBNet space of HW-NAS-Bench: 22 searchable layers, each one of 9 blocks (9^22 ~ 1e21
// networks). Block ids and names follow HW-NAS-Bench (hw_nas_bench_api/fbnet_models PRIMITIVES):
//   id  name      expansion kernel group          id  name      expansion kernel group
//   0   k3_e1     1         3      1               4   k5_e1     1         5      1
//   1   k3_e1_g2  1         3      2               5   k5_e1_g2  1         5      2
//   2   k3_e3     3         3      1               6   k5_e3     3         5      1
//   3   k3_e6     6         3      1               7   k5_e6     6         5      1
//   8   skip (identity, or 1x1 conv + BN + ReLU where channels or stride change)
//
// Canonical string: the 22 block names in layer order joined by '-', e.g.
//   k3_e1-k3_e1-...-skip
// parse() also accepts HW-NAS-Bench's op-id list, "[0, 3, 8, ...]" (22 integers in 0..8).
#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace pelnas {

inline constexpr int kFbnetLayers = 22;
inline constexpr int kFbnetNumBlocks = 9;
inline constexpr int kFbnetSkip = 8;

struct FbnetBlock {
  std::string_view name;
  int expansion = 0;  // 0 for skip
  int kernel = 0;
  int group = 0;
  bool is_skip() const { return expansion == 0; }
};

inline constexpr std::array<FbnetBlock, kFbnetNumBlocks> kFbnetBlocks = {{{"k3_e1", 1, 3, 1},
                                                                         {"k3_e1_g2", 1, 3, 2},
                                                                         {"k3_e3", 3, 3, 1},
                                                                         {"k3_e6", 6, 3, 1},
                                                                         {"k5_e1", 1, 5, 1},
                                                                         {"k5_e1_g2", 1, 5, 2},
                                                                         {"k5_e3", 3, 5, 1},
                                                                         {"k5_e6", 6, 5, 1},
                                                                         {"skip", 0, 0, 0}}};

// The two macro structures of HW-NAS-Bench's FBNet space (shared/data/README.md section 7).
enum class FbnetDataset { Cifar100, ImageNet };
std::string_view to_string(FbnetDataset d);  // "cifar100", "ImageNet" (HW-NAS-Bench's names)
FbnetDataset fbnet_dataset_from_string(std::string_view s);  // case-insensitive; lists the valid names

struct FbnetArch {
  std::array<std::uint8_t, kFbnetLayers> ops{};  // block id per layer

  // Throws SpaceParseError (space/search_space.h) naming the position at fault.
  static FbnetArch parse(std::string_view text);
  std::string str() const;
  const FbnetBlock& block(int layer) const { return kFbnetBlocks.at(ops.at(static_cast<std::size_t>(layer))); }

  auto operator<=>(const FbnetArch&) const = default;
  bool operator==(const FbnetArch&) const = default;
};

}  // namespace pelnas
