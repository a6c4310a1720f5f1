#include "metrics/evaluation_protocol.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "test_support.h"

namespace pelnas {
namespace {

struct Fixture {
  std::shared_ptr<CostSource> cost;
  std::unique_ptr<Evaluator> evaluator;
  Fixture(Dataset d, const std::string& device, AccuracyMetric seen) {
    cost = make_cost_source(test::data(), d, {device, HwMetric::Latency});
    evaluator = std::make_unique<Evaluator>(test::data(), d, std::make_shared<TableAccuracy>(test::data(), d, seen), cost);
  }
};

TEST(EvaluationProtocol, TrueFrontScoresOneAndZero) {
  Fixture s(Dataset::Cifar10, "fpga", AccuracyMetric::Test);
  const auto p = EvaluationProtocol::for_cost_source(*test::data(), Dataset::Cifar10, *s.cost);
  std::vector<Arch> archs;
  for (const auto& e : p.true_front().entries) archs.push_back(test::data()->arch(e.index));
  const auto r = p.score(archs, *s.evaluator);
  EXPECT_DOUBLE_EQ(r.hv_ratio, 1.0);
  EXPECT_DOUBLE_EQ(r.hv, p.true_front_hv());
  EXPECT_EQ(r.igd, 0.0);
  EXPECT_EQ(r.igd_plus, 0.0);
  EXPECT_EQ(r.found, static_cast<int>(archs.size()));
}

TEST(EvaluationProtocol, NormalisesByIdealAndNadir) {
  Fixture s(Dataset::Cifar10, "fpga", AccuracyMetric::Test);
  const auto p = EvaluationProtocol::for_cost_source(*test::data(), Dataset::Cifar10, *s.cost);
  const auto& f = p.true_front().entries;
  // Ideal = (lowest error, lowest cost) of the front; nadir the opposite corners.
  EXPECT_DOUBLE_EQ(p.ideal()[0], 100.0 - f.back().accuracy);
  EXPECT_DOUBLE_EQ(p.ideal()[1], f.front().cost);
  EXPECT_DOUBLE_EQ(p.nadir()[0], 100.0 - f.front().accuracy);
  EXPECT_DOUBLE_EQ(p.nadir()[1], f.back().cost);
  const auto n = p.normalise(p.nadir());
  EXPECT_DOUBLE_EQ(n[0], 1.0);
  EXPECT_DOUBLE_EQ(n[1], 1.0);
  // The single ideal point would dominate everything: HV 1 in the unit box.
  const auto ideal = p.score_objectives({p.ideal()});
  EXPECT_DOUBLE_EQ(ideal.hv, 1.0);
  EXPECT_GT(ideal.hv_ratio, 1.0);
  EXPECT_EQ(ideal.igd_plus, 0.0);
  // The nadir point adds nothing; its IGD is the mean distance of the true points to (1, 1).
  const auto nadir = p.score_objectives({p.nadir()});
  EXPECT_EQ(nadir.hv, 0.0);
  EXPECT_GT(nadir.igd, 0.0);
  EXPECT_NE(p.describe().find("rounded to 10 significant digits"), std::string::npos);
  EXPECT_NE(p.describe().find("fpga_latency"), std::string::npos);
}

TEST(EvaluationProtocol, ReScoresWithTrueTestAccuracy) {
  // A search that saw 12-epoch accuracy is judged on the 200-epoch test accuracy of its answer.
  Fixture s(Dataset::Cifar10, "fpga", AccuracyMetric::Test12);
  const auto p = EvaluationProtocol::for_cost_source(*test::data(), Dataset::Cifar10, *s.cost);
  Archive archive;
  for (int i : {6111, 4384, 100, 12438}) {
    const Arch a = test::data()->arch(i);
    const auto seen = s.evaluator->evaluate(a);
    EvaluatedArch e;
    e.arch = a;
    e.index = i;
    e.accuracy = *seen.accuracy;
    e.cost = *seen.cost;
    e.order = static_cast<int>(archive.size()) + 1;
    archive.add(e);
  }
  std::vector<ObjectiveVector> truth;
  for (const auto& e : archive.pareto_front())
    truth.push_back({100.0 - *test::data()->accuracy(e.index, Dataset::Cifar10), e.cost});
  const auto expected = p.score_objectives(truth);
  const auto got = p.score_archive(archive, *s.evaluator);
  EXPECT_EQ(got.hv, expected.hv);
  EXPECT_EQ(got.igd, expected.igd);
  // And differs from scoring the seen (12-epoch) values.
  std::vector<ObjectiveVector> seen;
  for (const auto& e : archive.pareto_front()) seen.push_back({100.0 - e.accuracy, e.cost});
  EXPECT_NE(p.score_objectives(seen).hv, got.hv);
  // Prefix of 1 evaluation = the first architecture alone.
  EXPECT_EQ(p.score_archive_prefix(archive, 1, *s.evaluator).found, 1);
}

TEST(EvaluationProtocol, ParsesReferencePoints) {
  EXPECT_EQ(parse_reference_point("1.1,1.1", "--hv-ref"), (ObjectiveVector{1.1, 1.1}));
  EXPECT_EQ(parse_reference_point("2, 1.5", "--hv-ref"), (ObjectiveVector{2.0, 1.5}));
  for (const char* bad : {"", "1", "1,", ",1", "0,1", "-1,1", "1,nan", "1,inf", "x,1", "1;1", "1,1,"}) {
    const std::string msg = test::error_of([&] { parse_reference_point(bad, "--hv-ref"); });
    EXPECT_NE(msg.find("--hv-ref"), std::string::npos) << "'" << bad << "' gave: " << msg;
  }
}

TEST(EvaluationProtocol, RejectsMismatchedEvaluatorAndDegenerateReference) {
  Fixture s(Dataset::Cifar10, "raspi4", AccuracyMetric::Test);
  auto fpga = make_cost_source(test::data(), Dataset::Cifar10, {"fpga", HwMetric::Latency});
  const auto p = EvaluationProtocol::for_cost_source(*test::data(), Dataset::Cifar10, *fpga);
  EXPECT_THROW(p.score({test::data()->arch(0)}, *s.evaluator), Error);
  EXPECT_THROW(p.score_objectives({}), Error);
  ProtocolOptions o;
  o.reference_point = ObjectiveVector{0.0, 0.0};
  EXPECT_THROW(EvaluationProtocol::for_cost_source(*test::data(), Dataset::Cifar10, *fpga, o), Error);
}

}  // namespace
}  // namespace pelnas
