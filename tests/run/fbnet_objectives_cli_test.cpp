// More than two objectives on the FBNet space (`--space fbnet --objectives accuracy,latency,energy`),
// torch-free: the signal comes from the fixture evaluator (tests/fixtures/evaluator/fbnet_evaluator.py).
// Checked against independent computations written here: each cost is re-summed from the LUT CSV
// with keys built from the data README's composition rule (not through FbnetLut); the normalisation's
// bounds are the per-layer minima / maxima of those entries; every front is the brute-force
// non-dominated set of the archive; the 3-D HV is recomputed by slicing (2-D sweeps per slab), not
// by pagmo; stop + --resume equals an uninterrupted run; the bench grid's union front and IGD are
// recomputed from the runs' fronts; the report draws the projections; bad input exits 2 naming the cause.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/csv.h"
#include "test_support.h"

namespace pelnas {
namespace {

std::string evaluator() { return test::evaluator_fixture_command("fbnet_evaluator.py"); }

std::vector<std::string> args(const std::string& out, const std::string& algorithm, const std::string& device = "fpga",
                              std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"search",      "--space",  "fbnet", "--data", test::data_dir(), "--device", device,
                                "--algorithm", algorithm,  "--budget", "30", "--seed", "3", "--objectives",
                                "accuracy,latency,energy", "--evaluator", evaluator(), "--out", out};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// The CIFAR-100 FBNet network's LUT keys per layer, from the data README (section 7), and the LUT
// values read straight from the CSV.
struct IndependentLut {
  std::map<std::string, std::map<std::string, double>> rows;  // op_key -> metric -> value

  IndependentLut() {
    const auto t = CsvTable::read(test::data_dir() + "/fbnet_hw_lut.csv");
    for (std::size_t r = 0; r < t.rows(); ++r)
      for (const char* m : {"fpga_latency", "fpga_energy", "eyeriss_latency", "eyeriss_energy", "edgegpu_latency", "edgegpu_energy"})
        rows[std::string(t.cell(r, t.column("op_key")))][m] = t.number(r, t.column(m));
  }
  double at(const std::string& key, const std::string& metric) const { return rows.at(key).at(metric); }

  // The keys of the fixed layers and, per searchable layer, of each of the 9 blocks.
  static std::vector<std::string> fixed_keys() {
    return {"ConvNorm_H32_W32_Cin3_Cout16_kernel3_stride1_group1", "ConvNorm_H4_W4_Cin352_Cout1504_kernel1_stride1_group1",
            "AvgP_H4_W4_Cin1504_Cout1504_kernel4_stride1", "FC_Cin1504_Cout100"};
  }
  static std::vector<std::array<std::string, 9>> layer_keys() {
    const int layers[] = {1, 4, 4, 4, 4, 4, 1}, channels[] = {16, 24, 32, 64, 112, 184, 352}, strides[] = {1, 1, 2, 2, 1, 2, 1};
    const int exp[] = {1, 1, 3, 6, 1, 1, 3, 6}, kernel[] = {3, 3, 3, 3, 5, 5, 5, 5}, group[] = {1, 2, 1, 1, 1, 2, 1, 1};
    std::vector<std::array<std::string, 9>> out;
    int h = 32, cin = 16;
    for (int s = 0; s < 7; ++s)
      for (int l = 0; l < layers[s]; ++l) {
        const int stride = l == 0 ? strides[s] : 1, cout = channels[s];
        std::array<std::string, 9> k;
        for (int b = 0; b < 8; ++b)
          k[b] = "ConvBlock_H" + std::to_string(h) + "_W" + std::to_string(h) + "_Cin" + std::to_string(cin) + "_Cout" +
                 std::to_string(cout) + "_exp" + std::to_string(exp[b]) + "_kernel" + std::to_string(kernel[b]) + "_stride" +
                 std::to_string(stride) + "_group" + std::to_string(group[b]);
        k[8] = "Skip_H" + std::to_string(h) + "_W" + std::to_string(h) + "_Cin" + std::to_string(cin) + "_Cout" +
               std::to_string(cout) + "_stride" + std::to_string(stride);
        out.push_back(k);
        h /= stride;
        cin = cout;
      }
    return out;
  }
  double cost(const std::string& arch, const std::string& metric) const {
    static const std::vector<std::string> names = {"k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1", "k5_e1_g2", "k5_e3", "k5_e6", "skip"};
    double sum = 0;
    for (const auto& k : fixed_keys()) sum += at(k, metric);
    const auto keys = layer_keys();
    std::size_t start = 0;
    for (std::size_t layer = 0; layer < keys.size(); ++layer) {
      const auto end = arch.find('-', start);
      const std::string block = arch.substr(start, end == std::string::npos ? std::string::npos : end - start);
      const auto b = std::find(names.begin(), names.end(), block) - names.begin();
      EXPECT_LT(b, 9) << block;
      sum += at(keys[layer][static_cast<std::size_t>(b)], metric);
      start = end + 1;
    }
    return sum;
  }
  // Exact bounds: the fixed layers plus each layer's cheapest / dearest block.
  std::pair<double, double> bounds(const std::string& metric) const {
    double lo = 0, hi = 0;
    for (const auto& k : fixed_keys()) lo += at(k, metric), hi += at(k, metric);
    for (const auto& layer : layer_keys()) {
      double a = INFINITY, b = -INFINITY;
      for (const auto& k : layer) a = std::min(a, at(k, metric)), b = std::max(b, at(k, metric));
      lo += a;
      hi += b;
    }
    return {lo, hi};
  }
};

const IndependentLut& lut() {
  static const IndependentLut l;
  return l;
}

using P3 = std::array<double, 3>;  // minimised, normalised

bool dominates(const P3& a, const P3& b) {
  return a[0] <= b[0] && a[1] <= b[1] && a[2] <= b[2] && (a[0] < b[0] || a[1] < b[1] || a[2] < b[2]);
}

// Exact 3-D hypervolume (minimisation, reference (1,1,1)) by slicing along the third objective:
// between consecutive third coordinates, the slab's area is the 2-D HV of the points below it.
double hv3_slices(std::vector<P3> pts) {
  std::erase_if(pts, [](const P3& p) { return !(p[0] < 1 && p[1] < 1 && p[2] < 1); });
  std::vector<double> zs;
  for (const auto& p : pts) zs.push_back(p[2]);
  zs.push_back(1.0);
  std::sort(zs.begin(), zs.end());
  zs.erase(std::unique(zs.begin(), zs.end()), zs.end());
  double v = 0;
  for (std::size_t i = 0; i + 1 < zs.size(); ++i) {
    std::vector<std::pair<double, double>> below;
    for (const auto& p : pts)
      if (p[2] <= zs[i]) below.emplace_back(p[0], p[1]);
    std::sort(below.begin(), below.end());
    double area = 0, best = 1.0;
    for (const auto& [x, y] : below)
      if (y < best) area += (1.0 - x) * (best - y), best = y;
    v += area * (zs[i + 1] - zs[i]);
  }
  return v;
}

struct Row {
  std::string arch;
  double signal, latency, energy;
};

std::vector<Row> rows_of(const std::string& csv) {
  const auto t = CsvTable::read(csv);
  std::vector<Row> out;
  for (std::size_t i = 0; i < t.rows(); ++i)
    out.push_back({std::string(t.cell(i, t.column("arch_str"))), t.number(i, t.column("accuracy")), t.number(i, t.column("latency")),
                   t.number(i, t.column("energy"))});
  return out;
}

P3 normalised(const Row& r, const nlohmann::json& n) {
  const auto& e = n["extra_costs"][0];
  return {(100.0 - r.signal) / 100.0, (r.latency - n["cost_min"].get<double>()) / (n["cost_max"].get<double>() - n["cost_min"].get<double>()),
          (r.energy - e["min"].get<double>()) / (e["max"].get<double>() - e["min"].get<double>())};
}

TEST(FbnetObjectivesCli, EveryAlgorithmsFrontIsNonDominatedWithLutCostsAndAnIndependentHv) {
  const auto [lat_lo, lat_hi] = lut().bounds("fpga_latency");
  const auto [en_lo, en_hi] = lut().bounds("fpga_energy");
  for (const std::string algo : {"random", "rea", "nsga2", "pelnas"}) {
    const std::string out = test::temp_dir("fbnet3-" + algo) + "/run";
    const auto r = test::run_cli(args(out, algo, "fpga", {"--json"}));
    ASSERT_EQ(r.exit_code, 0) << algo << ": " << r.err;
    const auto summary = nlohmann::json::parse(r.out);
    EXPECT_EQ(summary["objectives"], nlohmann::json({"accuracy", "latency", "energy"})) << algo;
    const auto& n = summary["hv_normalisation"];
    // The fixed normalisation: the exact per-layer bounds of both costs.
    EXPECT_NEAR(n["cost_min"].get<double>(), lat_lo, 1e-9);
    EXPECT_NEAR(n["cost_max"].get<double>(), lat_hi, 1e-9);
    ASSERT_EQ(n["extra_costs"].size(), 1u);
    EXPECT_EQ(n["extra_costs"][0]["name"], "fpga_energy");
    EXPECT_NEAR(n["extra_costs"][0]["min"].get<double>(), en_lo, 1e-9);
    EXPECT_NEAR(n["extra_costs"][0]["max"].get<double>(), en_hi, 1e-9);
    const auto config = nlohmann::json::parse(test::read_file(out + "/config.json"));
    EXPECT_EQ(config["hv_normalisation"], n);

    const auto archive = rows_of(out + "/archive.csv");
    ASSERT_EQ(archive.size(), 30u) << algo;
    for (const auto& a : archive) {
      EXPECT_NEAR(a.latency, lut().cost(a.arch, "fpga_latency"), 1e-9) << algo << " " << a.arch;
      EXPECT_NEAR(a.energy, lut().cost(a.arch, "fpga_energy"), 1e-9) << algo << " " << a.arch;
      EXPECT_TRUE(a.latency >= lat_lo - 1e-9 && a.latency <= lat_hi + 1e-9 && a.energy >= en_lo - 1e-9 && a.energy <= en_hi + 1e-9);
    }
    // front.csv = the brute-force non-dominated set of the archive (in the three objectives).
    std::set<std::string> expected;
    std::vector<P3> pts;
    for (const auto& a : archive) {
      const P3 p = normalised(a, n);
      pts.push_back(p);
      if (std::none_of(archive.begin(), archive.end(), [&](const Row& b) { return dominates(normalised(b, n), p); }))
        expected.insert(a.arch);
    }
    std::set<std::string> got;
    for (const auto& f : rows_of(out + "/front.csv")) got.insert(f.arch);
    EXPECT_EQ(got, expected) << algo;
    EXPECT_EQ(summary["front"].size(), expected.size()) << algo;
    // The HV (pagmo's n-D hypervolume) against an independent 3-D slicing.
    const double hv = summary["hv"].get<double>();
    EXPECT_NEAR(hv, hv3_slices(pts), 1e-12) << algo;
    EXPECT_GT(hv, 0);
  }
}

TEST(FbnetObjectivesCli, StopAndResumeEqualsAnUninterruptedRun) {
  for (const std::string algo : {"pelnas", "nsga2"}) {
    const std::string whole = test::temp_dir("fbnet3-whole-" + algo) + "/run";
    ASSERT_EQ(test::run_cli(args(whole, algo)).exit_code, 0);
    const std::string out = test::temp_dir("fbnet3-stop-" + algo) + "/run";
    const auto stopped = test::run_cli(args(out, algo, "fpga", {"--stop-after-generation", "1"}));
    ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
    ASSERT_FALSE(std::filesystem::exists(out + "/summary.json")) << algo;
    const auto resumed = test::run_cli({"search", "--resume", out});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    for (const char* f : {"archive.csv", "front.csv", "metrics.csv"})
      EXPECT_EQ(test::read_file(out + "/" + f), test::read_file(whole + "/" + f)) << algo << " " << f;
    auto a = nlohmann::json::parse(test::read_file(out + "/summary.json")), b = nlohmann::json::parse(test::read_file(whole + "/summary.json"));
    EXPECT_EQ(a["hv"], b["hv"]);
    EXPECT_EQ(a["front"], b["front"]);
  }
}

TEST(FbnetObjectivesCli, ReportDrawsProjectionsAndParallelCoordinates) {
  const std::string out = test::temp_dir("fbnet3-report") + "/run";
  ASSERT_EQ(test::run_cli(args(out, "rea", "eyeriss")).exit_code, 0);
  const auto r = test::run_cli({"report", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = test::read_file(out + "/report.html");
  // Three objectives: three pairwise projections and one parallel-coordinates plot.
  for (const std::string id : {"plot-projection-0", "plot-projection-1", "plot-projection-2", "plot-parallel"})
    EXPECT_NE(html.find("id=\"" + id + "\""), std::string::npos) << id;
  EXPECT_EQ(html.find("plot-projection-3"), std::string::npos);
  EXPECT_NE(html.find("eyeriss_energy (mJ)"), std::string::npos);
  EXPECT_NE(html.find("eyeriss_latency (ms)"), std::string::npos);
  for (const auto& f : rows_of(out + "/front.csv")) EXPECT_NE(html.find(f.arch), std::string::npos);
}

TEST(FbnetObjectivesCli, ExportPicksFromTheThreeObjectiveFront) {
  const std::string out = test::temp_dir("fbnet3-export") + "/run";
  ASSERT_EQ(test::run_cli(args(out, "random")).exit_code, 0);
  const auto front = rows_of(out + "/front.csv");
  ASSERT_GE(front.size(), 1u);
  std::set<std::string> front_archs;
  for (const auto& f : front) front_archs.insert(f.arch);
  auto exported = [&](const std::string& pick) {
    const auto r = test::run_cli({"export", out, "--pick", pick, "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << pick << ": " << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
  };
  // max-accuracy and min-latency: the front's extremes; knee: a front point; each with both costs.
  const auto best = *std::max_element(front.begin(), front.end(), [](const Row& a, const Row& b) {
    return a.signal < b.signal || (a.signal == b.signal && a.latency > b.latency);
  });
  const auto fastest = *std::min_element(front.begin(), front.end(), [](const Row& a, const Row& b) {
    return a.latency < b.latency || (a.latency == b.latency && a.signal > b.signal);
  });
  const auto m = exported("max-accuracy");
  EXPECT_EQ(m["arch"], best.arch);
  EXPECT_DOUBLE_EQ(m["metrics"]["accuracy"].get<double>(), best.signal);
  EXPECT_EQ(exported("min-latency")["arch"], fastest.arch);
  const auto k = exported("knee");
  EXPECT_TRUE(front_archs.count(k["arch"].get<std::string>())) << k.dump();
  EXPECT_EQ(k["metrics"]["objectives"], nlohmann::json({"accuracy", "latency", "energy"}));
  const std::string ka = k["arch"];
  EXPECT_NEAR(k["metrics"]["cost"]["value"].get<double>(), lut().cost(ka, "fpga_latency"), 1e-9);
  EXPECT_EQ(k["metrics"]["extra_costs"][0]["name"], "fpga_energy");
  EXPECT_NEAR(k["metrics"]["extra_costs"][0]["value"].get<double>(), lut().cost(ka, "fpga_energy"), 1e-9);
  // An architecture the run never evaluated: the LUT's costs, no signal.
  const std::string all_e6 = [] {
    std::string s;
    for (int l = 0; l < 22; ++l) s += (l ? "-" : "") + std::string("k5_e6");
    return s;
  }();
  const auto u = exported(all_e6);
  EXPECT_EQ(u["evaluated_by_run"], false);
  EXPECT_TRUE(u["metrics"]["accuracy"].is_null());
  EXPECT_NEAR(u["metrics"]["extra_costs"][0]["value"].get<double>(), lut().cost(all_e6, "fpga_energy"), 1e-9);
  // The PyTorch module of the knee names its parameter count; a bad pick names the choices.
  const auto py = test::run_cli({"export", out, "--pick", "knee", "--format", "pytorch"});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  EXPECT_NE(py.out.find("EXPECTED_PARAMETERS = " + std::to_string(k["metrics"]["params"].get<long long>())), std::string::npos);
  const auto bad = test::run_cli({"export", out, "--pick", "17"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("knee, max-accuracy, min-latency"), std::string::npos) << bad.err;
}

TEST(FbnetObjectivesCli, BadObjectivesAreNamedWithExit2) {
  const std::string dir = test::temp_dir("fbnet3-bad");
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      // Devices without an energy table in FBNet: the error names what they have.
      {args(dir + "/a", "pelnas", "raspi4"), {"raspi4", "no energy", "it has: latency"}},
      {args(dir + "/b", "random", "pixel3"), {"pixel3", "no energy", "it has: latency"}},
      {{"bench", "--space", "fbnet", "--data", test::data_dir(), "--devices", "fpga,pixel3", "--objectives", "accuracy,latency,energy",
        "--algos", "random", "--seeds", "1", "--budget", "6", "--evaluator", evaluator(), "--out", dir + "/c"},
       {"pixel3", "no energy", "it has: latency"}},
      {{"search", "--space", "fbnet", "--data", test::data_dir(), "--device", "fpga", "--objectives", "accuracy,latency,power",
        "--evaluator", evaluator(), "--out", dir + "/d"},
       {"unknown objective 'power'", "accuracy, latency, energy"}},
      {{"bench", "--space", "fbnet", "--data", test::data_dir(), "--devices", "fpga", "--objectives", "accuracy,params", "--algos",
        "random", "--seeds", "1", "--budget", "6", "--evaluator", evaluator(), "--out", dir + "/e"},
       {"unknown objective 'params'", "accuracy, latency, energy"}},
      {args(dir + "/f", "pelnas", "fpga", {"--metric", "energy"}), {"--metric energy contradicts --objectives"}},
  };
  for (const auto& c : cases) {
    const auto r = test::run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.expected.front() << "\n" << r.err;
    for (const auto& e : c.expected) EXPECT_NE(r.err.find(e), std::string::npos) << "expected '" << e << "' in: " << r.err;
  }
  // Nothing was written for the refused runs.
  for (const char* d : {"/a", "/b", "/c", "/d", "/e", "/f"}) EXPECT_FALSE(std::filesystem::exists(dir + d + "/config.json")) << d;
}

TEST(FbnetObjectivesCli, BenchScoresThreeObjectivesAgainstTheUnionOfTheGrid) {
  const std::string out = test::temp_dir("fbnet3-bench") + "/grid";
  const auto r = test::run_cli({"bench", "--space", "fbnet", "--data", test::data_dir(), "--devices", "edgegpu", "--objectives",
                                "accuracy,latency,energy", "--algos", "random,nsga2", "--algo-options", R"({"nsga2": {"population": 8}})",
                                "--seeds", "2", "--budget", "16", "--evaluator", evaluator(), "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(test::read_file(out + "/summary.json"));
  EXPECT_EQ(summary["objectives"], nlohmann::json({"accuracy", "latency", "energy"}));
  const auto& dev = summary["devices"][0];
  const auto& n = dev["hv_normalisation"];
  const auto results = CsvTable::read(out + "/results.csv");
  ASSERT_EQ(results.rows(), 4u);
  // The union front by brute force over every run's archive, in three objectives.
  std::vector<Row> all;
  std::vector<std::vector<P3>> fronts;
  for (std::size_t i = 0; i < results.rows(); ++i) {
    const std::string run(results.cell(i, results.column("run_dir")));
    for (const auto& a : rows_of(run + "/archive.csv")) all.push_back(a);
    fronts.emplace_back();
    for (const auto& f : rows_of(run + "/front.csv")) fronts.back().push_back(normalised(f, n));
  }
  std::set<std::string> expected;
  std::vector<P3> ref;
  for (const auto& a : all)
    if (std::none_of(all.begin(), all.end(), [&](const Row& b) { return dominates(normalised(b, n), normalised(a, n)); }) &&
        expected.insert(a.arch).second)
      ref.push_back(normalised(a, n));
  const auto unions = CsvTable::read(out + "/union_fronts.csv");
  std::set<std::string> got;
  for (std::size_t k = 0; k < unions.rows(); ++k) {
    got.insert(std::string(unions.cell(k, unions.column("arch_str"))));
    EXPECT_NEAR(unions.number(k, unions.column("energy")), lut().cost(std::string(unions.cell(k, unions.column("arch_str"))), "edgegpu_energy"), 1e-9);
  }
  EXPECT_EQ(got, expected);
  const double union_hv = hv3_slices(ref);
  EXPECT_NEAR(dev["union_front_hv"].get<double>(), union_hv, 1e-12);
  // Per run: HV ratio = HV / union HV; IGD = mean distance from each union point to the run's front.
  for (std::size_t i = 0; i < results.rows(); ++i) {
    EXPECT_NEAR(results.number(i, results.column("hv")), hv3_slices(fronts[i]), 1e-12);
    EXPECT_NEAR(results.number(i, results.column("hv_ratio_vs_union")), hv3_slices(fronts[i]) / union_hv, 1e-12);
    double igd = 0;
    for (const auto& z : ref) {
      double best = INFINITY;
      for (const auto& a : fronts[i])
        best = std::min(best, std::sqrt((a[0] - z[0]) * (a[0] - z[0]) + (a[1] - z[1]) * (a[1] - z[1]) + (a[2] - z[2]) * (a[2] - z[2])));
      igd += best;
    }
    EXPECT_NEAR(results.number(i, results.column("igd_vs_union")), igd / static_cast<double>(ref.size()), 1e-12);
  }
  EXPECT_NE(test::read_file(out + "/report.html").find("edgegpu_energy"), std::string::npos);
}

}  // namespace
}  // namespace pelnas
