#pragma once
// The predictor's feature rows: the chosen proxies, optional graph features of the cell, and the
// one-hot op encoding (layout: predictor_feature_names in xgboost_predictor.h).
#include <array>
#include <string_view>

#include "space/arch.h"

namespace pelnas {

// Graph features of an NB201 cell, from its 4 input->output paths (0-3, 0-1-3, 0-2-3, 0-1-2-3);
// a path is live when none of its edges is `none`:
//   live_paths        number of live paths (0 = the cell outputs zeros)
//   max_conv_depth    most convolutions (1x1 or 3x3) on one live path
//   min_conv_depth    fewest convolutions on one live path (-1 without a live path)
//   live_conv3x3      3x3 convolutions on at least one live path (others never reach the output)
//   live_conv1x1      the same for 1x1
//   live_pool         the same for avg pooling
//   skip_path         1 if a live path has only skip connections (an identity shortcut)
//   dead_conv         convolutions on no live path (parameters that cannot matter)
inline constexpr std::array<std::string_view, 8> kCellGraphFeatureNames = {
    "live_paths", "max_conv_depth", "min_conv_depth", "live_conv3x3", "live_conv1x1", "live_pool", "skip_path",
    "dead_conv"};
std::array<float, kCellGraphFeatureNames.size()> cell_graph_features(const Arch& arch);

}  // namespace pelnas
