#pragma once
// The evolution operator's mutation draws for one propose() call: each parent's moves, listed once, drawn by rule weights.
#include <array>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "common/rng.h"
#include "search/archive.h"
#include "search/weighted_choice.h"
#include "space/arch_code.h"
#include "space/search_space.h"

namespace pelnas {

// Mutation draws one move among every single-position change and every swap of two positions'
// choices (swaps keep the choice counts, so NB201's niche and count-driven costs). A move's
// weight is the rule factor of what it puts on a position over the factor of what it removes, so
// rules decide both which position changes and what it becomes.
//
// A parent's moves and their weights depend only on the parent and the rules, so they are listed
// once per parent and call (lazily), not at every draw: late in a run most draws hit seen cells
// and a child can take max_attempts draws (issue 14). The second move of a two-position mutation
// excludes the first one's position: it draws from the same single-move list, skipping that
// position, with the total of the remaining weights summed in list order, so the arithmetic (hence
// every draw) is the same as a separate list's, without listing and allocating one per position.
//
// The space, parents and weights are referenced, not copied: they must outlive this object.
class ParentMutations {
 public:
  // A mutation's note is written only for a child that is kept: most draws of a long run hit seen
  // cells, and printing every parent made those failed attempts the bulk of a generation.
  struct Mutation {
    ArchCode child;
    bool swap = false;
    int n = 0;                                 // changed positions (a swap: 2)
    std::array<std::pair<int, int>, 2> moves;  // (position, new choice)
  };

  // weight[position][choice]: the rule factor of each choice (1 without rules).
  ParentMutations(const SearchSpace& space, const std::vector<EvaluatedArch>& parents, const std::vector<std::vector<double>>& weight,
                  double swap_probability, double two_edge_mutation_probability);
  // A mutation of parent pi: a swap (probability swap_probability, if the parent has one), else 1
  // or 2 single moves (2 with probability two_edge_mutation_probability) on different positions.
  Mutation mutate(std::size_t pi, Rng& rng);
  // Whether mutate() can swap two positions of parent pi (its swap list is not empty).
  bool has_swaps(std::size_t pi) const;

 private:
  struct ParentMoves {
    bool listed = false;
    std::vector<std::pair<int, int>> swaps;  // (position a, position b)
    WeightedChoice swap_choice;
    std::vector<std::pair<int, int>> singles;  // (position, choice)
    std::vector<double> single_weights;
    // Per excluded position (slot 1 + position; slot 0: none excluded), the running sum of the
    // weights of the moves outside it, in list order (a move at the excluded position repeats the
    // sum before it), and the last move outside it; summed when the slot is first drawn from.
    struct Slot {
      std::vector<double> running;  // empty until summed
      std::size_t last = 0;         // singles.size(): no move outside the excluded position
    };
    std::vector<Slot> slots;
  };
  ParentMoves& moves_of(std::size_t pi);
  std::optional<std::pair<int, int>> pick_single(std::size_t pi, int excluded, Rng& rng);
  int choices_at(int e) const { return static_cast<int>(positions_[static_cast<std::size_t>(e)].choices.size()); }
  double w(int e, int op) const { return weight_[static_cast<std::size_t>(e)][static_cast<std::size_t>(op)]; }

  const std::vector<SpacePosition>& positions_;
  const int length_;
  const std::vector<EvaluatedArch>& parents_;
  const std::vector<std::vector<double>>& weight_;
  const double swap_probability_;
  const double two_edge_mutation_probability_;
  std::vector<ParentMoves> parent_moves_;
  std::size_t max_singles_ = 0, max_swaps_ = 0;
};

}  // namespace pelnas
