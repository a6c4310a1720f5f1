#include "predictor/non_finite_proxies.h"

#include <fmt/format.h>
#include <mutex>
#include <set>
#include <spdlog/spdlog.h>

namespace pelnas {

namespace {
struct Tally {
  std::mutex mutex;
  NonFiniteProxyCount count;
  std::set<std::string> archs;
};
Tally& tally() {
  static Tally t;
  return t;
}
}  // namespace

void note_non_finite_proxy(std::string_view proxy, const std::string& arch, double value) {
  spdlog::debug("proxy {} is not finite ({}) for {}; recorded as missing", proxy, value, arch);
  Tally& t = tally();
  std::lock_guard lock(t.mutex);
  ++t.count.values;
  ++t.count.by_proxy[std::string(proxy)];
  if (t.archs.insert(arch).second) ++t.count.archs;
}

NonFiniteProxyCount non_finite_proxy_count() {
  Tally& t = tally();
  std::lock_guard lock(t.mutex);
  return t.count;
}

std::string non_finite_proxy_summary() {
  const NonFiniteProxyCount c = non_finite_proxy_count();
  if (c.values == 0) return "";
  std::string per;
  for (const auto& [name, n] : c.by_proxy) per += fmt::format("{}{} {}", per.empty() ? "" : ", ", name, n);
  return fmt::format("{} proxy value{} came out non-finite and {} recorded as missing ({} arch{}): {}; -v lists each",
                     c.values, c.values == 1 ? "" : "s", c.values == 1 ? "was" : "were", c.archs,
                     c.archs == 1 ? "" : "s", per);
}

void print_non_finite_proxy_summary() {
  if (const std::string s = non_finite_proxy_summary(); !s.empty()) spdlog::warn("{}", s);
}

void reset_non_finite_proxy_count() {
  Tally& t = tally();
  std::lock_guard lock(t.mutex);
  t.count = {};
  t.archs.clear();
}

}  // namespace pelnas
