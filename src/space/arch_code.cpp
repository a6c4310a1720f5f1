#include "space/arch_code.h"

#include <fmt/format.h>

namespace pelnas {

ArchCode ArchCode::from_encoding(const Encoding& e) {
  if (e.size() > static_cast<std::size_t>(kMaxPositions))
    throw Error(fmt::format("architecture code: {} positions, at most {} are supported", e.size(), kMaxPositions));
  ArchCode c;
  c.length = static_cast<std::uint8_t>(e.size());
  for (std::size_t p = 0; p < e.size(); ++p) {
    if (e[p] < 0 || e[p] >= kMaxChoices)
      throw Error(fmt::format("architecture code: position {} has choice {}, expected 0..{}", p, e[p], kMaxChoices - 1));
    c.choices[p] = static_cast<std::uint8_t>(e[p]);
  }
  return c;
}

Encoding ArchCode::encoding() const {
  Encoding e(length);
  for (int p = 0; p < length; ++p) e[static_cast<std::size_t>(p)] = choices[static_cast<std::size_t>(p)];
  return e;
}

Arch ArchCode::nb201() const {
  if (length != kNumEdges)
    throw Error(fmt::format("architecture code of {} positions is not an NB201 cell (6 edges)", static_cast<int>(length)));
  Arch a;
  for (int k = 0; k < kNumEdges; ++k) {
    const int v = choices[static_cast<std::size_t>(k)];
    if (v >= kNumOps) throw Error(fmt::format("architecture code: edge {} has op code {}, expected 0..{}", k, v, kNumOps - 1));
    a.ops[static_cast<std::size_t>(k)] = static_cast<Op>(v);
  }
  return a;
}

}  // namespace pelnas
