#include "predictor/predictor_features.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "predictor/xgboost_predictor.h"

namespace pelnas {

namespace {

// Edge indices of the 4 input->output paths (edge order: 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2).
constexpr std::array<std::array<int, 3>, 4> kPaths = {{{3, -1, -1}, {0, 4, -1}, {1, 5, -1}, {0, 2, 5}}};

bool is_conv(Op op) { return op == Op::Conv1x1 || op == Op::Conv3x3; }

void append_one_hot(std::vector<float>& rows, const Arch& arch) {
  for (int e = 0; e < kNumEdges; ++e)
    for (Op op : kAllOps) rows.push_back(arch.ops[e] == op ? 1.0f : 0.0f);
}

void append_proxy(std::vector<float>& rows, const ProxyValues& proxies, std::string_view name) {
  auto it = proxies.find(name);
  const bool have = it != proxies.end() && it->second && std::isfinite(*it->second);
  // Clamp to float range: a finite double beyond float overflows to inf, which XGBoost rejects.
  double v = have ? *it->second : std::numeric_limits<double>::quiet_NaN();
  if (have) v = std::clamp(v, -3.0e38, 3.0e38);
  rows.push_back(static_cast<float>(v));
}

}  // namespace

std::array<float, kCellGraphFeatureNames.size()> cell_graph_features(const Arch& arch) {
  int live = 0, max_conv = 0, min_conv = std::numeric_limits<int>::max(), skip_path = 0;
  std::array<bool, kNumEdges> on_live{};
  for (const auto& path : kPaths) {
    bool ok = true;
    int convs = 0, skips = 0, len = 0;
    for (int e : path) {
      if (e < 0) continue;
      ++len;
      ok = ok && arch.ops[e] != Op::None;
      convs += is_conv(arch.ops[e]) ? 1 : 0;
      skips += arch.ops[e] == Op::Skip ? 1 : 0;
    }
    if (!ok) continue;
    ++live;
    max_conv = std::max(max_conv, convs);
    min_conv = std::min(min_conv, convs);
    skip_path = skip_path || skips == len;
    for (int e : path)
      if (e >= 0) on_live[e] = true;
  }
  int c3 = 0, c1 = 0, pool = 0, dead = 0;
  for (int e = 0; e < kNumEdges; ++e) {
    const Op op = arch.ops[e];
    if (!on_live[e]) {
      dead += is_conv(op) ? 1 : 0;
      continue;
    }
    c3 += op == Op::Conv3x3 ? 1 : 0;
    c1 += op == Op::Conv1x1 ? 1 : 0;
    pool += op == Op::AvgPool ? 1 : 0;
  }
  return {static_cast<float>(live), static_cast<float>(max_conv), static_cast<float>(live ? min_conv : -1),
          static_cast<float>(c3), static_cast<float>(c1), static_cast<float>(pool), static_cast<float>(skip_path),
          static_cast<float>(dead)};
}

std::vector<std::string> predictor_feature_names(const PredictorOptions& options) {
  std::vector<std::string> names = options.proxies;
  if (options.graph_features)
    for (auto n : kCellGraphFeatureNames) names.emplace_back(n);
  if (options.one_hot)
    for (int e = 0; e < kNumEdges; ++e)
      for (Op op : kAllOps) names.push_back("op" + std::to_string(e) + "_" + std::string(to_string(op)));
  return names;
}

void append_features(std::vector<float>& rows, const ProxyValues& proxies, const Arch& arch,
                     const PredictorOptions& options) {
  for (const auto& name : options.proxies) append_proxy(rows, proxies, name);
  if (options.graph_features)
    for (float v : cell_graph_features(arch)) rows.push_back(v);
  if (options.one_hot) append_one_hot(rows, arch);
}

std::vector<std::string> predictor_feature_names(bool one_hot) {
  PredictorOptions o;
  o.proxies = resolve_proxy_set("all");
  o.one_hot = one_hot;
  o.graph_features = false;
  return predictor_feature_names(o);
}

void append_features(std::vector<float>& rows, const ProxyValues& proxies, const Arch& arch, bool one_hot) {
  PredictorOptions o;
  o.proxies = resolve_proxy_set("all");
  o.one_hot = one_hot;
  o.graph_features = false;
  append_features(rows, proxies, arch, o);
}

}  // namespace pelnas
