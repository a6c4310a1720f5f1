#pragma once
// Uniform sampling without replacement from the architectures a Problem can still evaluate: inside
// the cost source's domain and not seen yet. Candidates are listed in NB201 index order, so a seed
// gives the same draws everywhere.
#include <optional>
#include <vector>

#include "common/rng.h"
#include "search/problem.h"

namespace pelnas {

class DomainSampler {
 public:
  explicit DomainSampler(const Problem& problem);
  // A uniformly drawn architecture not yet seen by the problem, or nullopt when none is left.
  std::optional<Arch> draw(const Problem& problem, Rng& rng);

 private:
  std::vector<Arch> candidates_;
  std::size_t drawn_ = 0;  // candidates_[0, drawn_) are used up (partial Fisher-Yates)
};

}  // namespace pelnas
