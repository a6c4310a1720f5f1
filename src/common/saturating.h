#pragma once
// Counter arithmetic that clamps instead of overflowing (signed overflow is undefined behaviour, and
// counts such as LLM tokens come from outside).
#include <cstdint>
#include <limits>

namespace pelnas {

inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

}  // namespace pelnas
