// The FBNet network in LibTorch (see fbnet_torch.h), the space-network builder registry, and the
// torch-side counts. One translation unit: torch headers compile slowly.
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "common/error.h"
#include "predictor/fbnet_network.h"
#include "predictor/fbnet_torch.h"
#include "space/fbnet_space.h"

namespace pelnas::torch_backend {

namespace nn = torch::nn;

std::vector<torch::Tensor> SpaceNetwork::prunable_weights() {
  std::vector<torch::Tensor> w;
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = m->as<nn::Conv2d>()) w.push_back(c->weight);
    if (auto* l = m->as<nn::Linear>()) w.push_back(l->weight);
  }
  return w;
}

std::vector<nn::BatchNorm2d> SpaceNetwork::batchnorms() {
  std::vector<nn::BatchNorm2d> v;
  for (auto& m : modules(/*include_self=*/false))
    if (auto bn = std::dynamic_pointer_cast<nn::BatchNorm2dImpl>(m)) v.emplace_back(bn);
  return v;
}

std::int64_t SpaceNetwork::parameter_count() {
  std::int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, SpaceNetworkBuilder>& builders() {
  static std::map<std::string, SpaceNetworkBuilder> b;
  return b;
}

// FBNet_Infer's padding: ceil((k - s) / 2), so that the output side is the input side / s.
int same_padding(int kernel, int stride) { return (kernel - stride + 1) / 2; }

// [N, C, H, W] -> [N, g, C/g, H, W] -> transpose groups and channels -> [N, C, H, W].
torch::Tensor channel_shuffle(const torch::Tensor& x, int groups) {
  const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return x.view({n, groups, c / groups, h, w}).transpose(1, 2).contiguous().view({n, c, h, w});
}

}  // namespace

void register_space_network(const std::string& space, SpaceNetworkBuilder builder) {
  {
    std::lock_guard lock(registry_mutex());
    builders()[space] = std::move(builder);
  }
  mark_network_builder(space);
}

std::shared_ptr<SpaceNetwork> build_space_network(const SearchSpace& space, const Encoding& e) {
  register_torch_space_networks();
  SpaceNetworkBuilder b;
  {
    std::lock_guard lock(registry_mutex());
    auto it = builders().find(space.name());
    if (it == builders().end())
      throw Error(fmt::format("no LibTorch network builder for the {} search space", space.name()));
    b = it->second;
  }
  return b(space, e);
}

FbnetNetwork::FbnetNetwork(const FbnetArch& arch, FbnetDataset dataset)
    : arch_(arch), dataset_(dataset), layout_(fbnet_layers(arch, dataset)) {
  auto make = [&](const std::string& name, int cin, int cout, int k, int stride, int pad, int groups) {
    ConvBn m;
    m.conv = register_module(name + "_conv", nn::Conv2d(nn::Conv2dOptions(cin, cout, k)
                                                            .stride(stride)
                                                            .padding(pad)
                                                            .groups(groups)
                                                            .bias(false)));
    m.bn = register_module(name + "_bn", nn::BatchNorm2d(nn::BatchNorm2dOptions(cout)));
    return m;
  };
  convs_.resize(layout_.size());
  for (std::size_t i = 0; i < layout_.size(); ++i) {
    const FbnetLayer& l = layout_[i];
    const std::string name = fmt::format("layer{}", i);
    auto& v = convs_[i];
    switch (l.kind) {
      case FbnetLayerKind::ConvNorm:
        // The stem's padding is 1 (FBNet_Infer passes it), the 1x1 header's 0.
        v.push_back(make(name, l.cin, l.cout, l.kernel, l.stride, same_padding(l.kernel, l.stride), l.group));
        break;
      case FbnetLayerKind::ConvBlock: {
        const int mid = l.cin * l.expansion;
        v.push_back(make(name + "_expand", l.cin, mid, 1, 1, 0, l.group));
        v.push_back(make(name + "_depthwise", mid, mid, l.kernel, l.stride, same_padding(l.kernel, l.stride), mid));
        v.push_back(make(name + "_project", mid, l.cout, 1, 1, 0, l.group));
        break;
      }
      case FbnetLayerKind::Skip:
        if (l.skip_has_conv()) v.push_back(make(name, l.cin, l.cout, 1, l.stride, 0, 1));
        break;
      case FbnetLayerKind::AvgPool:
        break;
      case FbnetLayerKind::Linear:
        classifier_ = register_module("classifier", nn::Linear(l.cin, l.cout));
        break;
    }
  }
  // FBNet_Infer.init_params.
  torch::NoGradGuard no_grad;
  for (auto& m : modules(/*include_self=*/false)) {
    if (auto* c = m->as<nn::Conv2d>()) nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut);
    if (auto* b = m->as<nn::BatchNorm2d>()) {
      b->weight.fill_(1.0);
      b->bias.zero_();
    }
    if (auto* fc = m->as<nn::Linear>()) {
      fc->weight.normal_(0.0, 0.001);
      fc->bias.zero_();
    }
  }
}

torch::Tensor FbnetNetwork::conv_bn(ConvBn& m, const torch::Tensor& x, bool relu, Trace* trace) {
  auto y = m.conv->forward(x);
  if (trace) trace->layer(y, m.conv->weight, true);
  if (!(trace && trace->skip_batchnorm)) y = m.bn->forward(y);
  if (relu) {
    if (trace) trace->relu_input(y, 1);
    y = torch::relu(y);
  }
  return y;
}

SpaceNetworkOutput FbnetNetwork::forward(const torch::Tensor& x, Trace* trace) {
  SpaceNetworkOutput out;
  torch::Tensor h = x;
  for (std::size_t i = 0; i < layout_.size(); ++i) {
    const FbnetLayer& l = layout_[i];
    auto& v = convs_[i];
    switch (l.kind) {
      case FbnetLayerKind::ConvNorm:
        h = conv_bn(v[0], h, true, trace);
        if (l.position < 0 && i + 1 < layout_.size() && layout_[i + 1].kind == FbnetLayerKind::AvgPool)
          out.features = h;  // the header's output
        break;
      case FbnetLayerKind::ConvBlock: {
        auto y = conv_bn(v[0], h, true, trace);
        if (l.group > 1) y = channel_shuffle(y, l.group);
        y = conv_bn(v[1], y, true, trace);
        y = conv_bn(v[2], y, false, trace);
        h = l.has_residual() ? y + h : y;
        break;
      }
      case FbnetLayerKind::Skip:
        if (!v.empty()) h = conv_bn(v[0], h, true, trace);
        break;
      case FbnetLayerKind::AvgPool:
        h = h.mean({2, 3});
        break;
      case FbnetLayerKind::Linear:
        h = classifier_->forward(h);
        if (trace) trace->layer(h, classifier_->weight, false);
        break;
    }
  }
  out.logits = h;
  return out;
}

}  // namespace pelnas::torch_backend

namespace pelnas {

FbnetTorchCounts fbnet_torch_counts(const FbnetArch& arch, FbnetDataset d, int batch) {
  torch::NoGradGuard no_grad;
  torch_backend::FbnetNetwork net(arch, d);
  net.eval();
  torch_backend::Trace trace;
  trace.record_layers = true;
  const int side = fbnet_macro(d).input_size;
  auto out = net.forward(torch::randn({batch, 3, side, side}), &trace);
  FbnetTorchCounts c;
  c.params = net.parameter_count();
  c.macs = trace.macs_per_image;
  c.logits_shape = out.logits.sizes().vec();
  return c;
}

void register_torch_space_networks() {
  static std::once_flag once;
  std::call_once(once, [] {
    torch_backend::register_space_network(
        "fbnet", [](const SearchSpace& space, const Encoding& e) -> std::shared_ptr<torch_backend::SpaceNetwork> {
          const auto* fb = dynamic_cast<const FbnetSpace*>(&space);
          if (!fb) throw Error("the fbnet network builder got a " + space.name() + " space");
          return std::make_shared<torch_backend::FbnetNetwork>(FbnetSpace::decode(e), fb->fbnet_dataset());
        });
  });
}

}  // namespace pelnas
