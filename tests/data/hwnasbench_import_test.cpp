// The HW-NAS-Bench importer on the committed fixtures: every encoding imports to the same values,
// which reproduce the published reference points bit for bit; the written table round-trips through
// BenchmarkData::read and the cost sources; every bad fixture gives a clear error (also via the CLI).
#include "data/hwnasbench_import.h"
#include "pelnas_build_paths.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "common/csv.h"
#include "common/error.h"
#include "hardware/cost_source.h"
#include "test_support.h"

namespace pelnas {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) { return std::string(PELNAS_TEST_DIR) + "/fixtures/hwnasbench/" + name; }

const char* const kGood[] = {"plain_p2", "plain_p3", "plain_p4", "plain_p5", "numpy_ndarray_p2", "numpy_ndarray_p3",
                             "numpy_ndarray_p4", "numpy_ndarray_p5", "numpy_scalars_p2", "numpy_scalars_p4"};

HwNasBenchImport import_fixture(const std::string& name) {
  HwNasBenchImportOptions o;
  o.expected_archs = 5;
  return read_hwnasbench_pickle(fixture(name + ".pickle"), *test::data(), o);
}

// Expected value of fixture (dataset, index, metric m), built independently of the generator script
// from the shared tables (see tests/fixtures/hwnasbench/README.md).
std::optional<double> expected(Dataset d, int i, std::size_t m) {
  static const CsvTable ref = CsvTable::read(test::data_dir() + "/nb201_hwnasbench_reference_points.csv");
  const std::string key = kHwNasBenchMetricKeys[m];
  if (i <= 2) {
    for (std::size_t r = 0; r < ref.rows(); ++r)
      if (ref.integer(r, ref.column("index")) == i && ref.cell(r, ref.column("dataset")) == to_string(d))
        return ref.number(r, ref.column(key));
    ADD_FAILURE() << "reference row missing";
    return std::nullopt;
  }
  if (d == Dataset::Cifar100 && i == 3 && key == "edgetpu_latency") return std::nullopt;        // planted -1.0
  if (d == Dataset::ImageNet16_120 && i == 4 && key == "raspi4_latency") return std::nullopt;  // planted 0.0
  const auto [dev_s, met_s] = std::pair(key.substr(0, key.find('_')), key.substr(key.find('_') + 1));
  const double c10 = *test::data()->hw(i, Dataset::Cifar10, device_from_string(dev_s), hw_metric_from_string(met_s));
  return d == Dataset::Cifar10 ? c10 : d == Dataset::Cifar100 ? c10 * 1.5 : c10 * 0.5;
}

TEST(HwNasBenchImport, EveryEncodingReproducesTheExpectedValuesExactly) {
  for (const char* name : kGood) {
    SCOPED_TRACE(name);
    const HwNasBenchImport imp = import_fixture(name);
    EXPECT_EQ(imp.archs, 5);
    EXPECT_FALSE(imp.official);
    EXPECT_EQ(imp.git_blob_sha1.size(), 40u);
    ASSERT_EQ(imp.tables.size(), 3u);
    for (const auto& t : imp.tables)
      for (std::size_t m = 0; m < kHwNasBenchMetricKeys.size(); ++m) {
        int missing = 0;
        for (int i = 0; i < 5; ++i) {
          const auto e = expected(t.dataset, i, m);
          const double got = t.values[m][i];
          if (!e) {
            EXPECT_TRUE(std::isnan(got)) << to_string(t.dataset) << " " << i << " " << kHwNasBenchMetricKeys[m];
            ++missing;
          } else {
            EXPECT_EQ(got, *e) << to_string(t.dataset) << " " << i << " " << kHwNasBenchMetricKeys[m];  // bit-exact
          }
        }
        EXPECT_EQ(t.missing[m], missing);
      }
  }
}

TEST(HwNasBenchImport, GitBlobIdMatchesGit) {
  // `printf 'hello\n' | git hash-object --stdin`
  EXPECT_EQ(git_blob_sha1("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
  EXPECT_EQ(git_blob_sha1(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
}

TEST(HwNasBenchImport, WrittenTableRoundTripsThroughBenchmarkDataAndCostSources) {
  const std::string dir = test::temp_dir("import");
  fs::create_symlink(fs::absolute(test::data_dir()) / BenchmarkData::kMainTable, fs::path(dir) / BenchmarkData::kMainTable);
  const HwNasBenchImport imp = import_fixture("numpy_ndarray_p4");
  write_hwnasbench_csv(imp, dir + "/" + BenchmarkData::kImportedHwTable);
  EXPECT_FALSE(fs::exists(dir + "/" + BenchmarkData::kImportedHwTable + ".tmp"));
  auto data = std::make_shared<const BenchmarkData>(BenchmarkData::read(dir));
  for (Dataset d : kAllDatasets)
    for (std::size_t m = 0; m < kHwNasBenchMetricKeys.size(); ++m) {
      const std::string key = kHwNasBenchMetricKeys[m];
      const Device dev = device_from_string(key.substr(0, key.find('_')));
      const HwMetric met = hw_metric_from_string(key.substr(key.find('_') + 1));
      for (int i = 0; i < 5; ++i) EXPECT_EQ(data->hw(i, d, dev, met), expected(d, i, m)) << to_string(d) << i << key;
      EXPECT_FALSE(data->hw(5, d, dev, met).has_value());
    }
  // The imported file is now the source of every dataset, including cifar100 for the cost sources.
  auto fpga = make_cost_source(data, Dataset::Cifar100, {"fpga", HwMetric::Latency});
  EXPECT_EQ(fpga->coverage(), 5);
  EXPECT_EQ(*fpga->cost(0), 2.57296);
  EXPECT_NE(fpga->provenance().find(BenchmarkData::kImportedHwTable), std::string::npos) << fpga->provenance();
  for (const auto& c : data->hw_coverage()) {
    EXPECT_EQ(c.coverage, Coverage::Partial);
    EXPECT_NE(c.source.find(BenchmarkData::kImportedHwTable), std::string::npos);
  }
}

TEST(HwNasBenchImport, SchemaChecksUseTheExpectedLength) {
  // Default: the official 15625 architectures, so a 5-arch fixture is rejected with the reason.
  try {
    read_hwnasbench_pickle(fixture("plain_p4.pickle"), *test::data());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("config has 5 entries, expected 15625"), std::string::npos) << e.what();
  }
  HwNasBenchImportOptions o;
  o.expected_archs = 0;
  EXPECT_THROW(read_hwnasbench_pickle(fixture("plain_p4.pickle"), *test::data(), o), Error);
}

struct BadCase {
  const char* file;
  std::vector<std::string> needles;
};

TEST(HwNasBenchImport, EveryBadFixtureGivesAClearError) {
  const BadCase cases[] = {
      {"bad_truncated.pickle", {"truncated", "byte offset"}},
      {"bad_os_system.pickle", {"refusing GLOBAL 'os.system'", "byte offset 2"}},
      {"bad_unknown_opcode.pickle", {"unsupported opcode 0xff", "byte offset 3"}},
      {"bad_wrong_length.pickle", {"nasbench201/cifar100/fpga_energy has 4 values, expected 5"}},
      {"bad_missing_dataset.pickle", {"nasbench201 has no key 'cifar100'", "ImageNet16-120"}},
      {"bad_wrong_arch.pickle", {"nasbench201/ImageNet16-120/config[2]/arch_str", test::data()->arch(2).str()}},
      {"does_not_exist.pickle", {"cannot open"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    std::string msg;
    try {
      import_fixture(std::string(c.file).substr(0, std::string(c.file).size() - 7));
    } catch (const Error& e) {
      msg = e.what();
    }
    ASSERT_FALSE(msg.empty());
    for (const auto& n : c.needles) EXPECT_NE(msg.find(n), std::string::npos) << msg;
    // The CLI: exit code 2, the message on stderr, nothing written.
    const std::string out = test::temp_dir("badimport");
    auto r = test::run_cli({"data", "import-hwnasbench", fixture(c.file), "--archs", "5", "--out", out, "--data", test::data_dir()});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(c.needles[0]), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(fs::path(out) / BenchmarkData::kImportedHwTable));
  }
}

TEST(HwNasBenchImport, CliImportsAFixture) {
  const std::string out = test::temp_dir("cliimport");
  auto r = test::run_cli({"data", "import-hwnasbench", fixture("numpy_scalars_p2.pickle"), "--archs", "5", "--out", out,
                          "--data", test::data_dir(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"official_file\": false"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"edgetpu_latency\": 1"), std::string::npos) << r.out;  // the planted -1.0 on cifar100
  const CsvTable t = CsvTable::read(out + "/" + BenchmarkData::kImportedHwTable);
  ASSERT_EQ(t.rows(), 15u);
  EXPECT_EQ(t.number(0, t.column("edgegpu_latency")), 5.807418537139893);
  EXPECT_TRUE(std::isnan(t.number_or_nan(8, t.column("edgetpu_latency"))));  // cifar100 index 3
  // Same header as the published reference-points file.
  const CsvTable ref = CsvTable::read(test::data_dir() + "/nb201_hwnasbench_reference_points.csv");
  EXPECT_EQ(t.header(), ref.header());
  // A fixture-sized import without --out is refused (it would land in the shared data directory).
  r = test::run_cli({"data", "import-hwnasbench", fixture("plain_p3.pickle"), "--archs", "5", "--data", test::data_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs --out DIR"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(fs::path(test::data_dir()) / BenchmarkData::kImportedHwTable));
  // A 5-arch fixture without --archs is refused with exit code 2.
  r = test::run_cli({"data", "import-hwnasbench", fixture("plain_p3.pickle"), "--out", out, "--data", test::data_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected 15625"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pelnas
