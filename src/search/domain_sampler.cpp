#include "search/domain_sampler.h"

namespace pelnas {

DomainSampler::DomainSampler(const Problem& problem) {
  auto members = problem.domain_members();
  if (!members) return;
  listed_ = true;
  candidates_.reserve(members->size());
  for (const ArchCode& a : *members)
    if (!problem.seen(a)) candidates_.push_back(a);
}

std::optional<ArchCode> DomainSampler::draw(const Problem& problem, Rng& rng) {
  if (!listed_) {
    for (int attempt = 0; attempt < kMaxRejections; ++attempt) {
      const ArchCode a = ArchCode::from_encoding(problem.space().sample(rng));
      if (!problem.seen(a) && problem.in_domain(a)) return a;
    }
    return std::nullopt;
  }
  while (drawn_ < candidates_.size()) {
    const auto j = static_cast<std::size_t>(
        rng.uniform_int(static_cast<std::int64_t>(drawn_), static_cast<std::int64_t>(candidates_.size()) - 1));
    std::swap(candidates_[drawn_], candidates_[j]);
    const ArchCode& a = candidates_[drawn_++];
    if (!problem.seen(a)) return a;  // seen since construction (e.g. by mutation): skip
  }
  return std::nullopt;
}

}  // namespace pelnas
