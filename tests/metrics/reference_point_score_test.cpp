// Scoring without a true front (a told cost): HV against a reference point given by the user or
// derived from the archive (worst value + 10 % of the range), checked against hand-computed values
// and the exact n-D hypervolume.
#include "metrics/reference_point_score.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "metrics/hypervolume.h"
#include "test_support.h"

namespace pelnas {
namespace {

TEST(ReferencePointScore, ArchiveReferenceIsTheWorstValuePlusTenPercentOfTheRange) {
  const std::vector<ObjectiveVector> evaluated{{10, 5}, {20, 1}, {15, 3}, {18, 4.5}};
  const auto ref = reference_point_from_archive(evaluated);
  ASSERT_EQ(ref.size(), 2u);
  EXPECT_DOUBLE_EQ(ref[0], 20 + 0.1 * 10);
  EXPECT_DOUBLE_EQ(ref[1], 5 + 0.1 * 4);
  // A constant objective: 10 % of its magnitude, or 1 at zero, so every point stays inside the box.
  const auto flat = reference_point_from_archive({{7, 0}, {7, 0}});
  EXPECT_DOUBLE_EQ(flat[0], 7.7);
  EXPECT_DOUBLE_EQ(flat[1], 1.0);
  EXPECT_NE(test::error_of([] { reference_point_from_archive({}); }).find("empty"), std::string::npos);
  EXPECT_NE(test::error_of([] { reference_point_from_archive({{1, NAN}}); }).find("non-finite"), std::string::npos);
}

TEST(ReferencePointScore, HypervolumeAgainstTheDerivedOrTheGivenPoint) {
  const std::vector<ObjectiveVector> evaluated{{10, 5}, {20, 1}, {15, 3}, {18, 4.5}};
  const std::vector<ObjectiveVector> front{{10, 5}, {20, 1}, {15, 3}};
  // Derived reference (21, 5.4): slabs (21-10)(5.4-5) + (21-15)(5-3) + (21-20)(3-1) = 4.4 + 12 + 2.
  const auto derived = score_against_reference_point(front, evaluated, std::nullopt);
  EXPECT_FALSE(derived.reference_given);
  EXPECT_NEAR(derived.hv, 4.4 + 12 + 2, 1e-12);
  // A given point: (16, 4) leaves only (15, 3) inside: (16-15)(4-3) = 1.
  const auto given = score_against_reference_point(front, evaluated, ObjectiveVector{16, 4});
  EXPECT_TRUE(given.reference_given);
  EXPECT_EQ(given.reference, (ObjectiveVector{16, 4}));
  EXPECT_DOUBLE_EQ(given.hv, 1.0);
  // A point beyond which nothing is found scores 0, not an error.
  EXPECT_EQ(score_against_reference_point(front, evaluated, ObjectiveVector{5, 5}).hv, 0.0);
  // Three objectives: the exact n-D hypervolume with the derived point.
  const std::vector<ObjectiveVector> e3{{1, 2, 3}, {3, 1, 2}, {2, 3, 1}};
  const auto s3 = score_against_reference_point(e3, e3, std::nullopt);
  EXPECT_EQ(s3.reference, (ObjectiveVector{3.2, 3.2, 3.2}));
  EXPECT_NEAR(s3.hv, hypervolume(e3, s3.reference), 1e-12);
  EXPECT_GT(s3.hv, 0.0);
}

TEST(ReferencePointScore, TheDescriptionSaysThereIsNoRatioAndWhereThePointCameFrom) {
  const auto derived = score_against_reference_point({{10, 5}}, {{10, 5}, {20, 1}}, std::nullopt);
  const std::string d = describe_reference_point_score(derived, {"error %", "energy (mJ)"});
  EXPECT_NE(d.find("no HV ratio, IGD or IGD+"), std::string::npos) << d;
  EXPECT_NE(d.find("derived from the run's archive"), std::string::npos) << d;
  EXPECT_NE(d.find("energy (mJ) = 5.4"), std::string::npos) << d;
  const auto given = score_against_reference_point({{10, 5}}, {{10, 5}}, ObjectiveVector{30, 9});
  EXPECT_NE(describe_reference_point_score(given, {"error %", "cost"}).find("given by the user"), std::string::npos);
}

}  // namespace
}  // namespace pelnas
