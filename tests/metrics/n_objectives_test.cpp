// More than two objectives (issue 11): n-D hypervolume against an independent grid count, the n-D
// non-dominated filter against Deb's sort, the 3-objective true front of NB201 checked point by point
// against every candidate, the evaluation protocol in 3-D, and the objective list's errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.h"
#include "common/rng.h"
#include "evaluate/objective_list.h"
#include "hardware/searchable_space.h"
#include "metrics/evaluation_protocol.h"
#include "metrics/hypervolume.h"
#include "metrics/incremental_archive_score.h"
#include "metrics/non_dominated_sort.h"
#include "metrics/true_front.h"
#include "search/archive.h"
#include "test_support.h"

namespace pelnas {
namespace {

// Independent exact reference for any dimension: compress every axis to the points' coordinates
// and add up the cells whose lower corner some point weakly dominates. O(n^(d+1)), small sets only.
double grid_count_hv(const std::vector<ObjectiveVector>& pts, const ObjectiveVector& ref) {
  const std::size_t d = ref.size();
  std::vector<std::vector<double>> axes(d);
  for (std::size_t k = 0; k < d; ++k) {
    axes[k].push_back(ref[k]);
    for (const auto& p : pts)
      if (p[k] < ref[k]) axes[k].push_back(p[k]);
    std::sort(axes[k].begin(), axes[k].end());
    axes[k].erase(std::unique(axes[k].begin(), axes[k].end()), axes[k].end());
  }
  std::vector<std::size_t> cell(d, 0);
  double volume = 0;
  while (true) {
    bool inside = true;
    for (std::size_t k = 0; k < d; ++k) inside = inside && cell[k] + 1 < axes[k].size();
    if (inside) {
      bool covered = false;
      for (const auto& p : pts) {
        bool dom = true;
        for (std::size_t k = 0; k < d && dom; ++k) dom = p[k] <= axes[k][cell[k]];
        if (dom) { covered = true; break; }
      }
      if (covered) {
        double v = 1;
        for (std::size_t k = 0; k < d; ++k) v *= axes[k][cell[k] + 1] - axes[k][cell[k]];
        volume += v;
      }
    }
    std::size_t k = 0;
    while (k < d && ++cell[k] >= axes[k].size()) cell[k++] = 0;
    if (k == d) break;
  }
  return volume;
}

TEST(NObjectives, PagmoHypervolumeMatchesGridCountIn3dAnd4d) {
  Rng rng(11);
  for (int trial = 0; trial < 120; ++trial) {
    const std::size_t d = trial % 2 == 0 ? 3 : 4;
    const int n = static_cast<int>(rng.uniform_int(1, d == 3 ? 14 : 8));
    const bool coarse = trial % 3 == 0;  // shared coordinates and duplicates
    std::vector<ObjectiveVector> pts(n, ObjectiveVector(d));
    for (auto& p : pts)
      for (auto& v : p) v = coarse ? static_cast<double>(rng.uniform_int(0, 5)) : rng.uniform01() * 4;
    const ObjectiveVector ref(d, coarse ? 4.0 : 3.5);  // some points lie outside it
    const double hv = hypervolume(pts, ref);
    ASSERT_NEAR(hv, grid_count_hv(pts, ref), 1e-9 * std::max(1.0, hv)) << "trial " << trial << " d " << d;
  }
}

TEST(NObjectives, FastNonDominatedFilterMatchesDebSort) {
  Rng rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t d = 3 + static_cast<std::size_t>(trial % 2);
    std::vector<ObjectiveVector> pts(static_cast<std::size_t>(rng.uniform_int(1, 60)), ObjectiveVector(d));
    for (auto& p : pts)
      for (auto& v : p) v = static_cast<double>(rng.uniform_int(0, 6));  // many ties
    ASSERT_EQ(non_dominated_positions(pts), non_dominated_sort(pts).fronts.at(0)) << "trial " << trial;
  }
}

// Every candidate of the space: on the 3-objective front iff no candidate dominates it (rounded).
// Returns the front.
TrueFront check_front_exhaustively(const std::string& device) {
  auto data = test::data();
  const auto lat = make_searchable_cost(data, Dataset::Cifar10, {device, HwMetric::Latency});
  const auto en = make_searchable_cost(data, Dataset::Cifar10, {device, HwMetric::Energy});
  const TrueFront front = compute_true_front(*data, Dataset::Cifar10, *lat, {en.get()});
  EXPECT_EQ(front.objectives(), 3u);
  auto key = [&](int i) {
    return ObjectiveVector{-round_significant(*data->accuracy(i, Dataset::Cifar10, AccuracyMetric::Test)),
                           round_significant(*lat->cost(i)), round_significant(*en->cost(i))};
  };
  std::vector<ObjectiveVector> front_keys;
  std::set<int> on_front;
  for (const auto& e : front.entries) {
    front_keys.push_back(key(e.index));
    on_front.insert(e.index);
    EXPECT_EQ(e.extra_costs.size(), 1u);
    EXPECT_EQ(e.extra_costs.at(0), *en->cost(e.index));
  }
  int candidates = 0;
  for (int i = 0; i < data->size(); ++i) {
    if (!lat->cost(i) || !en->cost(i)) continue;
    ++candidates;
    const auto k = key(i);
    const bool dominated = std::any_of(front_keys.begin(), front_keys.end(), [&](const auto& f) { return dominates(f, k); });
    // Off the front: some front member dominates it. On the front: no candidate does, and (since
    // dominance is transitive) checking the front members suffices for that too.
    EXPECT_EQ(dominated, !on_front.count(i)) << device << " index " << i;
  }
  EXPECT_EQ(candidates, front.n_candidates);
  return front;
}

TEST(NObjectives, ThreeObjectiveTrueFrontEyerissIsExact) {
  // eyeriss energy is published for 12555 of 15625 cells (data README): a partial 3-objective space.
  const TrueFront f = check_front_exhaustively("eyeriss");
  EXPECT_FALSE(f.complete);
  EXPECT_EQ(f.n_candidates, 12282);  // 12555 with energy, minus the degenerate cells among them
  EXPECT_EQ(f.entries.size(), 18u);
}

TEST(NObjectives, ThreeObjectiveTrueFrontFpgaIsExactAndEqualsTheLatencyFront) {
  // fpga energy is 7 x fpga latency for every cell (data README), so energy adds no trade-off: the
  // 3-objective front is the latency front, architecture for architecture.
  const TrueFront f = check_front_exhaustively("fpga");
  EXPECT_TRUE(f.complete);
  auto data = test::data();
  const auto lat = make_searchable_cost(data, Dataset::Cifar10, {"fpga", HwMetric::Latency});
  const TrueFront two = compute_true_front(*data, Dataset::Cifar10, *lat);
  std::vector<int> a, b;
  for (const auto& e : f.entries) a.push_back(e.index);
  for (const auto& e : two.entries) b.push_back(e.index);
  EXPECT_EQ(a, b);
}

TEST(NObjectives, ThreeObjectiveTrueFrontEdgeGpuIsExact) { EXPECT_GT(check_front_exhaustively("edgegpu").entries.size(), 0u); }

TEST(NObjectives, ProtocolIn3dScoresTheTrueFrontAsPerfect) {
  auto data = test::data();
  const auto lat = make_searchable_cost(data, Dataset::Cifar10, {"eyeriss", HwMetric::Latency});
  const auto en = make_searchable_cost(data, Dataset::Cifar10, {"eyeriss", HwMetric::Energy});
  const EvaluationProtocol p(compute_true_front(*data, Dataset::Cifar10, *lat, {en.get()}));
  ASSERT_EQ(p.objectives(), 3u);
  EXPECT_EQ(p.reference_point(), ObjectiveVector(3, 1.0));
  std::vector<ObjectiveVector> truth;
  for (const auto& e : p.true_front().entries) truth.push_back({100.0 - e.accuracy, e.cost, e.extra_costs[0]});
  const auto all = p.score_objectives(truth);
  EXPECT_NEAR(all.hv_ratio, 1.0, 1e-12);
  EXPECT_NEAR(all.igd, 0.0, 1e-12);
  // The ideal point dominates the whole box: HV 1 in the normalised space.
  EXPECT_NEAR(p.score_objectives({p.ideal()}).hv, 1.0, 1e-12);
  // Half the front scores less, and IGD grows.
  std::vector<ObjectiveVector> half(truth.begin(), truth.begin() + static_cast<long>(truth.size() / 2));
  const auto h = p.score_objectives(half);
  EXPECT_LT(h.hv_ratio, 1.0);
  EXPECT_GT(h.igd, 0.0);
  EXPECT_NE(p.describe().find("f3 = eyeriss_energy (mJ)"), std::string::npos);
  EXPECT_NE(p.describe().find("exact 3-D hypervolume (pagmo2)"), std::string::npos);
  // A 2-D reference point for 3 objectives is refused.
  EXPECT_THROW(EvaluationProtocol(compute_true_front(*data, Dataset::Cifar10, *lat, {en.get()}),
                                  ProtocolOptions{ObjectiveVector{1.1, 1.1}}),
               Error);
  EXPECT_EQ(parse_reference_point("1.1,1.2,1.3", "--hv-ref"), (ObjectiveVector{1.1, 1.2, 1.3}));
}

TEST(NObjectives, ArchiveFrontAndIncrementalScoreAgreeWithTheSort) {
  auto data = test::data();
  const auto lat = make_searchable_cost(data, Dataset::Cifar10, {"fpga", HwMetric::Latency});
  const auto en = make_searchable_cost(data, Dataset::Cifar10, {"fpga", HwMetric::Energy});
  auto acc = std::make_shared<TableAccuracy>(data, Dataset::Cifar10, AccuracyMetric::Valid);
  Evaluator ev(data, Dataset::Cifar10, acc, lat, {en});
  const auto protocol = EvaluationProtocol::for_evaluator(ev);
  Rng rng(9);
  Archive archive;
  IncrementalArchiveScore inc(protocol, ev);
  for (int n = 1; n <= 150; ++n) {
    const Arch a = Arch::sample(rng);
    if (!ev.in_domain(a)) continue;
    const auto o = ev.evaluate(a);
    EvaluatedArch e;
    e.arch = a;
    e.index = data->index_of(a);
    e.accuracy = *o.accuracy;
    e.cost = *o.cost;
    e.extra_costs = {*o.extra_costs.at(0)};
    e.order = static_cast<int>(archive.size()) + 1;
    archive.add(e);
    inc.add(e);
    std::vector<ObjectiveVector> pts;
    for (const auto& x : archive.entries()) pts.push_back(minimised_objectives(x));
    auto positions = archive.pareto_front_positions();
    std::vector<std::size_t> sorted = positions;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(sorted, non_dominated_sort(pts).fronts.at(0));
    ASSERT_EQ(inc.front_positions(), positions);
    if (n % 25 == 0) {
      const auto a1 = inc.score(), a2 = protocol.score_archive(archive, ev);
      ASSERT_EQ(a1.hv, a2.hv);
      ASSERT_EQ(a1.igd, a2.igd);
    }
  }
  // Round trips keep the extra costs.
  const Archive back = Archive::from_json(archive.to_json());
  ASSERT_EQ(back.size(), archive.size());
  EXPECT_EQ(back.entries().back().extra_costs, archive.entries().back().extra_costs);
  EXPECT_NE(archive.to_csv({"fpga_energy"}).find("accuracy,cost,fpga_energy\n"), std::string::npos);
}

TEST(NObjectives, ObjectiveListParsesAndNamesTheValidOnes) {
  EXPECT_EQ(ObjectiveList::parse("accuracy,latency,energy", "--objectives").costs,
            (std::vector<HwMetric>{HwMetric::Latency, HwMetric::Energy}));
  EXPECT_EQ(ObjectiveList::parse("accuracy, energy", "x").str(), "accuracy,energy");
  EXPECT_EQ(ObjectiveList{}.str(), "accuracy,latency");
  for (const char* bad : {"accuracy,latncy", "latency,accuracy", "accuracy", "accuracy,latency,latency", "accuracy,,energy",
                          "accuracy,arithmetic_intensity"}) {
    const std::string msg = test::error_of([&] { ObjectiveList::parse(bad, "--objectives"); });
    EXPECT_NE(msg.find("--objectives"), std::string::npos) << bad;
    EXPECT_NE(msg.find("valid objectives: accuracy, latency, energy"), std::string::npos) << bad << ": " << msg;
  }
  // A device without the metric says which metrics it has.
  const std::string msg = test::error_of(
      [&] { make_objective_costs(test::data(), Dataset::Cifar10, "pixel3", ObjectiveList::parse("accuracy,latency,energy", "o")); });
  EXPECT_NE(msg.find("pixel3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("it has: latency"), std::string::npos) << msg;
}

}  // namespace
}  // namespace pelnas
