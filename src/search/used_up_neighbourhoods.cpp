#include "search/used_up_neighbourhoods.h"

#include <array>
#include <utility>

#include "space/search_space.h"

namespace pelnas {

namespace {

// A parent's mutation children in a fixed order: its single moves (position, choice) as the
// operator lists them, then every ordered pair of single moves (two positions changed; pairs on
// one position are no child), then every swap of two positions' choices.
// A tracked space has at most 64 single moves per parent (64^2 <= kMaxChildren): no allocation.
constexpr std::size_t kMaxSingles = 64;

struct Neighbourhood {
  const SearchSpace& space;
  const ArchCode& parent;
  std::array<std::pair<int, int>, kMaxSingles> single{};
  std::size_t singles = 0;
  bool fits = true;  // false: more single moves than kMaxSingles (an untracked space)

  Neighbourhood(const SearchSpace& s, const ArchCode& p) : space(s), parent(p) {
    for (int e = 0; e < parent.size(); ++e)
      for (int op = 0; op < choices_at(e); ++op)
        if (op != parent[e]) {
          if (singles == kMaxSingles) {
            fits = false;
            return;
          }
          single[singles++] = {e, op};
        }
  }
  int choices_at(int e) const { return static_cast<int>(space.positions()[static_cast<std::size_t>(e)].choices.size()); }
  std::size_t swaps() const { return static_cast<std::size_t>(parent.size()) * static_cast<std::size_t>(parent.size() - 1) / 2; }
  std::size_t size() const { return singles + singles * singles + swaps(); }

  // Child i, or false if index i names no child (a pair on one position, an impossible swap).
  bool child(std::size_t i, ArchCode& out) const {
    out = parent;
    auto set = [&out](int e, int op) { out.choices[static_cast<std::size_t>(e)] = static_cast<std::uint8_t>(op); };
    const std::size_t n = singles;
    if (i < n) {
      set(single[i].first, single[i].second);
      return true;
    }
    i -= n;
    if (i < n * n) {
      const auto& a = single[i / n];
      const auto& b = single[i % n];
      if (a.first == b.first) return false;
      set(a.first, a.second);
      set(b.first, b.second);
      return true;
    }
    i -= n * n;
    for (int a = 0; a < parent.size(); ++a)
      for (int b = a + 1; b < parent.size(); ++b, --i)
        if (i == 0) {
          // The operator's swap condition: both choices exist at the other position.
          if (parent[a] == parent[b] || parent[b] >= choices_at(a) || parent[a] >= choices_at(b)) return false;
          set(a, parent[b]);
          set(b, parent[a]);
          return true;
        }
    return false;
  }
};

}  // namespace

bool NicheNeighbourhoods::trackable(const SearchSpace& space) {
  std::size_t singles = 0, positions = 0;
  for (const auto& p : space.positions())
    if (p.choices.size() >= 2) {
      singles += p.choices.size() - 1;
      ++positions;
    }
  const std::size_t swaps = space.positions().size() * (space.positions().size() - 1) / 2;
  return positions >= 2 && singles <= kMaxSingles && singles + singles * singles + swaps <= kMaxChildren;
}

bool NicheNeighbourhoods::known_used_up(const ArchCode& parent) const {
  const auto it = cursors_.find(parent);
  return it != cursors_.end() && it->second.size > 0 && it->second.next == it->second.size;
}

bool NicheNeighbourhoods::used_up(const SearchSpace& space, const ArchCode& parent,
                                  const std::function<bool(const ArchCode&)>& live) {
  Cursor& c = cursors_[parent];
  if (c.size > 0) {
    if (c.next == c.size) return true;
    if (live(c.live)) return false;
    ++c.next;  // the child found live last time is not any more
  }
  const Neighbourhood n(space, parent);
  if (!n.fits) return false;  // not a tracked space: never called so
  c.size = n.size();
  for (; c.next < c.size; ++c.next)
    if (n.child(c.next, c.live) && live(c.live)) return false;
  return true;
}

NicheNeighbourhoods& UsedUpNeighbourhoods::niche(int id, int generation, std::size_t history) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = niches_[id];
  if (!slot || generation < slot->generation_ || history < slot->history_) slot = std::make_unique<NicheNeighbourhoods>();
  slot->generation_ = generation;
  slot->history_ = history;
  return *slot;
}

}  // namespace pelnas
