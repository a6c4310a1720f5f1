// ParentMutations: listing a parent's moves and drawing a mutation from them.
#include "search/parent_mutations.h"

#include <algorithm>
#include <cstdint>

namespace pelnas {

ParentMutations::ParentMutations(const SearchSpace& space, const std::vector<EvaluatedArch>& parents,
                                 const std::vector<std::vector<double>>& weight, double swap_probability,
                                 double two_edge_mutation_probability)
    : positions_(space.positions()),
      length_(space.length()),
      parents_(parents),
      weight_(weight),
      swap_probability_(swap_probability),
      two_edge_mutation_probability_(two_edge_mutation_probability),
      parent_moves_(parents.size()) {
  // Capacities, so listing a parent allocates each list once.
  for (int e = 0; e < length_; ++e) max_singles_ += static_cast<std::size_t>(std::max(0, choices_at(e) - 1)) + 1;
  max_swaps_ = static_cast<std::size_t>(length_) * static_cast<std::size_t>(std::max(0, length_ - 1)) / 2;
}

ParentMutations::ParentMoves& ParentMutations::moves_of(std::size_t pi) {
  ParentMoves& pm = parent_moves_[pi];
  if (!pm.listed) {
    const ArchCode& parent = parents_[pi].code;
    pm.swaps.reserve(max_swaps_);
    pm.swap_choice.weights.reserve(max_swaps_);
    pm.swap_choice.running.reserve(max_swaps_);
    pm.singles.reserve(max_singles_);
    pm.single_weights.reserve(max_singles_);
    for (int a = 0; a < length_; ++a)
      for (int b = a + 1; b < length_; ++b)
        if (parent[a] != parent[b] && parent[b] < choices_at(a) && parent[a] < choices_at(b)) {
          pm.swaps.emplace_back(a, b);
          pm.swap_choice.add(w(a, parent[b]) * w(b, parent[a]) / (w(a, parent[a]) * w(b, parent[b])));
        }
    for (int e = 0; e < length_; ++e)
      for (int op = 0; op < choices_at(e); ++op)
        if (op != parent[e]) {
          pm.singles.emplace_back(e, op);
          pm.single_weights.push_back(w(e, op) / w(e, parent[e]));
        }
    pm.slots.resize(static_cast<std::size_t>(length_) + 1);
    pm.listed = true;
  }
  return pm;
}

// A single move of parent pi outside position `excluded` (-1: none), drawn as WeightedChoice::pick
// over the list without that position's moves (a binary search where rounding cannot matter,
// else the scan); nullopt if there is none.
std::optional<std::pair<int, int>> ParentMutations::pick_single(std::size_t pi, int excluded, Rng& rng) {
  ParentMoves& pm = moves_of(pi);
  const std::size_t n = pm.singles.size();
  if (n == 0) return std::nullopt;
  auto& slot = pm.slots[static_cast<std::size_t>(excluded + 1)];
  if (slot.running.empty()) {
    slot.running.resize(n);
    double sum = 0;
    slot.last = n;
    for (std::size_t i = 0; i < n; ++i) {
      if (pm.singles[i].first != excluded) {
        sum += pm.single_weights[i];
        slot.last = i;
      }
      slot.running[i] = sum;
    }
  }
  if (slot.last == n) return std::nullopt;
  const double* running = slot.running.data();
  const double total = running[n - 1];
  const double x0 = rng.uniform01() * total;
  // A move at the excluded position repeats the running sum before it, so it is never the first
  // sum above x0: the binary search skips it as the scan does.
  if (const std::size_t i = index_by_running_sums(running, n, x0); i < n) return pm.singles[i];
  double x = x0;
  for (std::size_t i = 0; i < n; ++i) {
    if (pm.singles[i].first == excluded) continue;
    x -= pm.single_weights[i];
    if (x < 0) return pm.singles[i];
  }
  return pm.singles[slot.last];
}

ParentMutations::Mutation ParentMutations::mutate(std::size_t pi, Rng& rng) {
  const ArchCode& parent = parents_[pi].code;
  Mutation m;
  m.child = parent;
  auto set = [&m](int e, int op) { m.child.choices[static_cast<std::size_t>(e)] = static_cast<std::uint8_t>(op); };
  if (rng.bernoulli(swap_probability_)) {
    const ParentMoves& pm = moves_of(pi);
    if (!pm.swaps.empty()) {
      const auto [a, b] = pm.swaps[pm.swap_choice.pick(rng)];
      set(a, parent[b]);
      set(b, parent[a]);
      m.swap = true;
      m.n = 2;
      m.moves = {std::make_pair(a, parent[b]), std::make_pair(b, parent[a])};
      return m;
    }
  }
  const int edges = rng.bernoulli(two_edge_mutation_probability_) ? 2 : 1;
  int changed = -1;
  for (int k = 0; k < edges; ++k) {
    const auto move = pick_single(pi, changed, rng);
    if (!move) break;
    const auto [e, op] = *move;
    set(e, op);
    changed = e;
    m.moves[static_cast<std::size_t>(m.n++)] = {e, op};
  }
  return m;
}

bool ParentMutations::has_swaps(std::size_t pi) const {
  const ArchCode& p = parents_[pi].code;
  for (int a = 0; a < length_; ++a)
    for (int b = a + 1; b < length_; ++b)
      if (p[a] != p[b] && p[b] < choices_at(a) && p[a] < choices_at(b)) return true;
  return false;
}

}  // namespace pelnas
