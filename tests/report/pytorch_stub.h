#pragma once
// Parameter counts of generated PyTorch modules (`pelnas export --format pytorch`, NB201 and FBNet)
// without PyTorch: each module is built under python3 against a stand-in `torch` package that only
// records parameter shapes, so the count is independent of the C++ one it is compared with.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace pelnas::test {

// torch.nn as far as the generated modules use it: parameters are counted, nothing is computed.
inline const char* const kTorchStub = R"PY(
class Parameter:
    def __init__(self, n):
        self.n = n
        self.requires_grad = True
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
class Sequential(Module):
    def __init__(self, *mods):
        super().__init__()
        for i, m in enumerate(mods):
            setattr(self, str(i), m)
class ModuleList(Module):
    def __init__(self, mods):
        super().__init__()
        for i, m in enumerate(mods):
            setattr(self, str(i), m)
class Conv2d(Module):
    def __init__(self, cin, cout, kernel_size, stride=1, padding=0, groups=1, bias=True):
        super().__init__()
        assert cin % groups == 0 and cout % groups == 0, (cin, cout, groups)
        k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
        self.weight = Parameter(cin // groups * cout * k * k)
        if bias:
            self.bias = Parameter(cout)
class BatchNorm2d(Module):
    def __init__(self, c, affine=True, track_running_stats=True):
        super().__init__()
        if affine:
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
ReLU = Identity = AvgPool2d = AdaptiveAvgPool2d = _NoParams
)PY";

struct ModuleParameterCount {
  long long counted = -1;  // parameters of the network build_model() returns
  long long stated = -1;   // the module's EXPECTED_PARAMETERS
};

// Builds each module file (in one python3 process) against the stub, which is written under `dir`.
// Fewer results than modules (and a test failure) when python3 fails.
inline std::vector<ModuleParameterCount> count_module_parameters(const std::string& dir, const std::vector<std::string>& modules) {
  std::filesystem::create_directories(dir + "/stub/torch/nn");
  write_file(dir + "/stub/torch/__init__.py", "from . import nn\n");
  write_file(dir + "/stub/torch/nn/__init__.py", kTorchStub);
  write_file(dir + "/count.py",
             "import sys, runpy\nsys.path.insert(0, sys.argv[1])\nfor f in sys.argv[2:]:\n"
             "    m = runpy.run_path(f)\n    print(m['count_parameters'](m['build_model']()), m['EXPECTED_PARAMETERS'])\n");
  std::string cmd = "python3 " + dir + "/count.py " + dir + "/stub";
  for (const auto& m : modules) cmd += " " + m;
  cmd += " > " + dir + "/out.txt";
  std::vector<ModuleParameterCount> out;
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << cmd;
    return out;
  }
  std::ifstream in(dir + "/out.txt");
  for (ModuleParameterCount c; out.size() < modules.size() && in >> c.counted >> c.stated;) out.push_back(c);
  return out;
}

}  // namespace pelnas::test
