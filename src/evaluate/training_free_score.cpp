#include "evaluate/training_free_score.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.h"
#include "common/json_fields.h"
#include "common/rng.h"

namespace pelnas {

void TrainingFreeScoreOptions::validate() const {
  if (proxies.empty()) throw Error("training-free score: proxies must name at least one proxy");
  std::set<std::string> seen;
  for (const auto& p : proxies) {
    if (std::find(kProxyNames.begin(), kProxyNames.end(), p) == kProxyNames.end())
      throw Error(fmt::format("training-free score: proxies: unknown proxy '{}' (valid: {})", p, fmt::join(kProxyNames, ", ")));
    if (!seen.insert(p).second) throw Error(fmt::format("training-free score: proxies: '{}' is listed twice", p));
  }
  if (reference_size < 8 || reference_size > 100000)
    throw Error(fmt::format("training-free score: reference_size must be in [8, 100000], got {}", reference_size));
  if (batch_size < 1 || batch_size > 4096)
    throw Error(fmt::format("training-free score: batch_size must be in [1, 4096], got {}", batch_size));
}

nlohmann::json TrainingFreeScoreOptions::to_json() const {
  return {{"proxies", proxies},       {"reference_size", reference_size}, {"reference_seed", reference_seed},
          {"batch_size", batch_size}, {"proxy_seed", proxy_seed}};
}

TrainingFreeScoreOptions TrainingFreeScoreOptions::from_json(const nlohmann::json& j) {
  TrainingFreeScoreOptions o;
  if (j.is_null()) return o;
  if (!j.is_object()) throw Error("training-free score options: expected a JSON object");
  for (const auto& item : j.items()) {
    const std::string key = item.key();  // a named copy: lambdas cannot capture structured bindings in clang 14
    const auto& value = item.value();
    auto wrong = [&key](const char* expected) { return Error("training-free score: '" + key + "' must be " + expected); };
    if (key == "proxies") {
      if (!value.is_array() || !std::all_of(value.begin(), value.end(), [](const auto& x) { return x.is_string(); }))
        throw wrong("an array of proxy names");
      o.proxies = value.get<std::vector<std::string>>();
    } else if (key == "reference_size") {
      if (!value.is_number_integer()) throw wrong("an integer");
      o.reference_size = json_fields::get_integral<int>(value);
    } else if (key == "reference_seed") {
      if (!value.is_number_unsigned()) throw wrong("a non-negative integer");
      o.reference_seed = json_fields::get_integral<std::uint64_t>(value);
    } else if (key == "batch_size") {
      if (!value.is_number_integer()) throw wrong("an integer");
      o.batch_size = json_fields::get_integral<int>(value);
    } else if (key == "proxy_seed") {
      if (!value.is_number_unsigned()) throw wrong("a non-negative integer");
      o.proxy_seed = json_fields::get_integral<std::uint64_t>(value);
    } else {
      throw Error("training-free score: unknown key '" + key + "' (valid: proxies, reference_size, reference_seed, batch_size, proxy_seed)");
    }
  }
  o.validate();
  return o;
}

TrainingFreeScore::TrainingFreeScore(TrainingFreeScoreOptions options, const std::vector<ProxyValues>& reference)
    : options_(std::move(options)) {
  options_.validate();
  for (const auto& proxy : options_.proxies) {
    std::vector<double> v;
    for (const auto& row : reference) {
      const auto it = row.find(proxy);
      if (it != row.end() && it->second && std::isfinite(*it->second))
        v.push_back(*it->second);
      else
        ++dropped_;
    }
    if (v.size() < 2)
      throw Error(fmt::format("training-free score: only {} of {} reference architectures have a finite {} value", v.size(),
                              reference.size(), proxy));
    std::sort(v.begin(), v.end());
    sorted_.push_back(std::move(v));
  }
}

std::optional<double> TrainingFreeScore::score(const ProxyValues& values) const {
  double sum = 0;
  for (std::size_t p = 0; p < sorted_.size(); ++p) {
    const auto it = values.find(options_.proxies[p]);
    if (it == values.end() || !it->second || !std::isfinite(*it->second)) return std::nullopt;
    const double x = *it->second;
    const auto& r = sorted_[p];
    const auto below = std::lower_bound(r.begin(), r.end(), x) - r.begin();
    const auto not_above = std::upper_bound(r.begin(), r.end(), x) - r.begin();
    sum += (static_cast<double>(below) + 0.5 * static_cast<double>(not_above - below)) / static_cast<double>(r.size());
  }
  return 100.0 * sum / static_cast<double>(sorted_.size());
}

std::vector<Encoding> TrainingFreeScore::reference_sample(const SearchSpace& space, const TrainingFreeScoreOptions& o) {
  o.validate();
  if (auto n = space.cardinality(); n && *n < static_cast<std::uint64_t>(o.reference_size))
    throw Error(fmt::format("training-free score: reference_size {} exceeds the {} architectures of the {} space",
                            o.reference_size, *n, space.name()));
  Rng rng(o.reference_seed);
  std::set<Encoding> seen;
  std::vector<Encoding> out;
  while (static_cast<int>(out.size()) < o.reference_size) {
    Encoding e = space.sample(rng);
    if (seen.insert(e).second) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace pelnas
