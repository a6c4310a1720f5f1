// The 13 NAS-Bench-Suite-Zero zero-cost proxies on an untrained NB201 network, in LibTorch.
// Definitions follow NASLib (naslib/predictors/utils/pruners/measures/*.py, from SamsungLabs'
// zero-cost-nas) and the original papers; where NASLib deep-copies the network per measure, all
// copies start from the same weights and BN in train mode, so one forward pass serves the
// data-dependent proxies (jacov, epe_nas, nwot, grad_norm, snip, plain, fisher, grasp).
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <optional>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/error.h"
#include "predictor/fbnet_torch.h"
#include "predictor/fbnet_network.h"
#include "predictor/images.h"
#include "predictor/nb201_torch.h"
#include "predictor/non_finite_proxies.h"
#include "predictor/proxy_computer.h"

namespace pelnas {

namespace {

using torch_backend::Nb201Network;
using torch_backend::Trace;
namespace F = torch::nn::functional;

// glibc returns big freed blocks to the OS by default; torch allocates and frees activation-sized
// buffers on every op, so without this each op pays page faults (a forward pass: 876 ms -> 182 ms).
void tune_allocator_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);  // the largest value glibc accepts
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
  });
}

// Per-stage wall times for `pelnas -v` (debug log).
struct Stopwatch {
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  std::string report;
  void lap(std::string_view what) {
    const auto now = std::chrono::steady_clock::now();
    const auto c = std::clock();
    report += fmt::format("{} {:.0f} ms (cpu {:.0f} ms); ", what,
                          std::chrono::duration<double, std::milli>(now - t).count(),
                          1000.0 * static_cast<double>(c - cpu) / CLOCKS_PER_SEC);
    t = now;
    cpu = c;
  }
};

double sum_all(const std::vector<torch::Tensor>& ts, const std::function<torch::Tensor(std::size_t)>& f) {
  double s = 0;
  for (std::size_t i = 0; i < ts.size(); ++i) s += f(i).sum().item<double>();
  return s;
}

// np.corrcoef over rows (double): NaN where a row has zero variance, like numpy.
torch::Tensor corrcoef_rows(const torch::Tensor& x) {
  auto c = x - x.mean(1, true);
  auto cov = c.matmul(c.t());
  auto d = cov.diagonal().sqrt();
  return cov / d.unsqueeze(1) / d.unsqueeze(0);
}

// jacob_cov (Mellor et al. v1, NASLib jacov.py): -sum(log(v+k) + 1/(v+k)) over the eigenvalues of
// the correlation matrix of the input Jacobians.
double jacov_score(const torch::Tensor& jac) {
  auto corr = corrcoef_rows(jac);
  if (!torch::isfinite(corr).all().item<bool>()) return std::nan("");
  auto v = torch::linalg::eigvalsh(corr, "L");
  const double k = 1e-5;
  return -((v + k).log() + 1.0 / (v + k)).sum().item<double>();
}

// EPE-NAS (Lopes et al. 2021, NASLib epe_nas.py): per-class correlation scores of the Jacobians.
double epe_nas_score(const torch::Tensor& jac, const torch::Tensor& labels, int n_classes) {
  const double k = 1e-5;
  std::map<std::int64_t, std::vector<std::int64_t>> rows;  // class -> batch rows, in class order
  auto lab = labels.contiguous();
  for (std::int64_t i = 0; i < lab.size(0); ++i) rows[lab[i].item<std::int64_t>()].push_back(i);
  std::vector<double> scores;
  for (auto& [c, idx] : rows) {
    if (idx.size() == 1) {
      // numpy: corrcoef of one row is the scalar 1; len() of it fails, so >100 classes skip it.
      if (n_classes > 100) continue;
      scores.push_back(std::log(1.0 + k));
      continue;
    }
    auto corr = corrcoef_rows(jac.index_select(0, torch::tensor(idx, torch::kLong)));
    double s = (corr.abs() + k).log().sum().item<double>();
    if (n_classes > 100) s /= static_cast<double>(idx.size());
    scores.push_back(s);
  }
  double score = 0;
  if (n_classes <= 100) {
    for (double s : scores) score += std::abs(s);
  } else {
    for (double a : scores)
      for (double b : scores) score += std::abs(a - b);
    if (!scores.empty()) score /= static_cast<double>(scores.size());
  }
  return score;
}

// One view of the network the proxies run on: the NB201 network or any space's SpaceNetwork
// (same members; `net->` reads as before).
class ProxyNet {
 public:
  explicit ProxyNet(Nb201Network& n)
      : module_(*n),
        forward_([&n](const torch::Tensor& x, Trace* t) {
          auto o = n->forward(x, t);
          return torch_backend::SpaceNetworkOutput{o.features, o.logits};
        }),
        weights_([&n] { return n->prunable_weights(); }),
        batchnorms_([&n] { return n->batchnorms(); }),
        count_([&n] { return n->parameter_count(); }) {}
  explicit ProxyNet(torch_backend::SpaceNetwork& n)
      : module_(n),
        forward_([&n](const torch::Tensor& x, Trace* t) { return n.forward(x, t); }),
        weights_([&n] { return n.prunable_weights(); }),
        batchnorms_([&n] { return n.batchnorms(); }),
        count_([&n] { return n.parameter_count(); }) {}

  ProxyNet* operator->() { return this; }
  torch_backend::SpaceNetworkOutput forward(const torch::Tensor& x, Trace* t = nullptr) { return forward_(x, t); }
  std::vector<torch::Tensor> prunable_weights() { return weights_(); }
  std::vector<torch::nn::BatchNorm2d> batchnorms() { return batchnorms_(); }
  std::int64_t parameter_count() { return count_(); }
  void to(torch::Dtype d) { module_.to(d); }
  void train() { module_.train(); }
  std::vector<torch::Tensor> parameters() { return module_.parameters(); }
  std::vector<torch::Tensor> buffers() { return module_.buffers(); }
  std::vector<std::shared_ptr<torch::nn::Module>> modules(bool include_self) { return module_.modules(include_self); }

 private:
  torch::nn::Module& module_;
  std::function<torch_backend::SpaceNetworkOutput(const torch::Tensor&, Trace*)> forward_;
  std::function<std::vector<torch::Tensor>()> weights_;
  std::function<std::vector<torch::nn::BatchNorm2d>()> batchnorms_;
  std::function<std::int64_t()> count_;
};

class TorchProxyComputer final : public ProxyComputer, public SpaceProxyComputer {
 public:
  explicit TorchProxyComputer(const ProxyOptions& options) : opt_(options) {
    tune_allocator_once();
    if (opt_.threads < 1) throw Error(fmt::format("threads must be >= 1 (got {})", opt_.threads));
    if (opt_.batch_size < 1) throw Error(fmt::format("batch_size must be >= 1 (got {})", opt_.batch_size));
    torch::set_num_threads(opt_.threads);
    Minibatch mb = load_minibatch();
    description_ = mb.description;
    const int side = mb.side;
    inputs_ = torch::from_blob(mb.data.data(), {mb.batch, 3, side, side}, torch::kFloat).clone();
    targets_ = torch::from_blob(mb.labels.data(), {mb.batch}, torch::kLong).clone();
  }

  std::string code_version() const override { return "torch-nb201-v1"; }
  std::string input_description() const override { return description_; }
  std::string code_version(const SearchSpace& space) const override { return "torch-" + space.name() + "-v1"; }

  ProxyValues compute(const Arch& arch) override {
    torch::manual_seed(opt_.seed);  // the same initial weights for an arch on every run
    Nb201Network net(arch, opt_.dataset);
    net->train();
    ProxyValues out;
    const std::string arch_str = arch.str();
    auto put = [&](std::string_view name, double v) {
      if (!wanted(name)) return;
      if (std::isfinite(v)) {
        out[std::string(name)] = v;
      } else {
        note_non_finite_proxy(name, arch_str, v);  // counted; one summary at the end
        out[std::string(name)] = std::nullopt;
      }
    };

    ProxyNet view(net);
    all_proxies(view, put, arch_str);
    return out;
  }

  // The same 13 definitions on the network of any space the torch back end can build.
  ProxyValues compute(const SearchSpace& space, const Encoding& e) override {
    if (space.dataset() != to_string(opt_.dataset))
      throw Error(fmt::format("proxies were set up for {} images, but the {} space is built for {}", to_string(opt_.dataset),
                              space.name(), space.dataset()));
    torch::manual_seed(opt_.seed);
    auto net = torch_backend::build_space_network(space, e);
    net->train();
    ProxyValues out;
    const std::string arch_str = space.print(e);
    auto put = [&](std::string_view name, double v) {
      if (!wanted(name)) return;
      if (std::isfinite(v)) {
        out[std::string(name)] = v;
      } else {
        note_non_finite_proxy(name, arch_str, v);  // counted; one summary at the end
        out[std::string(name)] = std::nullopt;
      }
    };
    ProxyNet view(*net);
    all_proxies(view, put, arch_str);
    return out;
  }

 private:
  template <class Put>
  void all_proxies(ProxyNet& net, Put& put, const std::string& arch_str) {
    // Each stage runs only if one of its proxies is wanted; none of them draws random numbers, so
    // skipping one leaves every other value unchanged (Zen's draws come after all of them).
    Stopwatch sw;
    put("params", static_cast<double>(net->parameter_count()) / 1e6);
    auto weights = net->prunable_weights();
    if (wanted("l2_norm")) {
      torch::NoGradGuard g;
      put("l2_norm", sum_all(weights, [&](std::size_t i) { return weights[i].norm(); }));
    }
    sw.lap("build+l2_norm");
    if (wanted_any({"flops", "nwot", "jacov", "epe_nas", "grad_norm", "snip", "plain", "fisher", "grasp"}))
      data_proxies(net, weights, put, sw);
    if (wanted("synflow")) put("synflow", synflow(net, weights));
    sw.lap("synflow");
    if (wanted("zen")) put("zen", zen(net));
    sw.lap("zen");
    spdlog::debug("proxy timings for {}: {}", arch_str, sw.report);
  }

  ProxyOptions opt_;

  bool wanted(std::string_view name) const {
    return opt_.proxies.empty() || std::find(opt_.proxies.begin(), opt_.proxies.end(), name) != opt_.proxies.end();
  }
  bool wanted_any(std::initializer_list<std::string_view> names) const {
    return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return wanted(n); });
  }
  torch::Tensor inputs_, targets_;
  std::string description_;

  Minibatch load_minibatch() {
    std::string path = opt_.images_path;
    if (path.empty() && !opt_.data_dir.empty())
      path = opt_.data_dir + "/images/" + default_image_file(opt_.dataset);
    if (!path.empty() && (!opt_.images_path.empty() || std::filesystem::exists(path))) {
      // An explicit --images file must load; errors name the file.
      ImageSet images = load_images_for(path, opt_.dataset);
      return choose_minibatch(images, opt_.dataset, opt_.batch_size, opt_.seed);
    }
    if (!opt_.allow_noise_fallback)
      throw Error(fmt::format("no images for {}: {} (pass --images PATH)", to_string(opt_.dataset),
                              path.empty() ? std::string("no data directory given") : path + " does not exist"));
    spdlog::warn("no image file for {} ({}): data-dependent proxies use Gaussian noise input instead of real images",
                 to_string(opt_.dataset), path.empty() ? std::string("no data directory given") : path + " not found");
    return noise_minibatch(opt_.dataset, opt_.batch_size, opt_.seed);
  }

  template <class Put>
  void data_proxies(ProxyNet& net, const std::vector<torch::Tensor>& weights, Put& put, Stopwatch& sw) {
    Trace trace;
    trace.record_layers = true;  // per-image MACs (flops), layer outputs (fisher); cheap
    trace.record_relu_codes = wanted("nwot");
    trace.fused_bn_double_backward = true;  // same values; GRASP's double backward through BN fused
    // Only flops / nwot wanted: a forward without a graph.
    const bool backward = wanted_any({"jacov", "epe_nas", "grad_norm", "snip", "plain", "fisher", "grasp"});
    std::optional<torch::NoGradGuard> no_graph;
    if (!backward) no_graph.emplace();
    auto x = inputs_.clone().requires_grad_(backward);
    auto fwd = net->forward(x, &trace);
    put("flops", static_cast<double>(trace.macs_per_image) / 1e6);
    sw.lap("forward");

    // nwot: log|det K| of the ReLU sign-agreement kernel (NASLib returns the log-abs-det).
    if (wanted("nwot")) {
      const auto b = static_cast<std::int64_t>(trace.batch);
      auto k = torch::from_blob(trace.relu_kernel.data(), {b, b}, torch::kDouble);
      auto [sign, logabsdet] = torch::linalg::slogdet(k);
      put("nwot", logabsdet.item<double>());
    }

    // jacov and epe_nas: d(sum of logits)/d(input) per image.
    if (wanted_any({"jacov", "epe_nas"})) {
      auto jac = torch::autograd::grad({fwd.logits}, {x}, {torch::ones_like(fwd.logits)}, /*retain_graph=*/true)[0];
      jac = jac.reshape({jac.size(0), -1}).to(torch::kDouble);
      if (wanted("jacov")) put("jacov", jacov_score(jac));
      if (wanted("epe_nas")) put("epe_nas", epe_nas_score(jac, targets_, num_classes(opt_.dataset)));
    }
    sw.lap("nwot+jacobian");
    const bool grasp_wanted = wanted("grasp");
    if (!wanted_any({"grad_norm", "snip", "plain", "fisher", "grasp"})) return;

    // One cross-entropy backward for the weight gradients (grad_norm, snip, plain, grasp) and the
    // conv/linear output gradients (fisher); with a graph so grasp can take the Hessian product.
    // Without GRASP no graph of the backward is kept (its memory is most of the peak), and the
    // first-order backward takes the same kernels as the GRASP path, so the values are identical.
    auto loss = F::cross_entropy(fwd.logits, targets_);
    std::vector<torch::Tensor> wrt = weights;
    const bool fisher_wanted = wanted("fisher");
    if (fisher_wanted)
      for (auto& l : trace.layers) wrt.push_back(l.output);
    std::vector<torch::Tensor> grads;
    {
      std::optional<torch_backend::GraphKernelsForFirstOrder> same_kernels;
      if (!grasp_wanted) same_kernels.emplace();
      grads = torch::autograd::grad({loss}, wrt, {}, /*retain_graph=*/grasp_wanted, /*create_graph=*/grasp_wanted,
                                    /*allow_unused=*/true);
    }
    const std::size_t nw = weights.size();
    sw.lap("loss backward");
    auto g = [&](std::size_t i) { return grads[i].defined() ? grads[i].detach() : torch::zeros_like(weights[i]); };
    {
      torch::NoGradGuard ng;
      if (wanted("grad_norm")) put("grad_norm", sum_all(weights, [&](std::size_t i) { return g(i).norm(); }));
      if (wanted("snip")) put("snip", sum_all(weights, [&](std::size_t i) { return (g(i) * weights[i]).abs(); }));
      if (wanted("plain")) put("plain", sum_all(weights, [&](std::size_t i) { return g(i) * weights[i]; }));
      // fisher: per channel 0.5 * mean_n (sum_spatial act * grad)^2, broadcast over the channel's
      // fan-in as NASLib's reshape_elements does before summing.
      double fisher = 0;
      for (std::size_t l = 0; fisher_wanted && l < trace.layers.size(); ++l) {
        const auto& act = trace.layers[l].output;
        const auto& gr = grads[nw + l];
        if (!gr.defined()) continue;
        auto prod = act.detach() * gr.detach();
        auto g_nk = prod.dim() > 2 ? prod.sum({2, 3}) : prod;
        auto del_k = g_nk.pow(2).mean(0).mul(0.5);
        const auto& w = trace.layers[l].weight;
        fisher += del_k.sum().item<double>() * static_cast<double>(w.numel() / w.size(0));
      }
      put("fisher", fisher);
    }
    // Only the weight gradients take part from here: drop the activation gradients (one
    // activation-sized tensor per layer) before the double backward needs its memory.
    grads.resize(nw);
    trace.layers.clear();
    fwd = {};
    if (!grasp_wanted) return;
    // grasp: -theta * (H g), with g the (detached) gradient, via one more backward of g.grad.
    torch::Tensor z;
    for (std::size_t i = 0; i < nw; ++i) {
      if (!grads[i].defined() || !grads[i].requires_grad()) continue;
      auto term = (grads[i].detach() * grads[i]).sum();
      z = z.defined() ? z + term : term;
    }
    double grasp = 0;
    if (z.defined()) {
      auto hg = torch::autograd::grad({z}, weights, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                      /*allow_unused=*/true);
      torch::NoGradGuard ng;
      for (std::size_t i = 0; i < nw; ++i)
        if (hg[i].defined()) grasp += (-weights[i] * hg[i]).sum().item<double>();
    }
    put("grasp", grasp);
    sw.lap("grasp");
  }

  // synflow (Tanaka et al. 2020; NASLib synflow.py with bn=False): |theta|, double precision, BN
  // bypassed, one all-ones image, R = sum(output); score = sum |theta * dR/dtheta|.
  double synflow(ProxyNet& net, std::vector<torch::Tensor>& weights) {
    net->to(torch::kDouble);
    {
      torch::NoGradGuard ng;
      for (auto& p : net->parameters()) p.abs_();
      for (auto& b : net->buffers()) b.abs_();
    }
    weights = net->prunable_weights();
    Trace trace;
    trace.skip_batchnorm = true;
    const int side = input_size(opt_.dataset);
    auto ones = torch::ones({1, 3, side, side}, torch::kDouble);
    auto r = net->forward(ones, &trace).logits.sum();
    auto grads = torch::autograd::grad({r}, weights, {}, false, false, /*allow_unused=*/true);
    torch::NoGradGuard ng;
    double s = 0;
    for (std::size_t i = 0; i < weights.size(); ++i)
      if (grads[i].defined()) s += (weights[i] * grads[i]).abs().sum().item<double>();
    net->to(torch::kFloat);
    return s;
  }

  // Zen-NAS (Lin et al. 2021): Gaussian weights, BN in train mode, Gaussian input x and x + 0.01 e;
  // log E_n ||f(x) - f(x')||_1 over the pre-pooling feature map, plus sum over BNs of
  // log sqrt(mean running_var).
  double zen(ProxyNet& net) {
    torch::NoGradGuard ng;
    for (auto& m : net->modules(false)) {
      if (auto* c = m->as<torch::nn::Conv2d>()) c->weight.normal_();
      if (auto* l = m->as<torch::nn::Linear>()) {
        l->weight.normal_();
        l->bias.zero_();
      }
    }
    auto bns = net->batchnorms();
    for (auto& bn : bns) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
      bn->reset_running_stats();
    }
    net->train();
    // oneDNN runs NHWC (channels-last) convolutions without reordering each input and output to
    // its blocked layout: Zen's two forward passes take ~40% less time. The weights and inputs are
    // drawn in NCHW order first, so the numbers are the same; only float summation order changes.
    // The other proxies stay NCHW: in libtorch 1.13 the channels-last backward gave gradients that
    // differ from NCHW beyond rounding (grad_norm by up to 1 %), and GRASP ran 2x slower.
    for (auto& p : net->parameters())
      if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
    const int side = input_size(opt_.dataset);
    auto x = torch::randn({opt_.batch_size, 3, side, side}).contiguous(torch::MemoryFormat::ChannelsLast);
    auto e = torch::randn({opt_.batch_size, 3, side, side}).contiguous(torch::MemoryFormat::ChannelsLast);
    auto f1 = net->forward(x).features;
    auto f2 = net->forward(x + 0.01 * e).features;
    double score = std::log((f1 - f2).abs().sum({1, 2, 3}).mean().item<double>());
    for (auto& bn : bns) score += std::log(std::sqrt(bn->running_var.mean().item<double>()));
    return score;
  }
};

}  // namespace

void register_torch_proxy_backend() {
  tune_allocator_once();
  set_proxy_computer_factory(
      [](const ProxyOptions& options) { return std::make_unique<TorchProxyComputer>(options); });
  set_space_proxy_computer_factory(
      [](const ProxyOptions& options) { return std::make_unique<TorchProxyComputer>(options); });
  register_torch_space_networks();  // has_network_builder() now reports them
}

}  // namespace pelnas
