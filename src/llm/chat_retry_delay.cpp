// How long the chat client waits before a retry: seeded backoff jitter, or the server's Retry-After.
#include "llm/chat_client.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace pelnas::llm {

double ChatClient::backoff_delay(const ChatClientOptions& o, int retry, Rng& rng) {
  const double raw = o.backoff_base_seconds * std::pow(2.0, std::max(0, retry - 1));
  // "Equal jitter": half fixed, half random, so concurrent niches do not retry in lock step.
  return std::min(o.backoff_max_seconds, raw) * (0.5 + 0.5 * rng.uniform01());
}

namespace {
// The three HTTP-date forms RFC 9110 (section 5.6.7) requires a recipient to accept, as UTC seconds
// since the epoch: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37
// GMT" and asctime "Sun Nov  6 08:49:37 1994". Month names are matched here, not via the locale.
std::optional<std::int64_t> parse_http_date(const std::string& v) {
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char mon[4] = {}, tail[8] = {};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0, used = 0;
  bool ok = false;
  if (v.find(',') != std::string::npos) {
    const std::string rest = v.substr(v.find(',') + 1);
    if (std::sscanf(rest.c_str(), " %2d %3s %4d %2d:%2d:%2d %3s%n", &day, mon, &year, &hh, &mm, &ss, tail, &used) == 7)
      ok = true;  // IMF-fixdate
    else if (std::sscanf(rest.c_str(), " %2d-%3[A-Za-z]-%2d %2d:%2d:%2d %3s%n", &day, mon, &year, &hh, &mm, &ss, tail,
                         &used) == 7) {
      ok = true;  // RFC 850, two-digit year
      year += year < 70 ? 2000 : 1900;
    }
    ok = ok && std::string(tail) == "GMT" && rest.find_first_not_of(' ', static_cast<std::size_t>(used)) == std::string::npos;
  } else {
    char wday[4] = {};
    ok = std::sscanf(v.c_str(), " %3s %3s %d %2d:%2d:%2d %4d%n", wday, mon, &day, &hh, &mm, &ss, &year, &used) == 7 &&
         v.find_first_not_of(' ', static_cast<std::size_t>(used)) == std::string::npos;  // asctime
  }
  if (!ok) return std::nullopt;
  int month = -1;
  for (int i = 0; i < 12; ++i)
    if (std::string(mon) == kMonths[static_cast<std::size_t>(i)]) month = i;
  if (month < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970 || year > 9999) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  return static_cast<std::int64_t>(timegm(&tm));
}
}  // namespace

std::optional<double> ChatClient::parse_retry_after(const std::string& value, std::chrono::system_clock::time_point now) {
  std::size_t i = 0;
  while (i < value.size() && value[i] == ' ') ++i;
  if (i == value.size()) return std::nullopt;
  char* end = nullptr;
  const double s = std::strtod(value.c_str() + i, &end);
  while (end && *end == ' ') ++end;
  if (end && end != value.c_str() + i && *end == '\0') {
    if (!std::isfinite(s) || s < 0) return std::nullopt;
    return s;  // delta-seconds
  }
  const auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  return std::max(0.0, static_cast<double>(*date) - now_s);  // a date in the past: retry now
}

}  // namespace pelnas::llm
