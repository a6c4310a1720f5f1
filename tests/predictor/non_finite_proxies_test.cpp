#include "predictor/non_finite_proxies.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace pelnas {
namespace {

TEST(NonFiniteProxies, CountsValuesPerProxyAndDistinctArchs) {
  reset_non_finite_proxy_count();
  EXPECT_EQ(non_finite_proxy_summary(), "");
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  // Four threads note values at once (proxies are computed on several threads in a grid).
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) note_non_finite_proxy(i % 2 ? "jacov" : "grasp", "arch" + std::to_string(i % 5), t ? nan : -inf);
    });
  for (auto& th : threads) th.join();
  const NonFiniteProxyCount c = non_finite_proxy_count();
  EXPECT_EQ(c.values, 200);
  EXPECT_EQ(c.archs, 5);
  ASSERT_EQ(c.by_proxy.size(), 2u);
  EXPECT_EQ(c.by_proxy.at("grasp"), 100);
  EXPECT_EQ(c.by_proxy.at("jacov"), 100);
  EXPECT_EQ(non_finite_proxy_summary(),
            "200 proxy values came out non-finite and were recorded as missing (5 archs): grasp 100, jacov 100; -v lists each");
  reset_non_finite_proxy_count();
  note_non_finite_proxy("zen", "a", nan);
  EXPECT_EQ(non_finite_proxy_summary(),
            "1 proxy value came out non-finite and was recorded as missing (1 arch): zen 1; -v lists each");
  reset_non_finite_proxy_count();
}

}  // namespace
}  // namespace pelnas
