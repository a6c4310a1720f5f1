// The LibTorch back end: the NB201 module against the table, and the 13 proxies' properties
// (finite, reproducible, data-free ones independent of the images, table-exact params/flops,
// no NaN from zero-output cells, the noise fallback announced).
#include <gtest/gtest.h>
#include "pelnas_build_paths.h"

#include <cmath>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/rng.h"
#include "predictor/nb201_network.h"
#include "predictor/non_finite_proxies.h"
#include "predictor/nb201_torch.h"  // white-box: the fused BN double backward against libtorch's
#include "predictor/proxy_computer.h"
#include "predictor/proxy_subsets.h"
#include "predictor/proxy_table.h"
#include "test_support.h"

namespace pelnas {
namespace {

ProxyOptions options(int batch = 16, std::uint64_t seed = 0) {
  register_torch_proxy_backend();
  ProxyOptions o;
  o.dataset = Dataset::Cifar10;
  o.batch_size = batch;
  o.seed = seed;
  o.data_dir = test::data_dir();
  o.threads = 2;
  return o;
}

TEST(TorchNetwork, ParameterCountEqualsTheTableAcrossConv3x3Counts) {
  const auto data = test::data();
  Rng rng(11);
  std::vector<int> per_count(kNumEdges + 1, 0);
  for (int n = 0; n < 40; ++n) {
    const int i = static_cast<int>(rng.uniform_int(0, data->size() - 1));
    const Arch& a = data->arch(i);
    ++per_count[static_cast<std::size_t>(a.count(Op::Conv3x3))];
    for (Dataset d : kAllDatasets)
      EXPECT_NEAR(static_cast<double>(nb201_torch_param_count(a, d)) / 1e6, data->params(i, d), 5e-7) << a.str();
  }
  // Extremes: all conv3x3 (the largest network) and all none.
  for (Op op : {Op::Conv3x3, Op::None}) {
    Arch a;
    a.ops.fill(op);
    EXPECT_EQ(nb201_torch_param_count(a, Dataset::Cifar10), nb201_param_count(a, Dataset::Cifar10));
    EXPECT_NEAR(static_cast<double>(nb201_torch_param_count(a, Dataset::Cifar10)) / 1e6,
                data->params(data->index_of(a), Dataset::Cifar10), 5e-7);
  }
}

// GRASP's Hessian-vector product (NASLib grasp.py: grad with create_graph, z = g . grad, grad of z)
// with libtorch's batch norm and with the fused BN double backward: the same up to float rounding,
// on cells with every op type including a zero-output cell, on all three datasets' shapes.
TEST(TorchNetwork, FusedBatchNormDoubleBackwardMatchesLibtorch) {
  namespace tb = torch_backend;
  torch::set_num_threads(2);
  auto hessian_product = [](tb::Nb201Network& net, const torch::Tensor& x, const torch::Tensor& y, bool fused,
                            std::vector<torch::Tensor>& first) {
    tb::Trace trace;
    trace.fused_bn_double_backward = fused;
    const auto w = net->prunable_weights();
    auto loss = torch::nn::functional::cross_entropy(net->forward(x, &trace).logits, y);
    auto g = torch::autograd::grad({loss}, w, {}, true, /*create_graph=*/true, /*allow_unused=*/true);
    torch::Tensor z;
    first.clear();
    for (std::size_t i = 0; i < w.size(); ++i) {
      first.push_back(g[i].defined() ? g[i].detach() : torch::Tensor());
      if (!g[i].defined() || !g[i].requires_grad()) continue;
      auto t = (g[i].detach() * g[i]).sum();
      z = z.defined() ? z + t : t;
    }
    return torch::autograd::grad({z}, w, {}, false, false, true);
  };
  const std::vector<std::pair<const char*, Dataset>> cases{
      {"|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|", Dataset::Cifar10},
      {"|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|nor_conv_1x1~1|skip_connect~2|", Dataset::Cifar100},
      {"|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_3x3~2|", Dataset::ImageNet16_120},
      {"|none~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|", Dataset::Cifar10}};
  for (const auto& [s, d] : cases) {
    torch::manual_seed(3);
    tb::Nb201Network net(Arch::parse(s), d);
    net->train();
    const int side = input_size(d);
    const auto x = torch::randn({12, 3, side, side});
    const auto y = torch::randint(0, num_classes(d), {12}, torch::kLong);
    std::vector<torch::Tensor> g_ref, g_fused;
    const auto h_ref = hessian_product(net, x, y, false, g_ref);
    const auto h = hessian_product(net, x, y, true, g_fused);
    const auto w = net->prunable_weights();
    double grasp_ref = 0, grasp = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
      ASSERT_EQ(g_ref[i].defined(), g_fused[i].defined()) << s;
      if (g_ref[i].defined()) {  // the first-order gradient is libtorch's own kernel either way
        EXPECT_LE((g_ref[i] - g_fused[i]).abs().max().item<double>(), 1e-5 * g_ref[i].abs().max().item<double>() + 1e-12)
            << s << " weight " << i;
      }
      ASSERT_EQ(h[i].defined(), h_ref[i].defined()) << s << " weight " << i;
      if (!h[i].defined()) continue;
      const double scale = h_ref[i].abs().max().item<double>();
      EXPECT_LE((h[i] - h_ref[i]).abs().max().item<double>(), 2e-3 * scale + 1e-9) << s << " weight " << i;
      grasp_ref += (-w[i] * h_ref[i]).sum().item<double>();
      grasp += (-w[i] * h[i]).sum().item<double>();
    }
    EXPECT_NEAR(grasp, grasp_ref, 1e-3 * std::abs(grasp_ref) + 1e-9) << s;
  }
}

// The shipped table was written by an earlier build on another day: the current code must
// reproduce it (same code version => same values), for cheap, mid and expensive cells.
TEST(TorchProxies, ReproduceTheShippedCifar10Table) {
  const auto table = ProxyTable::read(std::string(PELNAS_SOURCE_DIR) + "/models/proxies_cifar10.csv");
  auto opt = options(64, 0);
  auto pc = make_proxy_computer(opt);
  ASSERT_EQ(pc->code_version(), table.key.code_version);
  int checked = 0;
  std::set<int> conv3x3_counts;
  for (const Arch& a : table.archs) {
    if (!conv3x3_counts.insert(std::min(a.count(Op::Conv3x3) / 2, 2)).second) continue;  // 0-1, 2-3, 4-6
    const auto want = *table.find(a);
    const auto got = pc->compute(a);
    for (auto name : kProxyNames) {
      const auto& w = want.at(std::string(name));
      const auto& g = got.at(std::string(name));
      ASSERT_EQ(w.has_value(), g.has_value()) << name << " " << a.str();
      if (!w) continue;
      // The table holds 10 significant digits. Gradient-based values move with float32 summation
      // order (thread count, CPU): plain is a sum with cancellation, compared against snip (which
      // bounds |plain|); grasp, a Hessian product, moves by up to ~1e-3 between 1 and 2 threads.
      double scale = std::abs(*w), tol = 2e-4;
      if (std::string(name) == "plain") scale = std::max(scale, *want.at("snip"));
      if (std::string(name) == "grasp") scale = std::max(scale, 1.0), tol = 3e-3;
      EXPECT_NEAR(*g, *w, tol * scale) << name << " " << a.str();
    }
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(TorchProxies, AllThirteenFiniteReproducibleAndTableExact) {
  const auto data = test::data();
  const Arch a = Arch::parse("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|");
  const int index = data->index_of(a);
  auto pc = make_proxy_computer(options());
  const auto v = pc->compute(a);
  ASSERT_EQ(v.size(), kProxyNames.size());
  for (auto name : kProxyNames) {
    ASSERT_TRUE(v.count(name)) << name;
    ASSERT_TRUE(v.at(std::string(name)).has_value()) << name;
    EXPECT_TRUE(std::isfinite(*v.at(std::string(name)))) << name;
  }
  EXPECT_NEAR(*v.at("params"), data->params(index, Dataset::Cifar10), 5e-7);
  EXPECT_NEAR(*v.at("flops"), data->flops(index, Dataset::Cifar10), 5e-6);
  EXPECT_GT(*v.at("synflow"), 0.0);
  EXPECT_LE(*v.at("jacov"), -16.0);  // -sum(log v + 1/v) <= -n for a correlation matrix of n = 16 rows
  // Same seed, a fresh computer: identical values.
  auto pc2 = make_proxy_computer(options());
  EXPECT_EQ(pc2->compute(a), v);
  // Another seed: new weights and minibatch, so data-dependent values change; table ones do not.
  auto pc3 = make_proxy_computer(options(16, 5));
  const auto w = pc3->compute(a);
  EXPECT_NE(*w.at("snip"), *v.at("snip"));
  EXPECT_NE(*w.at("l2_norm"), *v.at("l2_norm"));
  EXPECT_EQ(*w.at("params"), *v.at("params"));
  EXPECT_EQ(*w.at("flops"), *v.at("flops"));
}

TEST(TorchProxies, ASubsetGivesTheSameBitsAsAllThirteen) {
  // A value must not depend on which other proxies were computed with it (a cache holds either),
  // in particular not on whether GRASP's double-backward graph was built in the same pass.
  auto all = make_proxy_computer(options());
  for (const char* text : {"|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|",
                           "|nor_conv_1x1~0|+|nor_conv_3x3~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|"}) {
    const Arch a = Arch::parse(text);
    const auto v = all->compute(a);
    for (const std::string subset : {"default", "grad_norm,snip", "fisher,zen", "jacov,synflow", "flops,nwot", "grasp"}) {
      auto o = options();
      o.proxies = resolve_proxy_set(subset);
      const auto w = make_proxy_computer(o)->compute(a);
      ASSERT_EQ(w.size(), o.proxies.size()) << subset;
      for (const auto& name : o.proxies) EXPECT_EQ(w.at(name), v.at(name)) << subset << ": " << name << " of " << text;
    }
  }
}

TEST(TorchProxies, DataFreeProxiesIgnoreTheImages) {
  const Arch a = Arch::parse("|nor_conv_1x1~0|+|nor_conv_3x3~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|");
  auto with_images = make_proxy_computer(options(8, 2));
  auto o = options(8, 2);
  o.data_dir = test::temp_dir("noimages");  // no images: Gaussian noise input
  auto with_noise = make_proxy_computer(o);
  const auto x = with_images->compute(a), y = with_noise->compute(a);
  for (auto name : {"synflow", "l2_norm", "params", "flops", "zen"}) EXPECT_EQ(x.at(name), y.at(name)) << name;
  EXPECT_NE(x.at("nwot"), y.at("nwot"));
  EXPECT_NE(x.at("grad_norm"), y.at("grad_norm"));
}

TEST(TorchProxies, SynflowCountsParameterisedPaths) {
  // Synflow with |theta| and an all-ones input sums products of |weights| along input-output
  // paths: all-conv3x3 cells multiply the paths many times over; all-none cells cut them.
  auto pc = make_proxy_computer(options(8));
  Arch conv, none;
  conv.ops.fill(Op::Conv3x3);
  none.ops.fill(Op::None);
  const auto sc = pc->compute(conv), sn = pc->compute(none);
  ASSERT_TRUE(sc.at("synflow") && sn.at("synflow"));
  EXPECT_GT(*sc.at("synflow"), *sn.at("synflow") * 1e6);
}

TEST(TorchProxies, ZeroOutputCellsLeakNoNaN) {
  auto pc = make_proxy_computer(options(8));
  const auto data = test::data();
  int checked = 0, missing = 0;
  reset_non_finite_proxy_count();
  for (int i = 0; i < data->size() && checked < 3; ++i) {
    if (!data->zero_output(i)) continue;
    const auto v = pc->compute(data->arch(i));
    ASSERT_EQ(v.size(), kProxyNames.size());
    for (const auto& [name, value] : v) missing += !value;
    for (const auto& [name, value] : v)
      if (value) { EXPECT_TRUE(std::isfinite(*value)) << name << " for " << data->arch(i).str(); }
    // The Jacobian of a network whose cells output zeros is zero: its correlation is undefined.
    EXPECT_FALSE(v.at("jacov").has_value());
    EXPECT_NEAR(*v.at("params"), data->params(i, Dataset::Cifar10), 5e-7);
    ++checked;
  }
  EXPECT_EQ(checked, 3);
  // Each missing value was counted for the one summary line at the end (not a warning each).
  const NonFiniteProxyCount c = non_finite_proxy_count();
  EXPECT_EQ(c.values, missing);
  EXPECT_EQ(c.archs, 3);
  EXPECT_EQ(c.by_proxy.at("jacov"), 3);
  reset_non_finite_proxy_count();
}

TEST(TorchProxies, NoiseFallbackIsAnnouncedAndCanBeRefused) {
  std::ostringstream log;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  auto o = options(8);
  o.data_dir = test::temp_dir("fallback");
  auto pc = make_proxy_computer(o);
  spdlog::set_default_logger(previous);
  EXPECT_NE(log.str().find("Gaussian noise"), std::string::npos) << log.str();
  EXPECT_NE(pc->input_description().find("Gaussian noise"), std::string::npos);
  o.allow_noise_fallback = false;
  EXPECT_THROW(make_proxy_computer(o), Error);
  // An explicit image file that is not there is an error, never a silent fallback.
  auto p = options(8);
  p.images_path = o.data_dir + "/missing.bin";
  EXPECT_THROW(make_proxy_computer(p), InputError);
}

TEST(TorchProxiesCli, JsonHasOneObjectPerArchAndBadInputExitsTwo) {
  const auto dir = test::temp_dir("proxies_cli");
  test::write_file(dir + "/archs.txt",
                   "# two archs\n|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_1x1~2|\n"
                   "\n|skip_connect~0|+|none~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|\n");
  auto r = test::run_cli({"proxies", "--archs", dir + "/archs.txt", "--batch-size", "8", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["results"].size(), 2u);
  for (const auto& o : doc["results"]) {
    for (auto name : kProxyNames) EXPECT_TRUE(o.contains(std::string(name))) << name;
    EXPECT_TRUE(o.contains("arch"));
    EXPECT_EQ(o["index"].get<int>(), test::data()->index_of(Arch::parse(o["arch"].get<std::string>())));
  }
  test::write_file(dir + "/bad.txt", "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_1x1~2|\n|conv~0|\n");
  r = test::run_cli({"proxies", "--archs", dir + "/bad.txt"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.txt:2"), std::string::npos) << r.err;
  r = test::run_cli({"proxies", "--sample", "1", "--dataset", "mnist"});
  EXPECT_EQ(r.exit_code, 2);
  // Two zero-output cells (no path avoids `none`: jacov is undefined for each): the values are
  // counted and said once at the end, not a warning per value in the middle of the progress.
  test::write_file(dir + "/zero.txt", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|\n"
                                      "|none~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|\n");
  r = test::run_cli({"proxies", "--archs", dir + "/zero.txt", "--batch-size", "8", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("is not finite"), std::string::npos) << r.err;
  const std::string summary = "proxy values came out non-finite and were recorded as missing (2 archs): ";
  EXPECT_NE(r.err.find(summary), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(summary), r.err.rfind(summary)) << r.err;
  EXPECT_NE(r.err.find("jacov 2"), std::string::npos) << r.err;
  test::write_file(dir + "/short.bin", std::string(3073 * 2 - 1, '\x01'));
  r = test::run_cli({"proxies", "--sample", "1", "--images", dir + "/short.bin"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("short.bin"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pelnas

namespace pelnas {
namespace {

// The pelnas executable links no LibTorch: it opens the plugin (libpelnas_torch.so, built from the
// same objects as this test's back end) on demand. Its proxies equal the in-process ones.
TEST(TorchPlugin, TheCliComputesTheSameProxiesThroughThePlugin) {
  const auto r = test::run_cli({"proxies", "--sample", "1", "--batch-size", "8", "--seed", "0", "--threads", "1", "--json",
                                "--data=" + test::data_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out).at("results").at(0);
  auto o = options(8, 0);
  o.threads = 1;
  auto pc = make_proxy_computer(o);
  const auto values = pc->compute(Arch::parse(j.at("arch").get<std::string>()));
  for (const char* name : {"synflow", "nwot", "params", "flops", "snip"}) {
    ASSERT_TRUE(values.at(name).has_value()) << name;
    EXPECT_NEAR(j.at(name).get<double>(), *values.at(name), 1e-9 * std::abs(*values.at(name))) << name;
  }
}

}  // namespace
}  // namespace pelnas
