// The strict CSV reader of the benchmark tables: parses or fails with pelnas::Error; every row has
// the header's width and typed access fails cleanly.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/csv.h"
#include "common/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto t = pelnas::CsvTable::parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv");
    for (std::size_t r = 0; r < t.rows(); ++r)
      for (std::size_t c = 0; c < t.header().size(); ++c) {
        (void)t.cell(r, c);
        try {
          (void)t.number_or_nan(r, c);
          (void)t.integer(r, c);
        } catch (const pelnas::Error&) {
        }
      }
  } catch (const pelnas::Error&) {
  }
  return 0;
}
