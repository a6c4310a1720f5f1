#include "search/used_up_neighbourhoods.h"

#include <utility>
#include <vector>

#include "space/search_space.h"

namespace pelnas {

namespace {

// A parent's mutation children in a fixed order: its single moves (position, choice) as the
// operator lists them, then every ordered pair of single moves (two positions changed; pairs on
// one position are no child), then every swap of two positions' choices.
struct Neighbourhood {
  const SearchSpace& space;
  const ArchCode& parent;
  std::vector<std::pair<int, int>> singles;
  int positions_with_moves = 0;

  Neighbourhood(const SearchSpace& s, const ArchCode& p) : space(s), parent(p) {
    const auto& positions = space.positions();
    for (int e = 0; e < parent.size(); ++e) {
      const int choices = static_cast<int>(positions[static_cast<std::size_t>(e)].choices.size());
      bool any = false;
      for (int op = 0; op < choices; ++op)
        if (op != parent[e]) {
          singles.emplace_back(e, op);
          any = true;
        }
      positions_with_moves += any;
    }
  }
  int choices_at(int e) const { return static_cast<int>(space.positions()[static_cast<std::size_t>(e)].choices.size()); }
  std::size_t swaps() const { return static_cast<std::size_t>(parent.size()) * static_cast<std::size_t>(parent.size() - 1) / 2; }
  std::size_t size() const { return singles.size() + singles.size() * singles.size() + swaps(); }

  // Child i, or false if index i names no child (a pair on one position, an impossible swap).
  bool child(std::size_t i, ArchCode& out) const {
    out = parent;
    auto set = [&out](int e, int op) { out.choices[static_cast<std::size_t>(e)] = static_cast<std::uint8_t>(op); };
    const std::size_t n = singles.size();
    if (i < n) {
      set(singles[i].first, singles[i].second);
      return true;
    }
    i -= n;
    if (i < n * n) {
      const auto& a = singles[i / n];
      const auto& b = singles[i % n];
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

bool NicheNeighbourhoods::trackable(const SearchSpace& space, const ArchCode& parent) {
  const Neighbourhood n(space, parent);
  return n.positions_with_moves >= 2 && n.size() <= kMaxChildren;
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
