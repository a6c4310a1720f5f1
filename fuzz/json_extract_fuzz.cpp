// JSON extraction from chat replies: never deeper than kMaxJsonDepth, always an object or array,
// and copying / dumping the result (recursive in nlohmann::json) is safe.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "llm/json_extract.h"

namespace {
std::size_t depth_of(const nlohmann::json& j) {
  if (!j.is_structured()) return 0;
  std::size_t d = 0;
  for (const auto& c : j) d = std::max(d, depth_of(c));
  return d + 1;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto j = pelnas::llm::extract_json(text);
  if (!j) return 0;
  if (!j->is_structured()) std::abort();
  if (depth_of(*j) > static_cast<std::size_t>(pelnas::llm::kMaxJsonDepth)) std::abort();
  const nlohmann::json copy = *j;
  (void)copy.dump();
  return 0;
}
