// The whitelisting pickle reader: any byte string parses or fails with pelnas::Error, without
// leaking (LeakSanitizer: reference cycles), blowing the stack or allocating beyond the input.
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "data/pickle_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    auto v = pelnas::pickle::parse(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    (void)v->describe();
  } catch (const pelnas::Error&) {
  }
  return 0;
}
