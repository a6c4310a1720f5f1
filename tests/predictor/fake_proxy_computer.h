#pragma once
// Test-only ProxyComputer: deterministic values derived from the benchmark table, so predictor
// code can be tested without LibTorch. Not a proxy implementation: it reads the answers
// (12-epoch accuracy) on purpose, so a predictor trained on it has a real signal to find.
#include <atomic>
#include <cmath>

#include "predictor/proxy_computer.h"
#include "test_support.h"

namespace pelnas::test {

class FakeProxyComputer : public ProxyComputer {
 public:
  explicit FakeProxyComputer(Dataset d = Dataset::Cifar10, std::string version = "fake-1", std::atomic<int>* calls = nullptr)
      : d_(d), version_(std::move(version)), calls_(calls) {}

  ProxyValues compute(const Arch& arch) override {
    if (calls_) ++*calls_;
    return fake_values(arch, d_);
  }
  std::string code_version() const override { return version_; }
  std::string input_description() const override { return "fake (table-derived)"; }

  static ProxyValues fake_values(const Arch& arch, Dataset d) {
    auto data = test::data();
    const int i = data->index_of(arch);
    ProxyValues v;
    for (auto name : kProxyNames) v.emplace(std::string(name), std::nullopt);
    v["params"] = data->params(i, d);
    v["flops"] = data->flops(i, d);
    v["synflow"] = std::log1p(data->params(i, d)) + 0.01 * arch.lex_code() / kNumArchs;
    const auto a12 = data->accuracy(i, d, AccuracyMetric::Test12);
    v["nwot"] = a12;  // may be missing
    v["jacov"] = arch.count(Op::Conv3x3) * 1.5 - arch.count(Op::None);
    return v;
  }

 private:
  Dataset d_;
  std::string version_;
  std::atomic<int>* calls_;
};

}  // namespace pelnas::test
