#pragma once
// Which parents of a niche have a used-up mutation neighbourhood: every child one mutation of the
// evolution operator can make (one or two positions changed, or two positions' choices swapped) is
// outside the niche or already seen. Late in a long run most draws come from such parents and are
// rejected (issue 14); knowing it, the operator skips building and testing those children while
// drawing the same random numbers, so its results do not change.
//
// Seen cells only accumulate during a search, so a child found used up stays used up: each parent
// keeps a cursor into its fixed list of children and a check resumes from it. A parent's checks
// over a whole run cost O(its neighbourhood), however often it is drawn.
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "space/arch_code.h"

namespace pelnas {

class SearchSpace;

// One niche's parents. Not thread-safe: one operator call of a niche uses it at a time.
class NicheNeighbourhoods {
 public:
  // Spaces whose mutation neighbourhoods have more children than this are not tracked: a check
  // would cost more than the draws it saves (NB201: 24 single moves, 504 children in all).
  static constexpr std::size_t kMaxChildren = 4096;

  // Whether a space's parents can be tracked: small neighbourhoods, and every mutation draw takes
  // a fixed number of random numbers (two or more positions with a choice to change to, so a
  // second move exists whatever the first was).
  static bool trackable(const SearchSpace& space);
  // True once every child of `parent` was found not `live` (outside the niche or seen).
  bool known_used_up(const ArchCode& parent) const;
  // Resumes the parent's cursor until a live child; true if there is none left.
  bool used_up(const SearchSpace& space, const ArchCode& parent, const std::function<bool(const ArchCode&)>& live);

 private:
  struct Cursor {
    std::size_t next = 0;  // children before it are known not live
    std::size_t size = 0;  // 0 until the first check
    ArchCode live;         // child `next`, live at the last check: re-tested first, without listing
  };
  std::unordered_map<ArchCode, Cursor> cursors_;
  int generation_ = -1;
  std::size_t history_ = 0;
  friend class UsedUpNeighbourhoods;
};

// Every niche's, for an operator shared by concurrent niche calls.
class UsedUpNeighbourhoods {
 public:
  // The niche's memory for a call at `generation` with `history` evaluated members. A generation or
  // history that went back means a new search (its seen cells are not these): it starts empty.
  NicheNeighbourhoods& niche(int id, int generation, std::size_t history);

 private:
  std::mutex mutex_;  // guards the map, not the niches' contents
  std::map<int, std::unique_ptr<NicheNeighbourhoods>> niches_;
};

}  // namespace pelnas
