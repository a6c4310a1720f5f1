#include "predictor/proxy_subsets.h"

#include <algorithm>
#include <utility>

#include "common/error.h"
#include "predictor/proxy_computer.h"

namespace pelnas {

namespace {

// name -> proxies left out of the 13 (sets are easiest to read as what they drop).
const std::vector<std::pair<std::string, std::vector<std::string>>>& named_sets() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> sets = {
      {"all", {}},
      // One forward and one first-order loss backward at batch 64, plus synflow's batch-1 pass:
      // no GRASP (double backward), no input Jacobian (jacov, epe_nas), no Zen (two forwards).
      // The cheapest set measured whose held-out Spearman and top-20 % Spearman stay within
      // 0.005 of all 13 (or above) on all three datasets: models/README.md.
      {std::string(kDefaultProxySetName), {"epe_nas", "grasp", "jacov", "zen"}},
      {"no-grasp", {"grasp"}},
      {"no-zen", {"grasp", "zen"}},                     // the 11 besides GRASP and Zen
      {"no-jacobian", {"epe_nas", "grasp", "jacov"}},   // the default + zen
      {"forward", {"epe_nas", "fisher", "grad_norm", "grasp", "jacov", "plain", "snip", "zen"}},  // no backward at batch 64
      {"forward-zen", {"epe_nas", "fisher", "grad_norm", "grasp", "jacov", "plain", "snip"}},
  };
  return sets;
}

std::vector<std::string> all_but(const std::vector<std::string>& dropped) {
  std::vector<std::string> out;
  for (auto name : kProxyNames)
    if (std::find(dropped.begin(), dropped.end(), name) == dropped.end()) out.emplace_back(name);
  return out;
}

std::string valid_names() {
  std::string s;
  for (const auto& [name, dropped] : named_sets()) s += (s.empty() ? "" : ", ") + name;
  s += "; or a comma-separated list of proxies from: ";
  for (std::size_t i = 0; i < kProxyNames.size(); ++i) s += (i ? ", " : "") + std::string(kProxyNames[i]);
  return s;
}

}  // namespace

const std::vector<std::string>& default_proxy_set() {
  static const std::vector<std::string> set = resolve_proxy_set(kDefaultProxySetName);
  return set;
}

std::vector<std::string> proxy_set_names() {
  std::vector<std::string> out;
  for (const auto& [name, dropped] : named_sets()) out.push_back(name);
  return out;
}

std::vector<std::string> resolve_proxy_set(std::string_view spec) {
  for (const auto& [name, dropped] : named_sets())
    if (spec == name) return all_but(dropped);
  std::vector<std::string> wanted;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', start), spec.size());
    std::string_view item = spec.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (std::find(kProxyNames.begin(), kProxyNames.end(), item) == kProxyNames.end())
      throw Error("unknown proxy set or proxy '" + std::string(item) + "' in '" + std::string(spec) +
                  "' (valid: " + valid_names() + ")");
    wanted.emplace_back(item);
    start = comma + 1;
  }
  std::vector<std::string> out;
  for (auto name : kProxyNames)
    if (std::find(wanted.begin(), wanted.end(), name) != wanted.end()) out.emplace_back(name);
  return out;
}

std::string join_proxies(const std::vector<std::string>& proxies) {
  std::string s;
  for (const auto& p : proxies) s += (s.empty() ? "" : ",") + p;
  return s;
}

}  // namespace pelnas
