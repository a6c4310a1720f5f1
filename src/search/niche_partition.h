#pragma once
// The niches a PEL-NAS search runs on, whatever the space: a niche per architecture (or none),
// a description per niche for operators and prompts, and, when the space is small enough to list,
// each niche's members. Two implementations: NB201's rule tables (NicheMap, search/niche_map.h,
// the paper's complexity niches) and equal-frequency feature bins for spaces that cannot be listed
// (FeatureBinNiches, search/feature_bins.h: FBNet's FLOPs bins).
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "search/operator.h"
#include "space/arch_code.h"

namespace pelnas {

class NichePartition {
 public:
  virtual ~NichePartition() = default;
  int size() const { return static_cast<int>(niches().size()); }
  // The niche an architecture falls in, -1 for none (or outside the search domain).
  virtual int niche_of(const ArchCode& code) const = 0;
  // One per niche, in niche order; valid while the partition lives.
  virtual const std::vector<NicheDescription>& niches() const = 0;
  // Every member of a niche in a fixed order, or nullopt when the space is too large to list
  // (the search then draws members by sampling the space).
  virtual std::optional<std::vector<ArchCode>> members(int niche) const = 0;
  // Whether members() lists the niches (without listing them).
  virtual bool listable() const = 0;
  // The niche's size for the children allocation: its member count, or an estimate (share of a
  // uniform sample) when the niche cannot be listed.
  virtual double size_of(int niche) const = 0;
  // What the run directory records of the partition ({name, niches:[...]}, as Partition::to_json).
  virtual nlohmann::json to_json() const = 0;
};

}  // namespace pelnas
