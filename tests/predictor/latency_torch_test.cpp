// The `host` device's measurement (predictor/latency.h; thread CPU time with one thread):
// quartiles in order, requests checked,
// and a cell of five 3x3 convolutions is measurably slower than one of skips and pooling (the
// network differs ~10x in FLOPs; the timing must see it, whatever else runs on the machine).
#include <gtest/gtest.h>

#include "common/error.h"
#include "predictor/latency.h"
#include "test_support.h"

namespace pelnas {
namespace {

TEST(HostLatencyTorch, QuartilesAreOrderedAndHeavyCellsAreSlower) {
  const Arch heavy = Arch::parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
  const Arch light = Arch::parse("|skip_connect~0|+|avg_pool_3x3~0|skip_connect~1|+|skip_connect~0|none~1|avg_pool_3x3~2|");
  const LatencyRequest req{1, 1, 2, 7};
  const auto h = measure_nb201_latency(heavy, Dataset::Cifar10, req);
  const auto l = measure_nb201_latency(light, Dataset::Cifar10, req);
  for (const auto& m : {h, l}) {
    EXPECT_GT(m.q1_ms, 0);
    EXPECT_LE(m.q1_ms, m.median_ms);
    EXPECT_LE(m.median_ms, m.q3_ms);
    EXPECT_GE(m.build_ms, 0);
  }
  EXPECT_GT(h.median_ms, 1.5 * l.median_ms) << h.median_ms << " vs " << l.median_ms;
  // ImageNet16-120 inputs are 16x16: a quarter of the pixels.
  const auto small = measure_nb201_latency(heavy, Dataset::ImageNet16_120, req);
  EXPECT_LT(small.median_ms, h.median_ms);
  EXPECT_NE(std::string(torch_version_string()), "");
  // Interleaved, as `pelnas data measure-host` measures: one result per network, same ordering.
  const Arch both[] = {light, heavy};
  const auto m = measure_nb201_latencies(both, Dataset::Cifar10, req);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_GT(m[1].median_ms, 1.5 * m[0].median_ms) << m[1].median_ms << " vs " << m[0].median_ms;
  EXPECT_LE(m[0].q1_ms, m[0].median_ms);
}

TEST(HostLatencyTorch, BadRequestsAreRefused) {
  const Arch a = Arch::parse("|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|");
  EXPECT_NE(test::error_of([&] { measure_nb201_latency(a, Dataset::Cifar10, {0, 1, 1, 1}); }).find("threads"), std::string::npos);
  EXPECT_NE(test::error_of([&] { measure_nb201_latency(a, Dataset::Cifar10, {1, 0, 1, 1}); }).find("batch"), std::string::npos);
  EXPECT_NE(test::error_of([&] { measure_nb201_latency(a, Dataset::Cifar10, {1, 1, 1, 0}); }).find("runs"), std::string::npos);
}

}  // namespace
}  // namespace pelnas
