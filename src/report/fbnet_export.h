#pragma once
// `pelnas export --format pytorch` for the FBNet space: a standalone PyTorch module (needs only
// torch) that builds the same network as predictor/fbnet_torch.h / HW-NAS-Bench's FBNet_Infer,
// with build_model(), count_parameters() and EXPECTED_PARAMETERS (the analytic count of
// space/fbnet_layout.h). Wiring into the export command comes with the space-generic refactor.
#include <string>

#include "space/fbnet_layout.h"

namespace pelnas {

// `provenance` is one comment line (newlines are flattened), e.g. the run and pick.
std::string fbnet_pytorch_module_source(const FbnetArch& arch, FbnetDataset dataset, const std::string& provenance);

}  // namespace pelnas
