#pragma once
// Proxies that come out non-finite (NaN/inf: e.g. a log of a zero Jacobian determinant) are stored
// as missing. One warning per value buried the progress line under four lines per arch on some
// cells, so the back end counts them here (each value still logged at debug level, -v) and the
// command prints one summary at the end (main(): print_non_finite_proxy_summary).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace pelnas {

struct NonFiniteProxyCount {
  std::int64_t values = 0;  // non-finite proxy values
  std::int64_t archs = 0;   // distinct archs with at least one
  std::map<std::string, std::int64_t> by_proxy;
};

// Thread-safe. `arch` names the network (its string) for the debug log and the arch count.
void note_non_finite_proxy(std::string_view proxy, const std::string& arch, double value);
NonFiniteProxyCount non_finite_proxy_count();
// "3 proxy values came out non-finite and were recorded as missing (2 archs): grasp 2, jacov 1; -v lists each",
// or "" when there were none.
std::string non_finite_proxy_summary();
// Logs the summary as one warning when there is something to say.
void print_non_finite_proxy_summary();
void reset_non_finite_proxy_count();  // for tests

}  // namespace pelnas
