#include "search/domain_sampler.h"

namespace pelnas {

DomainSampler::DomainSampler(const Problem& problem) {
  const auto& data = problem.evaluator().data();
  candidates_.reserve(data.size());
  for (int i = 0; i < data.size(); ++i) {
    const Arch& a = data.arch(i);
    if (problem.in_domain(a) && !problem.seen(a)) candidates_.push_back(a);
  }
}

std::optional<Arch> DomainSampler::draw(const Problem& problem, Rng& rng) {
  while (drawn_ < candidates_.size()) {
    const auto j = static_cast<std::size_t>(
        rng.uniform_int(static_cast<std::int64_t>(drawn_), static_cast<std::int64_t>(candidates_.size()) - 1));
    std::swap(candidates_[drawn_], candidates_[j]);
    const Arch& a = candidates_[drawn_++];
    if (!problem.seen(a)) return a;  // seen since construction (e.g. by mutation): skip
  }
  return std::nullopt;
}

}  // namespace pelnas
