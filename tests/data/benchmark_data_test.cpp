// BenchmarkData against values stated in ../shared/data/README.md, the data directory resolution
// order, malformed tables (errors name file and line) and unknown names (errors list valid ones).
#include "data/benchmark_data.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/csv.h"
#include "common/error.h"
#include "data/data_dir.h"
#include "hardware/cost_source.h"
#include "test_support.h"

namespace pelnas {
namespace {

namespace fs = std::filesystem;

using test::error_of;

TEST(BenchmarkData, ValuesFromTheDataReadme) {
  auto d = test::data();
  ASSERT_EQ(d->size(), 15625);
  EXPECT_EQ(d->arch(0).str(), "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|");
  EXPECT_EQ(d->arch(6111).str(), "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|");
  EXPECT_NEAR(*d->accuracy(6111, Dataset::Cifar10), 94.37333, 1e-5);
  EXPECT_EQ(*d->accuracy(6111, Dataset::Cifar10), *d->accuracy(13714, Dataset::Cifar10));  // the README's tie
  EXPECT_NEAR(*d->accuracy(9930, Dataset::Cifar100), 73.5133, 1e-4);
  EXPECT_NEAR(*d->accuracy(857, Dataset::ImageNet16_120), 47.3111, 1e-4);
  EXPECT_NEAR(*d->accuracy(6111, Dataset::Cifar10, AccuracyMetric::Valid), 91.6067, 1e-4);
  // Best values over the whole table are those of the README.
  double best10 = 0, best12 = 0;
  for (int i = 0; i < d->size(); ++i) {
    best10 = std::max(best10, *d->accuracy(i, Dataset::Cifar10));
    best12 = std::max(best12, *d->accuracy(i, Dataset::Cifar10, AccuracyMetric::Test12));
  }
  EXPECT_EQ(best10, *d->accuracy(6111, Dataset::Cifar10));
  EXPECT_NEAR(best12, 89.16, 1e-9);  // "max c10 test 89.16 confirms 12 epochs"
  EXPECT_FALSE(d->has_accuracy(Dataset::Cifar100, AccuracyMetric::Valid));
  EXPECT_FALSE(d->accuracy(0, Dataset::Cifar100, AccuracyMetric::Valid).has_value());
  // Index lookups both ways, by arch string and by decimal index.
  EXPECT_EQ(d->index_of(d->arch(6111).str()), 6111);
  EXPECT_EQ(d->index_of("6111"), 6111);
  for (int i = 0; i < d->size(); i += 101) EXPECT_EQ(d->index_of(d->arch(i)), i);
  // 341 zero-output cells (all with 10 % accuracy), 6466 NATS classes, 4930 flat classes.
  int zero = 0, max_nats = 0, max_flat = 0;
  for (int i = 0; i < d->size(); ++i) {
    if (d->zero_output(i)) {
      ++zero;
      EXPECT_NEAR(*d->accuracy(i, Dataset::Cifar10), 10.0, 1e-9) << i;
    }
    max_nats = std::max(max_nats, d->iso_id_nats(i));
    max_flat = std::max(max_flat, d->iso_id_flat(i));
  }
  EXPECT_EQ(zero, 341);
  EXPECT_EQ(max_nats + 1, 6466);
  EXPECT_EQ(max_flat + 1, 4930);
  double pmin = 1e9, pmax = 0;
  for (int i = 0; i < d->size(); ++i) {
    pmin = std::min(pmin, d->params(i, Dataset::Cifar10));
    pmax = std::max(pmax, d->params(i, Dataset::Cifar10));
  }
  EXPECT_NEAR(pmin, 0.073306, 1e-9);  // README §2: 0.073306..1.531546 M on cifar10
  EXPECT_NEAR(pmax, 1.531546, 1e-9);
}

TEST(BenchmarkData, MissingHardwareValuesAreExplicit) {
  auto d = test::data();
  const CsvTable t = CsvTable::read(test::data_dir() + "/" + BenchmarkData::kMainTable);
  const auto c_full = t.column("c10_hw_full"), c_tpu = t.column("c10_edgetpu_latency");
  int full = 0, tpu_minus_one = 0, tpu_present = 0;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const int idx = static_cast<int>(t.integer(r, t.column("index")));
    const bool is_full = t.integer(r, c_full) == 1;
    full += is_full;
    const double raw = t.number_or_nan(r, c_tpu);
    if (raw == -1.0) ++tpu_minus_one;
    const auto v = d->hw(idx, Dataset::Cifar10, Device::EdgeTpu, HwMetric::Latency);
    EXPECT_EQ(v.has_value(), raw > 0) << idx;
    tpu_present += v.has_value();
    // c10_hw_full == 1 <=> edgegpu latency is present.
    EXPECT_EQ(d->hw(idx, Dataset::Cifar10, Device::EdgeGpu, HwMetric::Latency).has_value(), is_full) << idx;
  }
  EXPECT_EQ(full, 12555);
  EXPECT_EQ(tpu_minus_one, 3768);          // the -1.0 placeholders among the 12555 published rows
  EXPECT_EQ(tpu_present, 12555 - 3768);    // 8787
  EXPECT_FALSE(d->hw(7581, Dataset::Cifar10, Device::Eyeriss, HwMetric::ArithmeticIntensity).has_value());
  EXPECT_FALSE(d->hw(0, Dataset::Cifar10, Device::EdgeTpu, HwMetric::Energy).has_value());  // no such metric
  // Coverage listing.
  int complete = 0, partial = 0, absent = 0;
  for (const auto& c : d->hw_coverage()) {
    if (c.dataset == Dataset::Cifar10) {
      EXPECT_NE(c.coverage, Coverage::Absent);
      if (c.device == Device::EdgeTpu) { EXPECT_EQ(c.count, 8787); }
      if (c.device == Device::EdgeGpu) { EXPECT_EQ(c.count, 12555); }
      if (c.device == Device::Fpga) { EXPECT_EQ(c.coverage, Coverage::Complete); }
    }
    complete += c.coverage == Coverage::Complete;
    partial += c.coverage == Coverage::Partial;
    absent += c.coverage == Coverage::Absent;
  }
  if (!fs::exists(fs::path(test::data_dir()) / BenchmarkData::kImportedHwTable)) {
    EXPECT_EQ(complete, 5);  // raspi4, pixel3, eyeriss latency, fpga latency/energy
    EXPECT_EQ(partial, 5);
    EXPECT_EQ(absent, 20);
  }
  // HELP: the four shared devices equal the HW-NAS-Bench columns, integers stored for phones.
  EXPECT_EQ(d->help_devices().size(), 27u);
  for (int i = 0; i < d->size(); i += 53)
    EXPECT_EQ(*d->help_latency(i, "raspi4"), *d->hw(i, Dataset::Cifar10, Device::Raspi4, HwMetric::Latency));
  EXPECT_EQ(*d->help_latency(0, "samsung_a50"), 16.0);
  EXPECT_FALSE(d->help_latency(0, "no_such_device").has_value());
}

TEST(BenchmarkData, LoadIsCachedPerDirectory) {
  auto a = BenchmarkData::load(test::data_dir());
  auto b = BenchmarkData::load(test::data_dir() + "/.");
  EXPECT_EQ(a.get(), b.get());
}

// ---- the data directory resolution order ----

struct EnvGuard {
  std::optional<std::string> saved;
  EnvGuard() {
    if (const char* v = std::getenv("PELNAS_DATA")) saved = v;
    ::unsetenv("PELNAS_DATA");
  }
  ~EnvGuard() {
    if (saved) ::setenv("PELNAS_DATA", saved->c_str(), 1);
    else ::unsetenv("PELNAS_DATA");
  }
};
struct CwdGuard {
  fs::path saved = fs::current_path();
  explicit CwdGuard(const fs::path& p) { fs::current_path(p); }
  ~CwdGuard() { fs::current_path(saved); }
};

std::string make_data_dir(const fs::path& dir) {
  fs::create_directories(dir);
  fs::create_symlink(fs::absolute(test::data_dir()) / BenchmarkData::kMainTable, dir / BenchmarkData::kMainTable);
  return dir.string();
}

TEST(DataDir, ResolutionOrder) {
  EnvGuard env;
  const fs::path root = test::temp_dir("datadir");
  const std::string flag_dir = make_data_dir(root / "flag");
  const std::string env_dir = make_data_dir(root / "env");
  make_data_dir(root / "work" / "data");
  make_data_dir(root / "shared" / "data");
  fs::create_directories(root / "empty");
  const std::vector<std::string> none = {(root / "nowhere").string()};

  // 1. --data wins over everything.
  ::setenv("PELNAS_DATA", env_dir.c_str(), 1);
  EXPECT_EQ(resolve_data_dir(flag_dir), flag_dir);
  // 2. then $PELNAS_DATA.
  EXPECT_EQ(resolve_data_dir(std::nullopt), env_dir);
  ::unsetenv("PELNAS_DATA");
  {
    // 3. then ./data (here: <root>/work/data, which exists alongside <root>/shared/data).
    CwdGuard cwd(root / "work");
    EXPECT_EQ(fs::path(resolve_data_dir(std::nullopt)), fs::weakly_canonical(root / "work" / "data"));
  }
  {
    // 4. then ../shared/data.
    CwdGuard cwd(root / "empty");
    EXPECT_EQ(fs::path(resolve_data_dir(std::nullopt)), fs::weakly_canonical(root / "shared" / "data"));
  }
  {
    // Nothing found: the error lists every place tried.
    fs::create_directories(root / "a" / "b");
    CwdGuard cwd(root / "a" / "b");  // has no ./data and no ../shared/data
    const std::string msg = error_of([&] { resolve_data_dir(std::nullopt, {"data", "../shared/data", none[0]}); });
    EXPECT_NE(msg.find("--data (not given)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("$PELNAS_DATA (not set)"), std::string::npos) << msg;
    EXPECT_NE(msg.find((root / "a" / "b" / "data").string()), std::string::npos) << msg;
    EXPECT_NE(msg.find((root / "a" / "shared" / "data").string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(none[0]), std::string::npos) << msg;
  }
  // A given --data / $PELNAS_DATA without the tables is an error naming it (no silent fallback).
  std::string msg = error_of([&] { resolve_data_dir((root / "empty").string()); });
  EXPECT_NE(msg.find("--data"), std::string::npos) << msg;
  EXPECT_NE(msg.find((root / "empty").string()), std::string::npos) << msg;
  ::setenv("PELNAS_DATA", (root / "empty").c_str(), 1);
  msg = error_of([&] { resolve_data_dir(std::nullopt); });
  EXPECT_NE(msg.find("$PELNAS_DATA"), std::string::npos) << msg;
}

// ---- malformed tables ----

// A copy of the data directory with one line of one table replaced.
std::string broken_copy(const std::string& file, long line, const std::function<std::string(const std::string&)>& edit) {
  const fs::path dir = test::temp_dir("broken");
  for (const char* f : {BenchmarkData::kMainTable, BenchmarkData::kHelpTable})
    if (f != file) fs::create_symlink(fs::absolute(test::data_dir()) / f, dir / f);
  std::ifstream in(fs::path(test::data_dir()) / (file == BenchmarkData::kImportedHwTable ? "nb201_hwnasbench_reference_points.csv" : file));
  std::ofstream out(dir / file);
  std::string l;
  for (long n = 1; std::getline(in, l); ++n) out << (n == line ? edit(l) : l) << "\n";
  return dir.string();
}

TEST(BenchmarkData, MalformedTablesNameFileAndLine) {
  struct Case {
    std::string file;
    long line;
    std::function<std::string(const std::string&)> edit;
    std::string needle;
  };
  const Case cases[] = {
      {BenchmarkData::kMainTable, 100, [](const std::string& l) { return l + ",extra"; }, "nb201_hw.csv:100"},
      {BenchmarkData::kMainTable, 7, [](const std::string& l) { return l.substr(0, l.rfind(',')); }, "nb201_hw.csv:7"},
      {BenchmarkData::kMainTable, 2000,
       [](const std::string& l) {  // c10_test_acc (column 13) becomes a word
         std::vector<std::string> f;
         std::stringstream ss(l);
         for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
         f[12] = "ninety";
         std::string s;
         for (auto& x : f) s += (s.empty() ? "" : ",") + x;
         return s + (l.back() == ',' ? "," : "");
       },
       "nb201_hw.csv:2000"},
      {BenchmarkData::kMainTable, 50, [](const std::string&) { return std::string(); }, "nb201_hw.csv"},
      {BenchmarkData::kHelpTable, 33, [](const std::string& l) { return "x" + l; }, "nb201_help_latency.csv:33"},
      {BenchmarkData::kHelpTable, 34, [](const std::string& l) { return l + ",1"; }, "nb201_help_latency.csv:34"},
      {BenchmarkData::kImportedHwTable, 3, [](const std::string& l) { return "3,cifar1000" + l.substr(l.find(',', 2)); },
       "nb201_hwnasbench.csv:3"},
      {BenchmarkData::kImportedHwTable, 4, [](const std::string& l) { return "99999" + l.substr(l.find(',')); },
       "nb201_hwnasbench.csv:4"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.needle);
    const std::string dir = broken_copy(c.file, c.line, c.edit);
    // The HELP table is read when its devices are first asked for, a numeric column of the main
    // table when it is first asked for.
    const std::string msg = error_of([&] {
      const BenchmarkData d = BenchmarkData::read(dir);
      d.help_devices();
      d.accuracy(0, Dataset::Cifar10);
    });
    ASSERT_FALSE(msg.empty()) << "no error for a broken " << c.file;
    EXPECT_NE(msg.find(c.needle), std::string::npos) << msg;
  }
  // The non-number case also names the column.
  const std::string dir = broken_copy(BenchmarkData::kMainTable, 2000, cases[2].edit);
  const std::string msg = error_of([&] { BenchmarkData::read(dir).accuracy(5, Dataset::Cifar10); });
  EXPECT_NE(msg.find("c10_test_acc"), std::string::npos) << msg;
  EXPECT_NE(msg.find("ninety"), std::string::npos) << msg;
}

TEST(BenchmarkData, NumericColumnsAreParsedOnFirstUse) {
  // A malformed accuracy does not stop a command that never reads that column (front on fpga reads
  // c10_test_acc and c10_fpga_latency only); the first question about it names file, line and
  // column, and so does the next one (a failed parse is not cached as a result).
  const std::string dir = broken_copy(BenchmarkData::kMainTable, 2000, [](const std::string& l) {
    std::vector<std::string> f;
    std::stringstream ss(l);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    f[13] = "many";  // c100_test_acc
    std::string s;
    for (auto& x : f) s += (s.empty() ? "" : ",") + x;
    return s + (l.back() == ',' ? "," : "");
  });
  const auto d = std::make_shared<const BenchmarkData>(BenchmarkData::read(dir));
  const auto real = test::data();
  for (int i : {0, 1998, 15624}) {
    EXPECT_EQ(d->accuracy(i, Dataset::Cifar10), real->accuracy(i, Dataset::Cifar10));
    EXPECT_EQ(d->hw(i, Dataset::Cifar10, Device::Fpga, HwMetric::Latency),
              real->hw(i, Dataset::Cifar10, Device::Fpga, HwMetric::Latency));
    EXPECT_EQ(d->flops(i, Dataset::Cifar100), real->flops(i, Dataset::Cifar100));
  }
  for (int k = 0; k < 2; ++k) {
    const std::string msg = error_of([&] { d->accuracy(0, Dataset::Cifar100); });
    EXPECT_NE(msg.find("nb201_hw.csv:2000"), std::string::npos) << msg;
    EXPECT_NE(msg.find("c100_test_acc"), std::string::npos) << msg;
    EXPECT_NE(msg.find("many"), std::string::npos) << msg;
  }
  // A missing FLOPs value is an error, not a NaN.
  const std::string no_flops = broken_copy(BenchmarkData::kMainTable, 300, [](const std::string& l) {
    std::vector<std::string> f;
    std::stringstream ss(l);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    f[23] = "";  // flops_c10
    std::string s;
    for (auto& x : f) s += (s.empty() ? "" : ",") + x;
    return s + (l.back() == ',' ? "," : "");
  });
  const std::string msg = error_of([&] { BenchmarkData::read(no_flops).flops(7, Dataset::Cifar10); });
  EXPECT_NE(msg.find("nb201_hw.csv:300"), std::string::npos) << msg;
  EXPECT_NE(msg.find("flops_c10"), std::string::npos) << msg;
}

TEST(BenchmarkData, HelpTableIsReadOnlyWhenAHelpDeviceIsAskedFor) {
  // A broken HELP table does not stop commands that never ask for a HELP device (front on fpga).
  const std::string dir = broken_copy(BenchmarkData::kHelpTable, 40, [](const std::string& l) { return "x" + l; });
  const auto d = std::make_shared<const BenchmarkData>(BenchmarkData::read(dir));
  EXPECT_TRUE(d->hw_column(Dataset::Cifar10, Device::Fpga, HwMetric::Latency) != nullptr);
  EXPECT_EQ(make_cost_source(d, Dataset::Cifar10, {"fpga", HwMetric::Latency})->name(),
            make_cost_source(test::data(), Dataset::Cifar10, {"fpga", HwMetric::Latency})->name());
  // The first HELP question reads it, and the error names file and line, every time it is asked.
  for (int i = 0; i < 2; ++i) {
    const std::string msg = error_of([&] { d->help_latency(0, "samsung_a50"); });
    EXPECT_NE(msg.find("nb201_help_latency.csv:40"), std::string::npos) << msg;
  }
}

TEST(BenchmarkData, MissingFilesAndDirectories) {
  std::string msg = error_of([] { BenchmarkData::read("/nonexistent/pelnas-data"); });
  EXPECT_NE(msg.find("/nonexistent/pelnas-data"), std::string::npos) << msg;
  const std::string empty = test::temp_dir("empty");
  msg = error_of([&] { BenchmarkData::read(empty); });
  EXPECT_NE(msg.find("nb201_hw.csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not found"), std::string::npos) << msg;
}

TEST(BenchmarkData, UnknownNamesListTheValidOnes) {
  std::string msg = error_of([] { dataset_from_string("mnist"); });
  for (const char* v : {"mnist", "cifar10", "cifar100", "ImageNet16-120"}) EXPECT_NE(msg.find(v), std::string::npos) << msg;
  msg = error_of([] { device_from_string("tpu9"); });
  for (const char* v : {"edgegpu", "raspi4", "edgetpu", "pixel3", "eyeriss", "fpga"}) EXPECT_NE(msg.find(v), std::string::npos) << msg;
  msg = error_of([] { hw_metric_from_string("power"); });
  for (const char* v : {"latency", "energy", "arithmetic_intensity"}) EXPECT_NE(msg.find(v), std::string::npos) << msg;
  msg = error_of([] { accuracy_metric_from_string("top5"); });
  for (const char* v : {"test", "valid", "test12", "valid12"}) EXPECT_NE(msg.find(v), std::string::npos) << msg;
  auto d = test::data();
  msg = error_of([&] { d->index_of("15625"); });
  EXPECT_NE(msg.find("out of range"), std::string::npos) << msg;
  msg = error_of([&] { d->index_of("abc"); });
  EXPECT_NE(msg.find("NB201 index"), std::string::npos) << msg;
  for (const char* signed_index : {"-0", "-1", "+5", " 5", "5 "}) {  // "-0" was read as index 0
    msg = error_of([&] { d->index_of(signed_index); });
    EXPECT_NE(msg.find("NB201 index"), std::string::npos) << signed_index << ": " << msg;
  }
  msg = error_of([&] { d->index_of("|nor_conv_3x3~0|+|bogus~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"); });
  EXPECT_FALSE(msg.empty());
}

}  // namespace
}  // namespace pelnas
