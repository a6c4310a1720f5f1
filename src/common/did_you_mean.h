#pragma once
// Typo suggestions for names a user spelled (commands, options, devices): "did you mean ...?".
#include <string>
#include <vector>

namespace pelnas {

// Edit distance (insertions, deletions, substitutions, adjacent transpositions).
std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate closest to `word`, or "" when none is close enough to be a plausible typo (at most
// a third of the word wrong, or `word` a prefix of at least 3 characters).
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace pelnas
