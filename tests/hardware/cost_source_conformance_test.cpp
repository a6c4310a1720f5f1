// Every registered cost back end against the reference: the raw table values read through
// BenchmarkData, the published HW-NAS-Bench example values (indices 0-2, cifar10), units, coverage,
// provenance, and the errors for unknown devices and absent data.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "common/csv.h"
#include "common/error.h"
#include "hardware/cost_source.h"
#include "test_support.h"

namespace pelnas {
namespace {

using test::error_of;

// Every device every back end lists, with every metric it accepts on cifar10, must reproduce its
// reference column value for value.
TEST(CostSourceConformance, EveryBackendMatchesTheReferenceColumns) {
  auto data = test::data();
  const auto& backends = CostSourceRegistry::instance().backends();
  std::set<std::string> names;
  for (const auto& b : backends) names.insert(b.name);
  EXPECT_EQ(names, (std::set<std::string>{"hwnasbench", "help", "complexity", "host"}));
  int checked_sources = 0;
  for (const auto& b : backends) {
    if (b.name == "host") continue;  // measured, no reference column: tests/host/
    const auto devices = b.devices(*data);
    ASSERT_FALSE(devices.empty()) << b.name;
    for (const auto& device : devices)
      for (Dataset ds : kAllDatasets)
        for (HwMetric m : kAllHwMetrics) {
          std::unique_ptr<CostSource> s;
          try {
            s = make_cost_source(data, ds, {device, m});
          } catch (const Error&) {
            continue;  // absent combinations are checked below
          }
          ++checked_sources;
          ASSERT_FALSE(s->name().empty());
          ASSERT_FALSE(s->provenance().empty());
          // Reference column for this source.
          const std::vector<double>* ref = nullptr;
          std::vector<double> complexity;
          if (b.name == "hwnasbench") {
            ref = data->hw_column(ds, device_from_string(device), m);
            EXPECT_EQ(s->name(), hwnasbench_key(device_from_string(device), m));
            EXPECT_EQ(s->unit(), std::string(unit(m)));
          } else if (b.name == "help") {
            ref = data->help_column(device);
            EXPECT_EQ(s->name(), "help:" + device + "_latency");
            EXPECT_EQ(s->unit(), "ms");
            EXPECT_NE(s->provenance().find("HELP (Lee et al. 2021); measurement setup not stated upstream"),
                      std::string::npos);
          } else {
            for (int i = 0; i < data->size(); ++i)
              complexity.push_back(device == "flops" ? data->flops(i, ds) : data->params(i, ds));
            ref = &complexity;
            EXPECT_EQ(s->unit(), device == "flops" ? "MFLOPs" : "M");
          }
          ASSERT_NE(ref, nullptr) << s->name();
          int present = 0;
          for (int i = 0; i < data->size(); ++i) {
            const auto c = s->cost(i);
            const double r = (*ref)[i];
            if (std::isnan(r)) {
              EXPECT_FALSE(c.has_value()) << s->name() << " index " << i;
            } else {
              ASSERT_TRUE(c.has_value()) << s->name() << " index " << i;
              EXPECT_EQ(*c, r) << s->name() << " index " << i;
              EXPECT_GT(*c, 0.0) << s->name() << " index " << i;  // placeholders (<= 0) must be missing
              ++present;
            }
          }
          EXPECT_EQ(s->coverage(), present) << s->name();
          EXPECT_THROW(s->cost(-1), Error);
          EXPECT_THROW(s->cost(data->size()), Error);
        }
  }
  // 6 devices x their metrics on cifar10 (10) + 23 HELP devices + 2 complexity x 3 datasets, at least.
  EXPECT_GE(checked_sources, 10 + 23 + 6);
}

// The published HW-NAS-Bench example values (exact pickle values) for indices 0-2 on cifar10.
TEST(CostSourceConformance, ReproducesPublishedReferencePoints) {
  auto data = test::data();
  const CsvTable ref = CsvTable::read(test::data_dir() + "/nb201_hwnasbench_reference_points.csv");
  int compared = 0;
  for (std::size_t r = 0; r < ref.rows(); ++r) {
    if (ref.cell(r, ref.column("dataset")) != "cifar10") continue;
    const int index = static_cast<int>(ref.integer(r, ref.column("index")));
    for (Device dev : kAllDevices)
      for (HwMetric m : kAllHwMetrics) {
        if (!hwnasbench_has(dev, m)) continue;
        auto s = make_cost_source(data, Dataset::Cifar10, {std::string(to_string(dev)), m});
        const auto c = s->cost(index);
        ASSERT_TRUE(c.has_value()) << s->name() << " " << index;
        EXPECT_EQ(*c, ref.number(r, ref.column(hwnasbench_key(dev, m)))) << s->name() << " index " << index;
        ++compared;
      }
  }
  EXPECT_EQ(compared, 3 * 10);
}

TEST(CostSourceConformance, UnitsAndCoverage) {
  auto data = test::data();
  auto cov = [&](const std::string& dev, HwMetric m = HwMetric::Latency, Dataset d = Dataset::Cifar10) {
    return make_cost_source(data, d, {dev, m})->coverage();
  };
  EXPECT_EQ(cov("edgegpu"), 12555);
  EXPECT_EQ(cov("edgegpu", HwMetric::Energy), 12555);
  EXPECT_EQ(cov("edgetpu"), 8787);  // the -1.0 placeholders are missing
  EXPECT_EQ(cov("fpga"), 15625);
  EXPECT_EQ(cov("fpga", HwMetric::Energy), 15625);
  EXPECT_EQ(cov("raspi4"), 15625);
  EXPECT_EQ(cov("pixel3"), 15625);
  EXPECT_EQ(cov("eyeriss"), 15625);
  EXPECT_EQ(cov("eyeriss", HwMetric::Energy), 12555);
  EXPECT_EQ(cov("eyeriss", HwMetric::ArithmeticIntensity), 15624);  // index 7581 has no value
  EXPECT_FALSE(make_cost_source(data, Dataset::Cifar10, {"eyeriss", HwMetric::ArithmeticIntensity})->cost(7581));
  EXPECT_EQ(cov("gold_6226"), 15625);
  EXPECT_EQ(cov("help:gold_6226"), 15625);
  EXPECT_EQ(cov("flops", HwMetric::Latency, Dataset::ImageNet16_120), 15625);

  auto fpga = make_cost_source(data, Dataset::Cifar10, {"fpga", HwMetric::Energy});
  EXPECT_EQ(fpga->name(), "fpga_energy");
  EXPECT_EQ(fpga->unit(), "mJ");
  EXPECT_NE(fpga->provenance().find("nb201_hw.csv"), std::string::npos) << fpga->provenance();
  EXPECT_EQ(make_cost_source(data, Dataset::Cifar10, {"eyeriss", HwMetric::ArithmeticIntensity})->unit(), "ops/byte");
  // FLOPs differ per dataset (ImageNet16-120 has a 16x16 input), so the dataset reaches the source.
  auto f10 = make_cost_source(data, Dataset::Cifar10, {"flops"});
  auto f16 = make_cost_source(data, Dataset::ImageNet16_120, {"flops"});
  EXPECT_EQ(*f10->cost(6111), data->flops(6111, Dataset::Cifar10));
  EXPECT_LT(*f16->cost(6111), *f10->cost(6111));
  // FLOPs on cifar10 range 7.78305 .. 220.11969 MFLOPs (data README §10).
  double lo = 1e9, hi = 0;
  for (int i = 0; i < data->size(); ++i) {
    lo = std::min(lo, *f10->cost(i));
    hi = std::max(hi, *f10->cost(i));
  }
  EXPECT_NEAR(lo, 7.78305, 1e-5);
  EXPECT_NEAR(hi, 220.11969, 1e-5);
}

TEST(CostSourceConformance, UnknownDeviceListsEveryValidDevice) {
  auto data = test::data();
  const std::string msg = error_of([&] { make_cost_source(data, Dataset::Cifar10, {"tpu9000"}); });
  ASSERT_FALSE(msg.empty());
  EXPECT_NE(msg.find("tpu9000"), std::string::npos) << msg;
  for (const auto& b : CostSourceRegistry::instance().backends())
    for (const auto& d : b.devices(*data)) EXPECT_NE(msg.find(d), std::string::npos) << d << " not in: " << msg;
}

TEST(CostSourceConformance, AbsentDataNamesWhatIsMissing) {
  auto data = test::data();
  // The shipped tables have no cifar100 HW-NAS-Bench values (unless an import is in the data dir).
  if (data->hw_column(Dataset::Cifar100, Device::Fpga, HwMetric::Latency) == nullptr) {
    const std::string msg = error_of([&] { make_cost_source(data, Dataset::Cifar100, {"fpga"}); });
    EXPECT_NE(msg.find("cifar100"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fpga_latency"), std::string::npos) << msg;
    EXPECT_NE(msg.find("pelnas data import-hwnasbench"), std::string::npos) << msg;
  }
  std::string msg = error_of([&] { make_cost_source(data, Dataset::Cifar10, {"edgetpu", HwMetric::Energy}); });
  EXPECT_NE(msg.find("energy"), std::string::npos) << msg;
  EXPECT_NE(msg.find("latency"), std::string::npos) << msg;  // what edgetpu does have
  msg = error_of([&] { make_cost_source(data, Dataset::Cifar100, {"gold_6226"}); });
  EXPECT_NE(msg.find("cifar10 network only"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cifar100"), std::string::npos) << msg;
  msg = error_of([&] { make_cost_source(data, Dataset::Cifar10, {"gold_6226", HwMetric::Energy}); });
  EXPECT_NE(msg.find("latency only"), std::string::npos) << msg;
  msg = error_of([&] { make_cost_source(data, Dataset::Cifar10, {"flops", HwMetric::Energy}); });
  EXPECT_NE(msg.find("does not apply"), std::string::npos) << msg;
}

TEST(CostSourceConformance, HelpDevicesExcludeTheHwNasBenchDuplicates) {
  auto data = test::data();
  for (const auto& b : CostSourceRegistry::instance().backends()) {
    if (b.name != "help") continue;
    const auto devices = b.devices(*data);
    EXPECT_EQ(devices.size(), 23u);  // 27 HELP columns minus eyeriss, fpga, pixel3, raspi4
    for (const auto& d : devices) EXPECT_FALSE(is_hwnasbench_device(d)) << d;
  }
  // The shared devices resolve to HW-NAS-Bench and equal the HELP copy (data README §4).
  auto fpga = make_cost_source(data, Dataset::Cifar10, {"fpga"});
  EXPECT_EQ(fpga->name(), "fpga_latency");
  for (int i = 0; i < data->size(); i += 97) EXPECT_EQ(*fpga->cost(i), *data->help_latency(i, "fpga")) << i;
}

}  // namespace
}  // namespace pelnas
