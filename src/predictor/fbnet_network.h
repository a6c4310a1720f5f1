#pragma once
// Torch-free entry points of the FBNet network (HW-NAS-Bench's FBNet_Infer). The analytic counts
// live with the macro structure (space/fbnet_layout.h: fbnet_param_count, fbnet_flop_count); the
// functions below run the LibTorch module and exist only in the torch back end (call them under
// #ifdef PELNAS_HAVE_TORCH). The module itself: predictor/fbnet_torch.h.
#include <cstdint>
#include <vector>

#include "space/fbnet_layout.h"

namespace pelnas {

struct FbnetTorchCounts {
  std::int64_t params = 0;      // parameters of the built module
  std::int64_t macs = 0;        // multiply-accumulates per image, counted on a traced forward pass
  std::vector<std::int64_t> logits_shape;  // of that forward pass
};
// Builds the network, runs one forward pass on `batch` random images of the dataset's size.
FbnetTorchCounts fbnet_torch_counts(const FbnetArch& arch, FbnetDataset d, int batch = 2);

// Registers the torch network builders of the search spaces that have one (today: fbnet), so
// has_network_builder() (space/search_space.h) reports them. Idempotent.
void register_torch_space_networks();

}  // namespace pelnas
