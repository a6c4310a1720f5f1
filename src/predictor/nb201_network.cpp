#include "predictor/nb201_network.h"

namespace pelnas {

namespace {

// One conv's parameters and FLOPs at output side `side`, with its BN when `bn`.
struct Counts {
  std::int64_t params = 0, flops = 0;
  void conv(std::int64_t k, std::int64_t cin, std::int64_t cout, std::int64_t side, bool bn) {
    params += k * k * cin * cout + (bn ? 2 * cout : 0);
    flops += k * k * cin * cout * side * side;
  }
};

Counts count(const Arch& arch, Dataset d) {
  Counts c;
  std::int64_t side = input_size(d);
  std::int64_t ch = kNb201StemChannels;
  c.conv(3, 3, ch, side, true);  // stem
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) {  // ResNet basic block, stride 2: conv_a (3x3, s2), conv_b (3x3), avgpool + 1x1 shortcut
      const std::int64_t out = ch * 2;
      side /= 2;
      c.conv(3, ch, out, side, true);
      c.conv(3, out, out, side, true);
      c.conv(1, ch, out, side, false);
      ch = out;
    }
    for (int cell = 0; cell < kNb201CellsPerStage; ++cell)
      for (Op op : arch.ops) {
        if (op == Op::Conv1x1) c.conv(1, ch, ch, side, true);
        if (op == Op::Conv3x3) c.conv(3, ch, ch, side, true);
      }
  }
  c.params += 2 * ch;  // lastact BN
  const std::int64_t classes = num_classes(d);
  c.params += ch * classes + classes;
  c.flops += ch * classes + classes;
  return c;
}

}  // namespace

std::int64_t nb201_param_count(const Arch& arch, Dataset d) { return count(arch, d).params; }
std::int64_t nb201_flop_count(const Arch& arch, Dataset d) { return count(arch, d).flops; }

}  // namespace pelnas
