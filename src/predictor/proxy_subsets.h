#pragma once
// Which zero-cost proxies the predictor uses (and so which ones a search pays for). Named sets
// (`--proxies NAME`) or a comma-separated list of proxy names; the default is the cheapest set
// whose held-out rank quality stays within 0.005 of all 13 (measured in models/README.md).
#include <string>
#include <string_view>
#include <vector>

namespace pelnas {

// The proxies of the default set, in kProxyNames order.
const std::vector<std::string>& default_proxy_set();
inline constexpr std::string_view kDefaultProxySetName = "default";

// Named sets: "all", "default", and the ablations measured for the default's choice.
std::vector<std::string> proxy_set_names();

// "all", a set name, or a comma-separated list of proxy names. Returns the proxies in
// kProxyNames order without repeats. Throws pelnas::Error listing the valid set and proxy names.
std::vector<std::string> resolve_proxy_set(std::string_view spec);

// "a,b,c" (kProxyNames order) for logs and JSON.
std::string join_proxies(const std::vector<std::string>& proxies);

}  // namespace pelnas
