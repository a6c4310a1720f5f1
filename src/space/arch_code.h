#pragma once
// One architecture of any search space as a small value: its choice index per position. The search
// core keys architectures by it (seen sets, archives, niches): FBNet's 9^22 networks do not fit a
// 64-bit index, a canonical string would cost an allocation and a string hash per look-up, and
// Encoding (a vector) an allocation per copy. Fixed capacity, trivially copyable, ordered,
// hashable; the SearchSpace it belongs to gives it meaning (names, legality, printing).
#include <array>
#include <compare>
#include <cstdint>
#include <functional>

#include "space/arch.h"
#include "space/search_space.h"

namespace pelnas {

struct ArchCode {
  static constexpr int kMaxPositions = 32;  // FBNet 22; an AutoFormer-like space 2 + 2 x 14 = 30
  static constexpr int kMaxChoices = 256;   // per position

  std::array<std::uint8_t, kMaxPositions> choices{};  // positions past `length` are 0
  std::uint8_t length = 0;

  // Throws pelnas::Error for more than kMaxPositions positions or a choice outside [0, 256).
  static ArchCode from_encoding(const Encoding& e);
  Encoding encoding() const;
  // The NB201 cell <-> its code (choice = op code per edge, Nb201Space's encoding).
  static ArchCode from_nb201(const Arch& a) {
    ArchCode c;
    c.length = kNumEdges;
    for (int k = 0; k < kNumEdges; ++k) c.choices[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(a.ops[static_cast<std::size_t>(k)]);
    return c;
  }
  // Throws pelnas::Error unless this is a 6-position code with choices < 5.
  Arch nb201() const;

  // Arch::lex_code of the NB201 cell this code denotes without building it (hot look-ups: niches,
  // the seen set), -1 when it is not an NB201 cell.
  int nb201_lex_code() const {
    if (length != kNumEdges) return -1;
    int lex = 0;
    for (int e = 0; e < kNumEdges; ++e) {
      if (choices[static_cast<std::size_t>(e)] >= kNumOps) return -1;
      lex = lex * kNumOps + choices[static_cast<std::size_t>(e)];
    }
    return lex;
  }

  int size() const { return length; }
  int operator[](int p) const { return choices[static_cast<std::size_t>(p)]; }
  // FNV-1a over the length and the used positions: the same on every platform and run.
  std::uint64_t hash() const {
    std::uint64_t h = 14695981039346656037ull;
    auto mix = [&h](std::uint8_t b) { h = (h ^ b) * 1099511628211ull; };
    mix(length);
    for (int p = 0; p < length; ++p) mix(choices[static_cast<std::size_t>(p)]);
    return h;
  }

  auto operator<=>(const ArchCode&) const = default;
  bool operator==(const ArchCode&) const = default;
};

}  // namespace pelnas

template <>
struct std::hash<pelnas::ArchCode> {
  std::size_t operator()(const pelnas::ArchCode& c) const noexcept { return static_cast<std::size_t>(c.hash()); }
};
