#include "search/feature_bins.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_fields.h"
#include "common/rng.h"

namespace pelnas {

void FeatureBinOptions::validate() const {
  auto bad = [](const std::string& field, const std::string& what) { throw Error("feature bins: " + field + " " + what); };
  if (feature.empty()) bad("feature", "must name a complexity feature of the space");
  if (bins < 1 || bins > 64) bad("bins", "must be in [1, 64], got " + std::to_string(bins));
  if (sample < 10 * bins || sample > 10'000'000)
    bad("sample", fmt::format("must be in [10 x bins = {}, 10000000], got {}", 10 * bins, sample));
}

nlohmann::json FeatureBinOptions::to_json() const {
  return {{"feature", feature}, {"bins", bins}, {"sample", sample}, {"seed", seed}};
}

FeatureBinOptions FeatureBinOptions::from_json(const nlohmann::json& j) {
  FeatureBinOptions o;
  if (j.is_null()) return o;
  if (!j.is_object()) throw Error("feature bins: expected a JSON object");
  for (const auto& item : j.items()) {
    const std::string key = item.key();  // a named copy: lambdas cannot capture structured bindings in clang 14
    const auto& value = item.value();
    auto wrong = [&key](const char* expected) { return Error("feature bins: '" + key + "' must be " + expected); };
    if (key == "feature") {
      if (!value.is_string()) throw wrong("a string");
      o.feature = value.get<std::string>();
    } else if (key == "bins" || key == "sample") {
      if (!value.is_number_integer()) throw wrong("an integer");
      (key == "bins" ? o.bins : o.sample) = json_fields::get_integral<int>(value);
    } else if (key == "seed") {
      if (!value.is_number_unsigned()) throw wrong("a non-negative integer");
      o.seed = json_fields::get_integral<std::uint64_t>(value);
    } else {
      throw Error("feature bins: unknown key '" + key + "' (valid: feature, bins, sample, seed)");
    }
  }
  o.validate();
  return o;
}

FeatureBinPartition::FeatureBinPartition(const SearchSpace& space, FeatureBinOptions options)
    : space_(&space), options_(std::move(options)) {
  options_.validate();
  const auto& features = space.features();
  const auto it = std::find_if(features.begin(), features.end(), [&](const auto& f) { return f.name == options_.feature; });
  if (it == features.end()) {
    std::string valid;
    for (const auto& f : features) valid += (valid.empty() ? "" : ", ") + f.name;
    throw Error(fmt::format("feature bins: the {} space has no feature '{}' (valid: {})", space.name(), options_.feature, valid));
  }
  feature_index_ = static_cast<std::size_t>(it - features.begin());
  Rng rng(options_.seed);
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(options_.sample));
  for (int i = 0; i < options_.sample; ++i) values.push_back(space.feature_values(space.sample(rng))[feature_index_]);
  std::sort(values.begin(), values.end());
  // Edge k (k = 1..bins-1) is the first sampled value at or above the k/bins quantile; a discrete
  // feature whose quantiles coincide cannot hold that many non-empty bins.
  const int k_bins = options_.bins;
  for (int k = 1; k < k_bins; ++k) {
    const auto at = static_cast<std::size_t>(static_cast<double>(k) * static_cast<double>(values.size()) / k_bins);
    const double edge = values[at];
    if (!inner_edges_.empty() && edge <= inner_edges_.back()) {
      const auto distinct = std::unique(values.begin(), values.end()) - values.begin();
      throw Error(fmt::format("feature bins: '{}' takes {} distinct values in the sample, too few for {} equal-frequency "
                              "bins; use fewer bins or another feature",
                              options_.feature, distinct, k_bins));
    }
    if (edge <= values.front())
      throw Error(fmt::format("feature bins: over 1/{} of the sample has the minimum '{}' value; use fewer bins", k_bins,
                              options_.feature));
    inner_edges_.push_back(edge);
  }
  const double lo = it->min, hi = std::nextafter(it->max, std::numeric_limits<double>::infinity());
  for (int k = 0; k < k_bins; ++k) {
    FeatureBin b;
    b.lo = k == 0 ? lo : inner_edges_[static_cast<std::size_t>(k - 1)];
    b.hi = k == k_bins - 1 ? hi : inner_edges_[static_cast<std::size_t>(k)];
    b.name = fmt::format("{} {} of {}", options_.feature, k + 1, k_bins);
    b.constraint = k == k_bins - 1 ? fmt::format("{} at least {:.6g} ({})", options_.feature, b.lo, it->description)
                                   : fmt::format("{} in [{:.6g}, {:.6g}) ({})", options_.feature, b.lo, b.hi, it->description);
    bins_.push_back(std::move(b));
  }
}

int FeatureBinPartition::niche_of_value(double v) const {
  return static_cast<int>(std::upper_bound(inner_edges_.begin(), inner_edges_.end(), v) - inner_edges_.begin());
}

int FeatureBinPartition::niche_of(const Encoding& e) const { return niche_of_value(space_->feature_values(e)[feature_index_]); }

nlohmann::json FeatureBinPartition::to_json() const {
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& b : bins_) bins.push_back({{"name", b.name}, {"constraint", b.constraint}, {"lo", b.lo}, {"hi", b.hi}});
  return {{"space", space_->name()}, {"dataset", space_->dataset()}, {"options", options_.to_json()}, {"bins", bins}};
}

FeatureBinNiches::FeatureBinNiches(const SearchSpace& space, FeatureBinOptions options)
    : space_(&space), bins_(std::make_shared<FeatureBinPartition>(space, std::move(options))) {
  for (int k = 0; k < bins_->size(); ++k) {
    NicheDescription d;
    d.id = k;
    d.name = bins_->bins()[static_cast<std::size_t>(k)].name;
    d.constraint = bins_->bins()[static_cast<std::size_t>(k)].constraint;
    d.contains = [b = bins_, k](const ArchCode& c) { return b->niche_of(c.encoding()) == k; };
    niches_.push_back(std::move(d));
  }
}

double FeatureBinNiches::size_of(int) const { return std::pow(10.0, space_->log10_size()) / bins_->size(); }

nlohmann::json FeatureBinNiches::to_json() const {
  const std::string& f = bins_->options().feature;
  nlohmann::json niches = nlohmann::json::array();
  for (int k = 0; k < bins_->size(); ++k) {
    const auto& b = bins_->bins()[static_cast<std::size_t>(k)];
    std::string rule = k == 0 ? "" : fmt::format("{} >= {:.17g}", f, b.lo);
    if (k + 1 < bins_->size()) rule += fmt::format("{}{} < {:.17g}", rule.empty() ? "" : " && ", f, b.hi);
    niches.push_back({{"name", b.name}, {"rule", rule.empty() ? "*" : rule}, {"constraint", b.constraint}});
  }
  return {{"name", fmt::format("{} bins", f)}, {"niches", niches}, {"feature_bins", bins_->to_json()}};
}

}  // namespace pelnas
