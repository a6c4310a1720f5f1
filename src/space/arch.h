#pragma once
// The NAS-Bench-201 cell: 4 nodes, 6 edges, one of 5 operations per edge.
// Edge order (also the order of ops in the arch string and of columns op0..op5):
//   1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.
#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace pelnas {

class Rng;

enum class Op : std::uint8_t { None = 0, Skip = 1, Conv1x1 = 2, Conv3x3 = 3, AvgPool = 4 };

inline constexpr int kNumEdges = 6;
inline constexpr int kNumOps = 5;
inline constexpr int kNumArchs = 15625;  // 5^6
inline constexpr std::array<Op, kNumOps> kAllOps = {Op::None, Op::Skip, Op::Conv1x1, Op::Conv3x3, Op::AvgPool};
// (to, from) per edge, in string order.
inline constexpr std::array<std::pair<int, int>, kNumEdges> kEdges = {
    {{1, 0}, {2, 0}, {2, 1}, {3, 0}, {3, 1}, {3, 2}}};

// NB201 names: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3.
std::string_view to_string(Op op);
// Throws pelnas::Error listing the valid names.
Op op_from_string(std::string_view name);

// Thrown by Arch::parse; position() is the 0-based character offset of the problem.
class ArchParseError : public Error {
 public:
  ArchParseError(std::string_view input, std::size_t position, const std::string& expected);
  std::size_t position() const { return position_; }

 private:
  std::size_t position_;
};

struct Arch {
  std::array<Op, kNumEdges> ops{};

  // Parses "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|". Errors say what was expected at which character.
  static Arch parse(std::string_view text);
  std::string str() const;

  // Pre-shuffle product code sum op_k * 5^(5-k), a bijection onto [0, 15625). NOT the NB201 index
  // (that one comes from the benchmark table).
  int lex_code() const;
  static Arch from_lex_code(int code);  // throws pelnas::Error outside [0, 15625)

  int count(Op op) const;
  // True if every input->output path passes through a `none` edge (the cell outputs zeros).
  bool zero_output() const;
  // All 24 architectures that differ from this one on exactly one edge, in (edge, op) order.
  std::vector<Arch> neighbours() const;
  static Arch sample(Rng& rng);

  // A canonical string of the computation the cell performs, equal for isomorphic cells: edges
  // that can never reach the output are dropped, and the inputs summed at a node are sorted.
  // Coarser than nothing, finer than the table's iso ids in some corner cases; see arch.cpp.
  std::string canonical_form() const;

  auto operator<=>(const Arch&) const = default;
  bool operator==(const Arch&) const = default;
};

}  // namespace pelnas

template <>
struct std::hash<pelnas::Arch> {
  std::size_t operator()(const pelnas::Arch& a) const noexcept { return static_cast<std::size_t>(a.lex_code()); }
};
