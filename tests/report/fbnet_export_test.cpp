// The generated FBNet PyTorch module builds a network with the analytic parameter count. It runs
// under python3 against a stand-in `torch` that records parameter shapes (PyTorch is not needed).
#include "report/fbnet_export.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/rng.h"
#include "report/run_fixture.h"
#include "test_support.h"

namespace pelnas {
namespace {

const char* kTorchStub = R"PY(
class Parameter:
    def __init__(self, n):
        self.n = n
    def numel(self):
        return self.n
class Module:
    def __init__(self):
        object.__setattr__(self, "_mods", {})
        object.__setattr__(self, "_params", {})
    def __setattr__(self, k, v):
        if isinstance(v, Module):
            self._mods[k] = v
        elif isinstance(v, Parameter):
            self._params[k] = v
        object.__setattr__(self, k, v)
    def parameters(self):
        for p in self._params.values():
            yield p
        for m in self._mods.values():
            yield from m.parameters()
class ModuleList(Module):
    def __init__(self, mods):
        super().__init__()
        for i, m in enumerate(mods):
            setattr(self, str(i), m)
class Conv2d(Module):
    def __init__(self, cin, cout, kernel_size, stride=1, padding=0, groups=1, bias=True):
        super().__init__()
        assert cin % groups == 0 and cout % groups == 0, (cin, cout, groups)
        self.weight = Parameter(cin // groups * cout * kernel_size * kernel_size)
        if bias:
            self.bias = Parameter(cout)
class BatchNorm2d(Module):
    def __init__(self, c):
        super().__init__()
        self.weight = Parameter(c)
        self.bias = Parameter(c)
class Linear(Module):
    def __init__(self, i, o):
        super().__init__()
        self.weight = Parameter(i * o)
        self.bias = Parameter(o)
class _NoParams(Module):
    def __init__(self, *a, **k):
        super().__init__()
ReLU = AdaptiveAvgPool2d = _NoParams
)PY";

TEST(FbnetExport, PytorchModuleHasTheAnalyticParameterCount) {
  if (!test::have_python3()) GTEST_SKIP() << "python3 not available";
  const std::string dir = test::temp_dir("fbnet_export");
  std::filesystem::create_directories(dir + "/stub/torch/nn");
  test::write_file(dir + "/stub/torch/__init__.py", "from . import nn\n");
  test::write_file(dir + "/stub/torch/nn/__init__.py", kTorchStub);
  test::write_file(dir + "/count.py",
                   "import sys, runpy\nsys.path.insert(0, sys.argv[1])\nfor f in sys.argv[2:]:\n"
                   "    m = runpy.run_path(f)\n    print(m['count_parameters'](m['build_model']()), m['EXPECTED_PARAMETERS'])\n");
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
  std::string cmd = "python3 " + dir + "/count.py " + dir + "/stub";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string path = dir + "/m" + std::to_string(i) + ".py";
    test::write_file(path, fbnet_pytorch_module_source(cases[i].first, cases[i].second, "test\nrun"));
    cmd += " " + path;
  }
  cmd += " > " + dir + "/out.txt";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(dir + "/out.txt");
  for (const auto& [arch, d] : cases) {
    long long counted = -1, stated = -1;
    ASSERT_TRUE(in >> counted >> stated) << arch.str();
    EXPECT_EQ(counted, fbnet_param_count(arch, d)) << arch.str() << " " << to_string(d);
    EXPECT_EQ(stated, fbnet_param_count(arch, d)) << arch.str();
  }
  // The provenance comment stays one line.
  const std::string src = fbnet_pytorch_module_source(cases[0].first, cases[0].second, "a\nb");
  EXPECT_NE(src.find("# a b\n"), std::string::npos);
  EXPECT_NE(src.find("ARCH = \"" + cases[0].first.str() + "\""), std::string::npos);
}

}  // namespace
}  // namespace pelnas
