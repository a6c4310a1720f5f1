#pragma once
// The accuracy objective of a space without trained accuracies (FBNet: HW-NAS-Bench has none): a
// TRAINING-FREE SCORE, never to be called an accuracy. docs/FBNET.md chose it by measurement: the
// sum of the ranks of jacov and synflow predicts NB201 accuracy with Spearman 0.86-0.91 on held-out
// data and datasets, within 0.012 of the best 4-proxy sum, and uses neither FLOPs nor params (on
// FBNet those track the latency objective).
//
// Ranks are taken against a fixed seeded reference sample of the space, so an architecture's score
// never changes as the archive grows: score = 100 x the mean over the proxies of its percentile in
// the reference (values below count 1, ties 1/2, over the reference size). 0..100, higher is better.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "predictor/proxy_computer.h"
#include "space/search_space.h"

namespace pelnas {

struct TrainingFreeScoreOptions {
  std::vector<std::string> proxies = {"jacov", "synflow"};  // names of kProxyNames
  int reference_size = 256;     // uniform architectures of the space the ranks are taken against
  std::uint64_t reference_seed = 0;
  // The proxies' own settings (part of their cache key): images per minibatch and the seed of the
  // minibatch choice and weight initialisation.
  int batch_size = 64;
  std::uint64_t proxy_seed = 0;
  void validate() const;  // throws pelnas::Error naming the bad field (unknown proxies list the valid ones)
  nlohmann::json to_json() const;
  static TrainingFreeScoreOptions from_json(const nlohmann::json& j);  // unknown keys are errors
};

class TrainingFreeScore {
 public:
  static constexpr const char* kLabel = "training-free score";

  // `reference` holds the proxy values of reference_sample()'s architectures. A missing or
  // non-finite reference value is left out of that proxy's reference (dropped() counts them);
  // throws pelnas::Error when a proxy keeps fewer than 2 values.
  TrainingFreeScore(TrainingFreeScoreOptions options, const std::vector<ProxyValues>& reference);

  // nullopt when one of the proxies is missing or not finite for this architecture (the search then
  // treats it as unscored, as a table without the accuracy).
  std::optional<double> score(const ProxyValues& values) const;
  const TrainingFreeScoreOptions& options() const { return options_; }
  int dropped() const { return dropped_; }

  // reference_size distinct uniform architectures of the space, drawn with reference_seed.
  static std::vector<Encoding> reference_sample(const SearchSpace& space, const TrainingFreeScoreOptions& options);

 private:
  TrainingFreeScoreOptions options_;
  std::vector<std::vector<double>> sorted_;  // per proxy, finite reference values ascending
  int dropped_ = 0;
};

}  // namespace pelnas
