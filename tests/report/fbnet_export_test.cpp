// The generated FBNet PyTorch module builds a network with the analytic parameter count. It runs
// under python3 against a stand-in `torch` that records parameter shapes (PyTorch is not needed).
#include "report/fbnet_export.h"

#include <gtest/gtest.h>


#include "common/rng.h"
#include "report/pytorch_stub.h"
#include "report/run_fixture.h"
#include "test_support.h"

namespace pelnas {
namespace {

TEST(FbnetExport, PytorchModuleHasTheAnalyticParameterCount) {
  if (!test::have_python3()) GTEST_SKIP() << "python3 not available";
  const std::string dir = test::temp_dir("fbnet_export");
  std::vector<std::pair<FbnetArch, FbnetDataset>> cases;
  for (int b = 0; b < kFbnetNumBlocks; ++b) {
    FbnetArch a;
    a.ops.fill(static_cast<std::uint8_t>(b));
    cases.push_back({a, FbnetDataset::Cifar100});
  }
  Rng rng(21);
  for (int i = 0; i < 6; ++i) {
    FbnetArch a;
    for (auto& op : a.ops) op = static_cast<std::uint8_t>(rng.uniform_int(0, kFbnetNumBlocks - 1));
    cases.push_back({a, i % 2 ? FbnetDataset::ImageNet : FbnetDataset::Cifar100});
  }
  std::vector<std::string> modules;
  for (const auto& [arch, d] : cases) {
    modules.push_back(dir + "/m" + std::to_string(modules.size()) + ".py");
    test::write_file(modules.back(), fbnet_pytorch_module_source(arch, d, "test\nrun"));
  }
  const auto counts = test::count_module_parameters(dir, modules);
  ASSERT_EQ(counts.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& [arch, d] = cases[i];
    EXPECT_EQ(counts[i].counted, fbnet_param_count(arch, d)) << arch.str() << " " << to_string(d);
    EXPECT_EQ(counts[i].stated, fbnet_param_count(arch, d)) << arch.str();
  }
  // The provenance comment stays one line.
  const std::string src = fbnet_pytorch_module_source(cases[0].first, cases[0].second, "a\nb");
  EXPECT_NE(src.find("# a b\n"), std::string::npos);
  EXPECT_NE(src.find("ARCH = \"" + cases[0].first.str() + "\""), std::string::npos);
}

}  // namespace
}  // namespace pelnas
