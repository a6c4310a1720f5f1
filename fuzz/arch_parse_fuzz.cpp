// NB201 architecture strings: parse never fails other than with pelnas::Error, and what parses
// round-trips through str() and the lexicographic code.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/error.h"
#include "space/arch.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const pelnas::Arch a = pelnas::Arch::parse(text);
    if (pelnas::Arch::parse(a.str()) != a) std::abort();
    if (pelnas::Arch::from_lex_code(a.lex_code()) != a) std::abort();
  } catch (const pelnas::Error&) {
  }
  return 0;
}
