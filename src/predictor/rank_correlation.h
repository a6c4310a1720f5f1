#pragma once
// Rank agreement between two score vectors (predictor vs truth): Spearman's rho with average ranks
// for ties, and Kendall's tau-b (tie-corrected). Inputs must be finite and of equal length >= 2;
// anything else is a caller bug reported as pelnas::Error, never a silent NaN.
#include <cstddef>
#include <vector>

namespace pelnas {

// 1-based ranks, ties get the mean of the ranks they span (fractional ranking).
std::vector<double> average_ranks(const std::vector<double>& x);
double pearson(const std::vector<double>& x, const std::vector<double>& y);
double spearman(const std::vector<double>& x, const std::vector<double>& y);
// tau-b = (concordant - discordant) / sqrt((n0 - n1) (n0 - n2)), O(n log n) (Knight's algorithm).
double kendall_tau(const std::vector<double>& x, const std::vector<double>& y);

// Spearman's rho among the best archs only: the k = ceil(fraction * n) positions with the highest
// `truth` (ties at the cut broken by position, earlier first), scored against `truth` there.
// This is how well a predictor orders the top of the space, where Pareto fronts are made.
// Throws pelnas::Error when k < 2 or fraction is not in (0, 1].
double top_fraction_spearman(const std::vector<double>& score, const std::vector<double>& truth, double fraction);
// The positions top_fraction_spearman scores, in descending order of truth.
std::vector<std::size_t> top_fraction_positions(const std::vector<double>& truth, double fraction);

}  // namespace pelnas
