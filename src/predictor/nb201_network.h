#pragma once
// The NAS-Bench-201 network (TinyNetwork, C=16, N=5) described without torch: its layout and the
// parameter / FLOP counts of the benchmark tables, computed analytically. The LibTorch module that
// really runs lives in nb201_torch.h (included only by *_torch.cpp); tests check the two agree
// with each other and with the table's params_* / flops_* columns.
#include <cstdint>

#include "data/enums.h"
#include "space/arch.h"

namespace pelnas {

inline constexpr int kNb201StemChannels = 16;
inline constexpr int kNb201CellsPerStage = 5;

// Parameters as the tables count them: conv weights + BN affine (weight, bias) + classifier
// (weight, bias). Every op module exists even when a `none` edge makes its output unused.
std::int64_t nb201_param_count(const Arch& arch, Dataset d);
// Multiply-accumulates as NB201 counts FLOPs, per image, in units (not millions):
// conv k*k*Cin*Cout*Hout*Wout, linear in*out + out; BN, ReLU and pooling are free.
std::int64_t nb201_flop_count(const Arch& arch, Dataset d);

// Builds the LibTorch module and counts its parameters. Defined in the torch back end only
// (call it under #ifdef PELNAS_HAVE_TORCH).
std::int64_t nb201_torch_param_count(const Arch& arch, Dataset d);

}  // namespace pelnas
