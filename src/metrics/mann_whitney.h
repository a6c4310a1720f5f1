#pragma once
// The Mann-Whitney U test (Wilcoxon rank-sum test) of two independent samples, two-sided, as the
// bench report uses it to compare an algorithm's HV ratios over seeds with the best algorithm's.
//
// Method (as SciPy's mannwhitneyu with method="auto"): the exact null distribution of U when a
// sample has at most 8 values and there are no ties; otherwise the normal approximation with the
// tie correction of the variance and a continuity correction of 0.5. p = 2 P(U >= max(U1, U2)),
// capped at 1.
#include <vector>

namespace pelnas {

struct MannWhitneyResult {
  double u1 = 0;        // U of the first sample: pairs (x, y) with x > y, ties counting one half
  double u2 = 0;        // n1 n2 - u1
  double p_value = 1;   // two-sided
  bool exact = false;   // exact distribution (else normal approximation)
  double a12 = 0.5;     // Vargha-Delaney effect size u1 / (n1 n2): P(X > Y) + P(X = Y) / 2
  // The smallest two-sided p any data could give with these sample sizes (exact method, no ties).
  double min_p = 0;
};

// Throws pelnas::Error when a sample is empty or holds a non-finite value.
MannWhitneyResult mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y);

// P(U >= u) under the null hypothesis for sample sizes n1, n2 without ties (exact counting).
double mann_whitney_exact_sf(int u, int n1, int n2);

}  // namespace pelnas
