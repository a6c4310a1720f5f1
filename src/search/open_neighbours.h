#pragma once
// How many neighbours of a code pass a test, visited in place. The neighbours are those of
// SearchSpace::neighbours(): the legal codes that differ from it in exactly one position. The
// evolution operator weights every parent by its open (in-niche, unseen) neighbours at every call;
// listing them allocated an Encoding per neighbour, ~2,000 allocations a generation late in a long
// run (a third of the search's allocator time, issue 14). Legality, which needs an Encoding, is
// asked only in a constrained space, and only of the neighbours that pass the test: in the others
// every in-range code is legal.
#include <cstddef>
#include <cstdint>

#include "space/arch_code.h"
#include "space/search_space.h"

namespace pelnas {

template <class Test>
int count_neighbours(const SearchSpace& space, const ArchCode& code, Test&& test) {
  const auto& positions = space.positions();
  const bool constrained = space.constrained();
  int count = 0;
  ArchCode c = code;
  for (int e = 0; e < code.size(); ++e) {
    const auto at = static_cast<std::size_t>(e);
    const std::uint8_t own = code.choices[at];
    const int choices = static_cast<int>(positions[at].choices.size());
    for (int op = 0; op < choices; ++op) {
      if (op == own) continue;
      c.choices[at] = static_cast<std::uint8_t>(op);
      count += test(static_cast<const ArchCode&>(c)) && (!constrained || space.legal(c.encoding()));
    }
    c.choices[at] = own;
  }
  return count;
}

}  // namespace pelnas
