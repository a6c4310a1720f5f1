#pragma once
// Complexity niches for a space too large to enumerate (FBNet): K equal-frequency bins of one
// complexity feature of the space. The bin edges are quantiles of the feature over a seeded uniform
// sample of the space, so each niche holds about 1/K of the space and the edges are the same on
// every machine. docs/FBNET.md chose FLOPs for FBNet with a measurement (equal-frequency FLOPs bins
// explain 83-89 % of the pixel3 / fpga latency variance; no other feature comes close), as the paper
// chose conv3x3 counts for NB201; feature, bin count, sample and seed are options.
#include <cmath>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "search/niche_partition.h"
#include "space/search_space.h"

namespace pelnas {

struct FeatureBinOptions {
  std::string feature = "flops";  // a name of SearchSpace::features()
  int bins = 6;                   // niches (the paper's 6)
  int sample = 20000;             // uniform architectures the quantiles are taken over
  std::uint64_t seed = 0;         // of that sample
  void validate() const;          // throws pelnas::Error naming the bad field
  nlohmann::json to_json() const;
  static FeatureBinOptions from_json(const nlohmann::json& j);  // unknown keys are errors
};

struct FeatureBin {
  std::string name;        // e.g. "flops 2 of 6"
  std::string constraint;  // human/LLM-readable, e.g. "FLOPs (MFLOPs) in [41.2, 47.9)"
  double lo = 0, hi = 0;   // [lo, hi); the first bin starts at the feature's minimum, the last ends past its maximum
};

class FeatureBinPartition {
 public:
  // Throws pelnas::Error for an unknown feature (listing the space's features) or when the feature
  // takes too few distinct values for `bins` non-empty bins (saying how many it can hold).
  FeatureBinPartition(const SearchSpace& space, FeatureBinOptions options);

  const FeatureBinOptions& options() const { return options_; }
  int size() const { return static_cast<int>(bins_.size()); }
  const std::vector<FeatureBin>& bins() const { return bins_; }
  // The niche of an architecture: the bin its feature value falls in (always one: bins cover the
  // whole range and do not overlap).
  int niche_of(const Encoding& e) const;
  int niche_of_value(double feature_value) const;
  nlohmann::json to_json() const;  // options and bins (for run directories)

 private:
  const SearchSpace* space_;
  FeatureBinOptions options_;
  std::size_t feature_index_ = 0;
  std::vector<double> inner_edges_;  // size() - 1 strictly increasing edges
  std::vector<FeatureBin> bins_;
};

// The bins as the niches of a PEL-NAS search (search/niche_partition.h). Members cannot be listed:
// the search draws them by sampling the space. The space must outlive it.
class FeatureBinNiches final : public NichePartition {
 public:
  FeatureBinNiches(const SearchSpace& space, FeatureBinOptions options);
  FeatureBinNiches(const FeatureBinNiches&) = delete;
  FeatureBinNiches& operator=(const FeatureBinNiches&) = delete;
  const FeatureBinPartition& bins() const { return *bins_; }
  int niche_of(const ArchCode& code) const override { return bins_->niche_of(code.encoding()); }
  const std::vector<NicheDescription>& niches() const override { return niches_; }
  std::optional<std::vector<ArchCode>> members(int) const override { return std::nullopt; }
  bool listable() const override { return false; }
  // Equal-frequency bins: each holds about 1/size() of the space.
  double size_of(int) const override;
  // {name, niches:[{name, rule, constraint}], feature_bins: FeatureBinPartition::to_json()}; the
  // rules in partition-table syntax (feature >= lo && feature < hi).
  nlohmann::json to_json() const override;

 private:
  const SearchSpace* space_;
  std::shared_ptr<const FeatureBinPartition> bins_;
  std::vector<NicheDescription> niches_;
};

}  // namespace pelnas
