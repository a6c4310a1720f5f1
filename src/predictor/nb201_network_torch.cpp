// The NAS-Bench-201 network in LibTorch (see nb201_torch.h) and the torch-side parameter count.
#include <algorithm>
#include <bit>
#include <tuple>

#include "predictor/nb201_network.h"
#include "predictor/nb201_torch.h"

namespace pelnas::torch_backend {

namespace nn = torch::nn;

namespace {
// popcount(a & b) over n words; the POPCNT build is chosen at run time where the CPU has it
// (the portable std::popcount is a dozen instructions per word).
std::int64_t and_count_portable(const std::uint64_t* a, const std::uint64_t* b, std::int64_t n) {
  std::int64_t c = 0;
  for (std::int64_t w = 0; w < n; ++w) c += std::popcount(a[w] & b[w]);
  return c;
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt"))) std::int64_t and_count_popcnt(const std::uint64_t* a, const std::uint64_t* b,
                                                                std::int64_t n) {
  std::int64_t c = 0;
  for (std::int64_t w = 0; w < n; ++w) c += __builtin_popcountll(a[w] & b[w]);
  return c;
}
const auto and_count = __builtin_cpu_supports("popcnt") ? and_count_popcnt : and_count_portable;
#else
const auto and_count = and_count_portable;
#endif
}  // namespace

void Trace::relu_input(const torch::Tensor& x, int multiplicity) {
  if (!record_relu_codes || multiplicity == 0) return;
  const auto codes = (x.detach() > 0).reshape({x.size(0), -1}).contiguous();
  const int b = static_cast<int>(codes.size(0));
  const std::int64_t d = codes.size(1);
  if (relu_kernel.empty()) {
    batch = b;
    relu_kernel.assign(static_cast<std::size_t>(b) * b, 0.0);
  }
  // Pack each row's sign pattern into bits: agreements = D - n_i - n_j + 2 popcount(c_i & c_j),
  // i.e. NASWOT's c c^T + (1-c)(1-c)^T without a B x D x B float product. Integer counts, so the
  // result is exact whatever the thread split.
  const std::int64_t words = (d + 63) / 64;
  std::vector<std::uint64_t> bits(static_cast<std::size_t>(b * words), 0);
  std::vector<std::int64_t> ones(static_cast<std::size_t>(b), 0);
  const bool* p = codes.data_ptr<bool>();
  at::parallel_for(0, b, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      std::uint64_t* row = bits.data() + i * words;
      const bool* src = p + i * d;
      std::int64_t n = 0;
      for (std::int64_t w = 0; w < words; ++w) {
        const std::int64_t k0 = w * 64, k1 = std::min(d, k0 + 64);
        std::uint64_t v = 0;
        for (std::int64_t k = k0; k < k1; ++k) v |= static_cast<std::uint64_t>(src[k]) << (k - k0);
        row[w] = v;
        n += std::popcount(v);
      }
      ones[static_cast<std::size_t>(i)] = n;
    }
  });
  // Row i pairs with j >= i, so rows k and b-1-k go together to balance the triangle; each entry
  // is written only by the task owning row min(i, j).
  auto pair_row = [&](std::int64_t i) {
    const std::uint64_t* ri = bits.data() + i * words;
    for (std::int64_t j = i; j < b; ++j) {
      const std::uint64_t* rj = bits.data() + j * words;
      const std::int64_t both = and_count(ri, rj, words);
      const double agree = static_cast<double>(d - ones[static_cast<std::size_t>(i)] -
                                               ones[static_cast<std::size_t>(j)] + 2 * both);
      relu_kernel[static_cast<std::size_t>(i * b + j)] += multiplicity * agree;
      if (i != j) relu_kernel[static_cast<std::size_t>(j * b + i)] += multiplicity * agree;
    }
  };
  at::parallel_for(0, (b + 1) / 2, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t k = begin; k < end; ++k) {
      pair_row(k);
      if (b - 1 - k != k) pair_row(b - 1 - k);
    }
  });
}

void Trace::layer(const torch::Tensor& output, const torch::Tensor& weight, bool is_conv) {
  if (!record_layers) return;
  layers.push_back({output, weight});
  const std::int64_t per_image = output.numel() / output.size(0);
  if (is_conv)  // k*k*Cin MACs per output element
    macs_per_image += per_image * (weight.numel() / weight.size(0));
  else  // NB201 counts linear as in*out + out
    macs_per_image += weight.numel() + weight.size(0);
}

namespace {
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The double backward of train-mode batch norm, fused. libtorch differentiates its BN backward
// with a composite of ~25 activation-sized tensor ops; GRASP's Hessian product pays that for every
// BN. Here, per channel (M elements, xh = (x - mean) * r, r = invstd), the first-order backward is
//   gx = g r (gy - mean(gy) - xh mean(gy xh)),  dgamma = sum(gy xh),  dbeta = sum(gy),
// and given upstream G (for gx), p (for dgamma), q (for dbeta):
//   d/dgy    = g r (G - mean(G) - xh mean(G xh)) + p xh + q
//   d/dgamma = r (S_Ggy - S_gy S_G / M - S_gx S_Gx / M)
//   d/dx     = r (D - mean(D) - xh mean(D xh)) - (r F1 / M) xh,  D = a1 gy + a2 G,
//              a1 = p - g r S_Gx / M,  a2 = -g r S_gx / M,  F1 = g r (S_Ggy - S_gy S_G / M - S_gx S_Gx / M)
// with S_G = sum G, S_Gx = sum G xh, S_gy = sum gy, S_gx = sum gy xh, S_Ggy = sum G gy: one pass
// of sums and one pass of outputs per channel. Tested against libtorch's double backward.
struct BatchNormTrainBackward : torch::autograd::Function<BatchNormTrainBackward> {
  static tensor_list forward(AutogradContext* ctx, const torch::Tensor& gy, const torch::Tensor& x,
                             const torch::Tensor& gamma, const torch::Tensor& mean, const torch::Tensor& invstd,
                             double eps) {
    ctx->save_for_backward({gy, x, gamma, mean, invstd});
    auto [gx, ggamma, gbeta] = at::native_batch_norm_backward(gy, x, gamma, {}, {}, mean, invstd, true, eps,
                                                              {true, true, true});
    return {gx, ggamma, gbeta};
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad) {
    const auto saved = ctx->get_saved_variables();
    const auto gy = saved[0].contiguous(), x = saved[1].contiguous();
    const auto gamma = saved[2].to(torch::kDouble), mean = saved[3].to(torch::kDouble),
               invstd = saved[4].to(torch::kDouble);
    const auto G = grad[0].defined() ? grad[0].contiguous() : torch::zeros_like(x);
    const auto p = grad[1].defined() ? grad[1].to(torch::kDouble) : torch::zeros_like(gamma);
    const auto q = grad[2].defined() ? grad[2].to(torch::kDouble) : torch::zeros_like(gamma);
    TORCH_CHECK(x.dim() == 4 && x.scalar_type() == torch::kFloat, "BatchNormTrainBackward: NCHW float input expected");
    const std::int64_t n = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3);
    const double m = static_cast<double>(n * hw);
    auto dx = torch::empty_like(x), dgy = torch::empty_like(x);
    auto dgamma = torch::empty({c}, torch::kDouble);
    const float *px = x.data_ptr<float>(), *pgy = gy.data_ptr<float>(), *pG = G.data_ptr<float>();
    float *pdx = dx.data_ptr<float>(), *pdgy = dgy.data_ptr<float>();
    const double *pg = gamma.data_ptr<double>(), *pmu = mean.data_ptr<double>(), *pr = invstd.data_ptr<double>(),
                 *pp = p.data_ptr<double>(), *pq = q.data_ptr<double>();
    double* pdgamma = dgamma.data_ptr<double>();
    // Channels are independent and each is summed in a fixed order: thread-count independent.
    at::parallel_for(0, c, 1, [&](std::int64_t c0, std::int64_t c1) {
      for (std::int64_t ch = c0; ch < c1; ++ch) {
        const double mu = pmu[ch], r = pr[ch], g = pg[ch];
        // Raw sums, two independent chains each for instruction-level parallelism; the xh sums
        // follow as sum(v xh) = r (sum(v x) - mu sum(v)).
        double s_G = 0, s_Gxr = 0, s_gy = 0, s_gyxr = 0, s_Ggy = 0;
        for (std::int64_t i = 0; i < n; ++i) {
          const std::int64_t off = (i * c + ch) * hw;
          const float *xr = px + off, *gyr = pgy + off, *Gr = pG + off;
          double a[2][5] = {};
          std::int64_t j = 0;
          for (; j + 1 < hw; j += 2)
            for (int u = 0; u < 2; ++u) {
              const double xv = xr[j + u], gv = gyr[j + u], Gv = Gr[j + u];
              a[u][0] += Gv;
              a[u][1] += Gv * xv;
              a[u][2] += gv;
              a[u][3] += gv * xv;
              a[u][4] += Gv * gv;
            }
          for (; j < hw; ++j) {
            const double xv = xr[j], gv = gyr[j], Gv = Gr[j];
            a[0][0] += Gv;
            a[0][1] += Gv * xv;
            a[0][2] += gv;
            a[0][3] += gv * xv;
            a[0][4] += Gv * gv;
          }
          s_G += a[0][0] + a[1][0];
          s_Gxr += a[0][1] + a[1][1];
          s_gy += a[0][2] + a[1][2];
          s_gyxr += a[0][3] + a[1][3];
          s_Ggy += a[0][4] + a[1][4];
        }
        const double s_Gx = r * (s_Gxr - mu * s_G), s_gx = r * (s_gyxr - mu * s_gy);
        const double inner = s_Ggy - s_gy * s_G / m - s_gx * s_Gx / m;
        pdgamma[ch] = r * inner;
        const double f1 = g * r * inner;
        const double a1 = pp[ch] - g * r * s_Gx / m, a2 = -g * r * s_gx / m;
        const double mean_d = (a1 * s_gy + a2 * s_G) / m, mean_dxh = (a1 * s_gx + a2 * s_Gx) / m;
        const double e_G = g * r, e_xh = -g * r * s_Gx / m + pp[ch], e_0 = -g * r * s_G / m + pq[ch];
        // Both outputs are affine in (gy, G, x) per channel: fold the coefficients so the loop is
        // plain float multiply-adds the compiler vectorises.
        const double k = -r * mean_dxh - r * f1 / m;
        const float dx_gy = static_cast<float>(r * a1), dx_G = static_cast<float>(r * a2), dx_x = static_cast<float>(k * r),
                    dx_0 = static_cast<float>(-k * r * mu - r * mean_d);
        const float dgy_G = static_cast<float>(e_G), dgy_x = static_cast<float>(e_xh * r),
                    dgy_0 = static_cast<float>(e_0 - e_xh * r * mu);
        for (std::int64_t i = 0; i < n; ++i) {
          const std::int64_t off = (i * c + ch) * hw;
          const float *xr = px + off, *gyr = pgy + off, *Gr = pG + off;
          float *dxr = pdx + off, *dgyr = pdgy + off;
          for (std::int64_t j = 0; j < hw; ++j) {
            dxr[j] = dx_gy * gyr[j] + dx_G * Gr[j] + dx_x * xr[j] + dx_0;
            dgyr[j] = dgy_G * Gr[j] + dgy_x * xr[j] + dgy_0;
          }
        }
      }
    });
    return {dgy, dx, dgamma.to(saved[2].scalar_type()), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// Train-mode batch norm (batch statistics, no running-stat update) whose backward is
// BatchNormTrainBackward, so a double backward through it is fused. Used for GRASP's pass only.
struct BatchNormTrain : torch::autograd::Function<BatchNormTrain> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& gamma,
                               const torch::Tensor& beta, double eps) {
    auto [y, mean, invstd] = at::native_batch_norm(x, gamma, beta, {}, {}, /*training=*/true, 0.0, eps);
    ctx->save_for_backward({x, gamma, mean, invstd});
    ctx->saved_data["eps"] = eps;
    return y;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grad) {
    const auto saved = ctx->get_saved_variables();
    auto g = BatchNormTrainBackward::apply(grad[0], saved[0], saved[1], saved[2], saved[3],
                                           ctx->saved_data["eps"].toDouble());
    return {g[0], g[1], g[2], torch::Tensor()};
  }
};

torch::Tensor batchnorm(nn::BatchNorm2d& bn, const torch::Tensor& x, Trace* trace) {
  if (trace && trace->skip_batchnorm) return x;
  if (trace && trace->fused_bn_double_backward && bn->is_training() && x.dim() == 4 && x.scalar_type() == torch::kFloat &&
      x.is_contiguous())
    return BatchNormTrain::apply(x, bn->weight, bn->bias, bn->options.eps());
  return bn->forward(x);
}
// libtorch's own backward of conv2d(x, w) at stride 1, padding `pad`, for the outputs in `mask`
// (d/dx, d/dw, d/dbias).
std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> conv_s1_backward(const torch::Tensor& gy, const torch::Tensor& x,
                                                                         const torch::Tensor& w, std::int64_t pad,
                                                                         std::array<bool, 3> mask) {
  return at::convolution_backward(gy, x, w, c10::nullopt, {1, 1}, {pad, pad}, {1, 1}, false, {0, 0}, 1, mask);
}
// conv_transpose2d(gy, w) at stride 1 as a plain convolution with the flipped, transposed kernel
// (oneDNN's fast path; libtorch's transposed convolution here is its slow reference kernel).
torch::Tensor conv_transpose_s1(const torch::Tensor& gy, const torch::Tensor& w, std::int64_t pad) {
  return torch::conv2d(gy, w.transpose(0, 1).flip({2, 3}), {}, 1, pad);
}

// The weight gradient of a stride-1 convolution as a differentiable op whose own backward is two
// plain convolutions: libtorch's convolution double backward gets d/dx with a transposed
// convolution on its slow reference path (a third of what remained of GRASP after fusing BN).
struct ConvWeightGradS1 : torch::autograd::Function<ConvWeightGradS1> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& gy,
                               const torch::Tensor& w, std::int64_t pad) {
    ctx->save_for_backward({x, gy});
    ctx->saved_data["pad"] = pad;
    return std::get<1>(conv_s1_backward(gy, x, w, pad, {false, true, false}));
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grad) {
    const auto saved = ctx->get_saved_variables();
    const std::int64_t pad = ctx->saved_data["pad"].toInt();
    const auto& ggw = grad[0];
    // d/dx <ggw, xcorr(x, gy)> = conv_transpose(gy, ggw).
    auto gx = conv_transpose_s1(saved[1], ggw, pad);
    auto ggy = torch::conv2d(saved[0], ggw, {}, 1, pad);
    return {gx, ggy, torch::Tensor(), torch::Tensor()};
  }
};

// y = conv2d(x, w), stride 1, with a backward built from differentiable ops (a convolution with
// the flipped kernel for dx, ConvWeightGradS1 for dw), so a double backward stays on fast paths.
struct ConvS1 : torch::autograd::Function<ConvS1> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& w, std::int64_t pad) {
    ctx->save_for_backward({x, w});
    ctx->saved_data["pad"] = pad;
    return torch::conv2d(x, w, {}, 1, pad);
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grad) {
    const auto saved = ctx->get_saved_variables();
    const std::int64_t pad = ctx->saved_data["pad"].toInt();
    if (!torch::GradMode::is_enabled() && !GraphKernelsForFirstOrder::active()) {  // first order: libtorch's kernels
      auto [gx, gw, gb] = conv_s1_backward(grad[0], saved[0], saved[1], pad,
                                           {ctx->needs_input_grad(0), ctx->needs_input_grad(1), false});
      return {gx, gw, torch::Tensor()};
    }
    torch::Tensor gx, gw;
    if (ctx->needs_input_grad(0)) gx = conv_transpose_s1(grad[0], saved[1], pad);
    if (ctx->needs_input_grad(1)) gw = ConvWeightGradS1::apply(saved[0], grad[0], saved[1], pad);
    return {gx, gw, torch::Tensor()};
  }
};

thread_local bool graph_kernels_for_first_order = false;

torch::Tensor conv(nn::Conv2d& c, const torch::Tensor& x, Trace* trace) {
  const bool stride1 = c->options.stride()->at(0) == 1 && c->options.stride()->at(1) == 1;
  auto y = trace && trace->fused_bn_double_backward && stride1 && x.scalar_type() == torch::kFloat
               ? ConvS1::apply(x, c->weight, c->weight.size(-1) / 2)
               : c->forward(x);
  if (trace) trace->layer(y, c->weight, true);
  return y;
}
nn::Conv2d make_conv(int cin, int cout, int k, int stride, int padding) {
  return nn::Conv2d(nn::Conv2dOptions(cin, cout, k).stride(stride).padding(padding).bias(false));
}
nn::BatchNorm2d make_bn(int c) {
  return nn::BatchNorm2d(nn::BatchNorm2dOptions(c).affine(true).track_running_stats(true));
}
}  // namespace

GraphKernelsForFirstOrder::GraphKernelsForFirstOrder() : previous_(graph_kernels_for_first_order) {
  graph_kernels_for_first_order = true;
}
GraphKernelsForFirstOrder::~GraphKernelsForFirstOrder() { graph_kernels_for_first_order = previous_; }
bool GraphKernelsForFirstOrder::active() { return graph_kernels_for_first_order; }

ReLUConvBNImpl::ReLUConvBNImpl(int cin, int cout, int kernel, int stride, int padding)
    : conv(register_module("conv", make_conv(cin, cout, kernel, stride, padding))),
      bn(register_module("bn", make_bn(cout))) {}

torch::Tensor ReLUConvBNImpl::forward_relu_applied(const torch::Tensor& relu_x, Trace* trace) {
  return batchnorm(bn, pelnas::torch_backend::conv(conv, relu_x, trace), trace);
}

CellImpl::CellImpl(const Arch& a, int channels) : arch(a), convs(kNumEdges, ReLUConvBN{nullptr}) {
  for (int e = 0; e < kNumEdges; ++e) {
    const Op op = arch.ops[static_cast<std::size_t>(e)];
    if (op == Op::Conv1x1 || op == Op::Conv3x3) {
      const int k = op == Op::Conv3x3 ? 3 : 1;
      convs[static_cast<std::size_t>(e)] =
          register_module("edge" + std::to_string(e), ReLUConvBN(channels, channels, k, 1, k / 2));
    }
  }
}

torch::Tensor CellImpl::forward(const torch::Tensor& x, Trace* trace) {
  std::array<torch::Tensor, 4> nodes;
  nodes[0] = x;
  for (int to = 1; to <= 3; ++to) {
    // One ReLU per source node, shared by the conv edges that read it.
    std::array<torch::Tensor, 4> relu_of;
    std::array<int, 4> readers{};
    for (int e = 0; e < kNumEdges; ++e) {
      const auto [t, from] = kEdges[static_cast<std::size_t>(e)];
      const Op op = arch.ops[static_cast<std::size_t>(e)];
      if (t == to && (op == Op::Conv1x1 || op == Op::Conv3x3)) ++readers[static_cast<std::size_t>(from)];
    }
    torch::Tensor sum;
    for (int e = 0; e < kNumEdges; ++e) {
      const auto [t, from] = kEdges[static_cast<std::size_t>(e)];
      if (t != to) continue;
      const auto& in = nodes[static_cast<std::size_t>(from)];
      torch::Tensor y;
      switch (arch.ops[static_cast<std::size_t>(e)]) {
        case Op::None: y = in.mul(0.0); break;  // NB201's Zero op (keeps the graph connected)
        case Op::Skip: y = in; break;
        case Op::AvgPool: y = torch::avg_pool2d(in, 3, 1, 1, /*ceil_mode=*/false, /*count_include_pad=*/false); break;
        case Op::Conv1x1:
        case Op::Conv3x3: {
          auto& r = relu_of[static_cast<std::size_t>(from)];
          if (!r.defined()) {
            if (trace) trace->relu_input(in, readers[static_cast<std::size_t>(from)]);
            r = torch::relu(in);
          }
          y = convs[static_cast<std::size_t>(e)]->forward_relu_applied(r, trace);
          break;
        }
      }
      sum = sum.defined() ? sum + y : y;
    }
    nodes[static_cast<std::size_t>(to)] = sum;
  }
  return nodes[3];
}

ResBlockImpl::ResBlockImpl(int cin, int cout)
    : conv_a(register_module("conv_a", ReLUConvBN(cin, cout, 3, 2, 1))),
      conv_b(register_module("conv_b", ReLUConvBN(cout, cout, 3, 1, 1))),
      shortcut(register_module("shortcut", make_conv(cin, cout, 1, 1, 0))) {}

torch::Tensor ResBlockImpl::forward(const torch::Tensor& x, Trace* trace) {
  if (trace) trace->relu_input(x, 1);
  auto a = conv_a->forward_relu_applied(torch::relu(x), trace);
  if (trace) trace->relu_input(a, 1);
  auto b = conv_b->forward_relu_applied(torch::relu(a), trace);
  auto residual = conv(shortcut, torch::avg_pool2d(x, 2, 2), trace);
  return residual + b;
}

Nb201NetworkImpl::Nb201NetworkImpl(const Arch& a, Dataset d) : arch(a), dataset(d) {
  int ch = kNb201StemChannels;
  stem_conv = register_module("stem_conv", make_conv(3, ch, 3, 1, 1));
  stem_bn = register_module("stem_bn", make_bn(ch));
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) {
      blocks.push_back(register_module("block" + std::to_string(stage - 1), ResBlock(ch, 2 * ch)));
      ch *= 2;
    }
    for (int i = 0; i < kNb201CellsPerStage; ++i)
      cells.push_back(register_module("cell" + std::to_string(cells.size()), Cell(arch, ch)));
  }
  last_bn = register_module("last_bn", make_bn(ch));
  classifier = register_module("classifier", nn::Linear(ch, num_classes(d)));
}

Nb201NetworkImpl::Output Nb201NetworkImpl::forward(const torch::Tensor& x, Trace* trace) {
  auto h = batchnorm(stem_bn, conv(stem_conv, x, trace), trace);
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) h = blocks[static_cast<std::size_t>(stage - 1)]->forward(h, trace);
    for (int i = 0; i < kNb201CellsPerStage; ++i)
      h = cells[static_cast<std::size_t>(stage * kNb201CellsPerStage + i)]->forward(h, trace);
  }
  h = batchnorm(last_bn, h, trace);
  if (trace) trace->relu_input(h, 1);
  Output out;
  out.features = torch::relu(h);
  auto pooled = out.features.mean({2, 3});
  out.logits = classifier->forward(pooled);
  if (trace) trace->layer(out.logits, classifier->weight, false);
  return out;
}

std::vector<torch::Tensor> Nb201NetworkImpl::prunable_weights() {
  std::vector<torch::Tensor> w;
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = m->as<nn::Conv2d>()) w.push_back(c->weight);
    if (auto* l = m->as<nn::Linear>()) w.push_back(l->weight);
  }
  return w;
}

std::vector<nn::BatchNorm2d> Nb201NetworkImpl::batchnorms() {
  std::vector<nn::BatchNorm2d> v;
  for (auto& m : modules(/*include_self=*/false))
    if (auto bn = std::dynamic_pointer_cast<nn::BatchNorm2dImpl>(m)) v.emplace_back(bn);
  return v;
}

std::int64_t Nb201NetworkImpl::parameter_count() {
  std::int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

}  // namespace pelnas::torch_backend

namespace pelnas {

std::int64_t nb201_torch_param_count(const Arch& arch, Dataset d) {
  torch::NoGradGuard no_grad;
  torch_backend::Nb201Network net(arch, d);
  return net->parameter_count();
}

}  // namespace pelnas
