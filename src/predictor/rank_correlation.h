#pragma once
// Rank agreement between two score vectors (predictor vs truth): Spearman's rho with average ranks
// for ties, and Kendall's tau-b (tie-corrected). Inputs must be finite and of equal length >= 2;
// anything else is a caller bug reported as pelnas::Error, never a silent NaN.
#include <vector>

namespace pelnas {

// 1-based ranks, ties get the mean of the ranks they span (fractional ranking).
std::vector<double> average_ranks(const std::vector<double>& x);
double pearson(const std::vector<double>& x, const std::vector<double>& y);
double spearman(const std::vector<double>& x, const std::vector<double>& y);
// tau-b = (concordant - discordant) / sqrt((n0 - n1) (n0 - n2)), O(n log n) (Knight's algorithm).
double kendall_tau(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace pelnas
