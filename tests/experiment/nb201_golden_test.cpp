// NB201 results recorded before the space-generic refactor (issue 11): every refactor of the search
// core must keep them byte-identical (archives in order, answers, metrics), through the library
// (benchmark grid: random, rea, nsga2, exhaustive, pelnas with the evolution operator and two
// partitions) and through the CLI (`pelnas search`, run directory files read by column name).
//
// The recorded outputs are tests/experiment/golden/*.txt. To regenerate them ON PURPOSE (a change
// that is meant to alter NB201 results, said so in its commit message):
//   PELNAS_UPDATE_GOLDEN=1 build/pelnas_tests --gtest_filter='Nb201Golden.*'
// then review `git diff tests/experiment/golden`.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/csv.h"
#include "experiment/benchmark_grid.h"
#include "pelnas_build_paths.h"
#include "test_support.h"

namespace pelnas {
namespace {

std::string golden_path(const std::string& name) {
  return (std::filesystem::path(PELNAS_TEST_DIR) / "experiment" / "golden" / name).string();
}

// %.17g: doubles round-trip exactly, so "identical" means bit-identical.
std::string num(double x) { return fmt::format("{:.17g}", x); }

// Writes the golden file when PELNAS_UPDATE_GOLDEN is set, else compares line by line and names
// the first line that differs (with both versions), so a regression is easy to locate.
void check_against_golden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  if (const char* update = std::getenv("PELNAS_UPDATE_GOLDEN"); update && *update) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    test::write_file(path, actual);
    GTEST_SKIP() << "wrote " << path;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing (PELNAS_UPDATE_GOLDEN=1 records it)";
  const std::string expected = test::read_file(path);
  if (expected == actual) return;
  std::istringstream e(expected), a(actual);
  std::string le, la;
  int line = 0;
  while (true) {
    ++line;
    const bool ge = static_cast<bool>(std::getline(e, le));
    const bool ga = static_cast<bool>(std::getline(a, la));
    if (!ge && !ga) break;
    if (!ge || !ga || le != la) {
      FAIL() << name << ": NB201 results changed at line " << line << "\n  recorded: " << (ge ? le : "<end>")
             << "\n  now:      " << (ga ? la : "<end>");
    }
  }
  FAIL() << name << ": differs (line endings?)";
}

TEST(Nb201Golden, BenchmarkGridArchivesFrontsAndMetrics) {
  BenchmarkGridOptions o;
  o.algorithms = {"random", "rea", "nsga2", "exhaustive", "pelnas", "pelnas:partition=conv3x3"};
  // Only CIFAR-10 has HW-NAS-Bench tables in the shipped data; edgetpu is a partial domain (8787 cells).
  o.datasets = {Dataset::Cifar10};
  o.devices = {"fpga", "pixel3", "edgetpu"};
  o.seeds = 2;
  o.budget = 100;
  o.threads = 2;
  o.curve_step = 25;
  const auto result = run_benchmark_grid(test::data(), o);
  std::ostringstream os;
  os << "# NB201 golden outputs: benchmark grid, budget 100, accuracy signal valid, seeds 0-1\n";
  for (const auto& r : result.runs) {
    const auto& s = result.settings[r.setting];
    os << fmt::format("run {} {} {} seed={} signal={} evaluations={}\n", r.algorithm, to_string(s.dataset), s.device,
                      r.seed, s.accuracy_signal, r.evaluations);
    os << fmt::format("metrics hv={} hv_ratio={} igd={} igd_plus={} found={} found_front={}\n", num(r.result.hv),
                      num(r.result.hv_ratio), num(r.result.igd), num(r.result.igd_plus), r.result.found,
                      r.result.found_front);
    for (const auto& c : r.curve)
      os << fmt::format("curve {} {} {}\n", c.evaluations, num(c.hv_ratio), num(c.igd));
    for (const auto& e : r.archive)
      os << fmt::format("a {} {} {} {} {} {} {}\n", e.order, e.generation, e.niche, e.index, e.arch.str(),
                        num(e.accuracy), num(e.cost));
    os << "front";
    for (std::size_t p : r.front) os << ' ' << r.archive[p].order;
    os << '\n';
  }
  check_against_golden("nb201_grid.txt", os.str());
}

// The CLI path: config resolution, the PEL-NAS run loop with checkpoints, run directory files.
// Columns are read by name so added columns (a space, more objectives) do not break the check.
TEST(Nb201Golden, CliSearchRunDirectory) {
  std::ostringstream os;
  os << "# NB201 golden outputs: pelnas search through the CLI (evolution operator)\n";
  struct Case {
    std::vector<std::string> args;
  };
  const std::vector<Case> cases = {
      {{"--dataset", "cifar10", "--device", "fpga", "--seed", "1", "--budget", "120"}},
      {{"--dataset", "cifar10", "--device", "edgegpu", "--seed", "2", "--budget", "80", "--partition", "conv3x3"}},
      {{"--dataset", "cifar10", "--device", "eyeriss", "--metric", "energy", "--seed", "3", "--budget", "60",
        "--no-partition"}},
  };
  int k = 0;
  for (const auto& c : cases) {
    const std::string dir = test::temp_dir("golden-cli") + "/run" + std::to_string(k++);
    std::vector<std::string> args = {"search", "--operator", "evolution", "--out", dir, "--json"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto r = test::run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    std::string line = "cli";
    for (const auto& a : c.args) line += " " + a;
    os << line << '\n';
    os << fmt::format("metrics evaluations={} hv={} hv_ratio={} igd={} igd_plus={} front_size={}\n",
                      j.at("evaluations").get<int>(), num(j.at("hv").get<double>()), num(j.at("hv_ratio").get<double>()),
                      num(j.at("igd").get<double>()), num(j.at("igd_plus").get<double>()), j.at("front_size").get<int>());
    const CsvTable archive = CsvTable::parse(test::read_file(dir + "/archive.csv"), dir + "/archive.csv");
    const auto arch_str_col = archive.find_column("arch_str");
    const std::size_t arch_col = arch_str_col ? *arch_str_col : archive.column("arch");
    const std::size_t seen_col = archive.column("seen_accuracy");
    const std::size_t cols[] = {archive.column("order"), archive.column("generation"), archive.column("niche"),
                                archive.column("index"), arch_col, seen_col, archive.column("cost")};
    for (std::size_t i = 0; i < archive.rows(); ++i) {
      os << 'a';
      for (std::size_t col : cols) os << ' ' << archive.cell(i, col);
      os << '\n';
    }
    os << "front";
    for (const auto& f : j.at("front")) os << ' ' << f.at("order").get<int>();
    os << '\n';
  }
  check_against_golden("nb201_cli.txt", os.str());
}

}  // namespace
}  // namespace pelnas
