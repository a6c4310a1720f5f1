#include "predictor/rank_correlation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "common/rng.h"

namespace pelnas {

TEST(RankCorrelation, AverageRanksHandleTies) {
  EXPECT_EQ(average_ranks({10, 20, 20, 5}), (std::vector<double>{2, 3.5, 3.5, 1}));
  EXPECT_EQ(average_ranks({1, 1, 1}), (std::vector<double>{2, 2, 2}));
}

TEST(RankCorrelation, SpearmanHandComputed) {
  // No ties: 1 - 6 sum d^2 / (n (n^2 - 1)); d = (0, 1, -1, 0, 0) -> 1 - 12/120 = 0.9.
  EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {1, 3, 2, 4, 5}), 0.9, 1e-12);
  EXPECT_NEAR(spearman({1, 2, 3}, {30, 20, 10}), -1.0, 1e-12);
  // Ties: x ranks (1, 2.5, 2.5, 4), y ranks (1, 2, 3, 4): Pearson of ranks = 4.5 / sqrt(4.5 * 5).
  EXPECT_NEAR(spearman({1, 2, 2, 3}, {1, 2, 3, 4}), 4.5 / std::sqrt(4.5 * 5.0), 1e-12);
}

TEST(RankCorrelation, KendallHandComputed) {
  // (1,2,3,4,5) vs (1,3,2,4,5): 9 concordant, 1 discordant of 10 pairs -> 0.8.
  EXPECT_NEAR(kendall_tau({1, 2, 3, 4, 5}, {1, 3, 2, 4, 5}), 0.8, 1e-12);
  EXPECT_NEAR(kendall_tau({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0, 1e-12);
  // tau-b with ties: x = (1,2,2,3), y = (1,2,3,4): pairs 6, n1 = 1 tie in x, n2 = 0;
  // concordant 5, discordant 0 -> 5 / sqrt(5 * 6).
  EXPECT_NEAR(kendall_tau({1, 2, 2, 3}, {1, 2, 3, 4}), 5.0 / std::sqrt(30.0), 1e-12);
  // Ties in both: x = (1,1,2,2), y = (1,1,1,2): n0 = 6, n1 = 2, n2 = 3, n3 (both tied) = 1;
  // concordant: (1,4),(2,4) = 2 (pairs (1,3),(2,3) tie in y) -> 2 / sqrt(4 * 3).
  EXPECT_NEAR(kendall_tau({1, 1, 2, 2}, {1, 1, 1, 2}), 2.0 / std::sqrt(12.0), 1e-12);
}

TEST(RankCorrelation, KendallMatchesQuadraticDefinitionOnRandomData) {
  Rng rng(7);
  std::vector<double> x, y;
  for (int i = 0; i < 300; ++i) {
    x.push_back(static_cast<double>(rng.uniform_int(0, 20)));  // many ties
    y.push_back(x.back() + static_cast<double>(rng.uniform_int(0, 10)));
  }
  long long c = 0, d = 0, tx = 0, ty = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = i + 1; j < x.size(); ++j) {
      const double dx = x[i] - x[j], dy = y[i] - y[j];
      if (dx == 0 && dy == 0) continue;
      if (dx == 0) ++tx;
      else if (dy == 0) ++ty;
      else if ((dx > 0) == (dy > 0)) ++c;
      else ++d;
    }
  const double expected = (c - d) / std::sqrt(static_cast<double>(c + d + tx) * static_cast<double>(c + d + ty));
  EXPECT_NEAR(kendall_tau(x, y), expected, 1e-12);
}

TEST(RankCorrelation, RejectsBadInput) {
  EXPECT_THROW(spearman({1, 2}, {1, 2, 3}), Error);
  EXPECT_THROW(kendall_tau({1}, {1}), Error);
  EXPECT_THROW(spearman({1, NAN, 3}, {1, 2, 3}), Error);
}

TEST(RankCorrelation, TopFractionSpearmanScoresOnlyTheBest) {
  // 10 archs: the best 20 % are positions 7 (truth 9) and 2 (truth 8); ranked correctly -> +1.
  const std::vector<double> truth = {1, 2, 8, 3, 4, 5, 6, 9, 0, 7};
  std::vector<double> score = {9, 9, 1, 9, 9, 9, 9, 2, 9, 9};  // wrong everywhere else
  EXPECT_EQ(top_fraction_positions(truth, 0.2), (std::vector<std::size_t>{7, 2}));
  EXPECT_DOUBLE_EQ(top_fraction_spearman(score, truth, 0.2), 1.0);
  score[2] = 3;  // now the two best are in the wrong order
  EXPECT_DOUBLE_EQ(top_fraction_spearman(score, truth, 0.2), -1.0);
  // ceil: 30 % of 10 -> 3 positions (7, 2, 9), checked against spearman on the subset.
  const std::vector<double> s3 = {score[7], score[2], score[9]}, t3 = {9, 8, 7};
  EXPECT_DOUBLE_EQ(top_fraction_spearman(score, truth, 0.3), spearman(s3, t3));
  // Ties at the cut go to the earlier position.
  EXPECT_EQ(top_fraction_positions({5, 7, 7, 7}, 0.5), (std::vector<std::size_t>{1, 2}));
  EXPECT_THROW(top_fraction_spearman(score, truth, 0.1), Error);  // 1 arch
  EXPECT_THROW(top_fraction_spearman(score, truth, 0.0), Error);
  EXPECT_THROW(top_fraction_spearman(score, truth, 1.5), Error);
}

}  // namespace pelnas
