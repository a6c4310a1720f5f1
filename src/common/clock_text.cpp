#include "common/clock_text.h"

#include <chrono>
#include <ctime>

namespace pelnas {

namespace {

std::string format_now(bool utc, const char* format) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  if (utc) gmtime_r(&t, &tm);
  else localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

std::string utc_iso_now() { return format_now(true, "%Y-%m-%dT%H:%M:%SZ"); }
std::string local_stamp_now() { return format_now(false, "%Y%m%d-%H%M%S"); }

}  // namespace pelnas
