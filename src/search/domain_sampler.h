#pragma once
// Uniform sampling without replacement from the architectures a Problem can still evaluate: inside
// the cost source's domain and not seen yet. A listable domain (NB201) is drawn from its members in
// index order, so a seed gives the same draws everywhere; a space too large to list (FBNet) is
// sampled through the space, rejecting seen and out-of-domain draws.
#include <optional>
#include <vector>

#include "common/rng.h"
#include "search/problem.h"

namespace pelnas {

class DomainSampler {
 public:
  explicit DomainSampler(const Problem& problem);
  // A uniformly drawn architecture not yet seen by the problem, or nullopt when none is left (for
  // a sampled space: none found in kMaxRejections draws).
  std::optional<ArchCode> draw(const Problem& problem, Rng& rng);
  static constexpr int kMaxRejections = 10000;

 private:
  bool listed_ = false;
  std::vector<ArchCode> candidates_;
  std::size_t drawn_ = 0;  // candidates_[0, drawn_) are used up (partial Fisher-Yates)
};

}  // namespace pelnas
