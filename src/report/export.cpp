#include "report/export.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "common/error.h"

namespace pelnas::report {

Pick Pick::parse(std::string_view text) {
  Pick p;
  if (text == "knee") return p;
  if (text == "max-accuracy" || text == "max_accuracy") {
    p.rule = PickRule::MaxAccuracy;
    return p;
  }
  if (text == "min-latency" || text == "min-cost" || text == "min_latency" || text == "min_cost" || text == "fastest" ||
      text == "cheapest") {
    p.rule = PickRule::MinCost;
    return p;
  }
  if (text == "most-accurate") {
    p.rule = PickRule::MaxAccuracy;
    return p;
  }
  if (!text.empty() && text.front() == '|') {  // an arch string: any cell of the space
    p.rule = PickRule::Index;
    p.arch = Arch::parse(text);  // the caller resolves its NB201 index with the benchmark table
    return p;
  }
  int v = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && end == text.data() + text.size() && v >= 0 && v < kNumArchs) {
    p.rule = PickRule::Index;
    p.index = v;
    return p;
  }
  throw Error("--pick: '" + std::string(text) + "' is not a pick rule; expected knee, max-accuracy (most-accurate), "
              "min-latency (fastest, min-cost), an NB201 index in [0, " + std::to_string(kNumArchs - 1) +
              "] or an arch string |op~0|+|op~0|op~1|+|op~0|op~1|op~2|");
}

std::string Pick::describe() const {
  switch (rule) {
    case PickRule::Knee:
      return "knee (the front point farthest from the line joining its extremes, objectives normalised over the front)";
    case PickRule::MaxAccuracy: return "max-accuracy (the most accurate front point, as the search saw it)";
    case PickRule::MinCost: return "min-latency (the lowest-cost front point)";
    case PickRule::Index: return "NB201 index " + std::to_string(index) + " (chosen by the user)";
  }
  return "?";
}

std::string Pick::str() const {
  switch (rule) {
    case PickRule::Knee: return "knee";
    case PickRule::MaxAccuracy: return "max-accuracy";
    case PickRule::MinCost: return "min-latency";
    case PickRule::Index: return index >= 0 || !arch ? std::to_string(index) : arch->str();
  }
  return "?";
}

namespace {

// Three or more objectives have no line between two extremes: the knee is then the front point
// nearest (Euclidean) to the front's ideal point, every objective normalised to [0, 1] over the
// front (accuracy from its max, costs from their min); ties go to the lower first cost.
std::size_t knee_position_nd(const std::vector<ExportCandidate>& front) {
  const std::size_t n = 2 + front[0].extra_costs.size();
  auto v = [](const ExportCandidate& c, std::size_t k) {
    return k == 0 ? -c.seen_accuracy : k == 1 ? c.cost : c.extra_costs[k - 2];
  };
  std::vector<double> lo(n, std::numeric_limits<double>::infinity()), hi(n, -std::numeric_limits<double>::infinity());
  for (const auto& c : front)
    for (std::size_t k = 0; k < n; ++k) lo[k] = std::min(lo[k], v(c, k)), hi[k] = std::max(hi[k], v(c, k));
  std::size_t best = 0;
  double best_d = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < front.size(); ++i) {
    double d = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const double u = hi[k] > lo[k] ? (v(front[i], k) - lo[k]) / (hi[k] - lo[k]) : 0.0;
      d += u * u;
    }
    if (d < best_d - 1e-12 || (std::abs(d - best_d) <= 1e-12 && front[i].cost < front[best].cost)) {
      best_d = d;
      best = i;
    }
  }
  return best;
}

}  // namespace

std::size_t knee_position(const std::vector<ExportCandidate>& front) {
  if (front.empty()) throw Error("export: the run's front is empty; nothing to pick");
  if (!front[0].extra_costs.empty()) return knee_position_nd(front);
  // Extremes: lowest cost (best accuracy among equal cost) and highest accuracy (lowest cost among equal).
  std::size_t lo = 0, hi = 0;
  for (std::size_t i = 1; i < front.size(); ++i) {
    const auto &a = front[i], &l = front[lo], &h = front[hi];
    if (a.cost < l.cost || (a.cost == l.cost && a.seen_accuracy > l.seen_accuracy)) lo = i;
    if (a.seen_accuracy > h.seen_accuracy || (a.seen_accuracy == h.seen_accuracy && a.cost < h.cost)) hi = i;
  }
  const double c0 = front[lo].cost, c1 = front[hi].cost;
  const double a0 = front[lo].seen_accuracy, a1 = front[hi].seen_accuracy;
  if (!(c1 > c0) || !(a1 > a0)) return lo;  // a single point or a flat front: no bend
  // Normalised coordinates: u = cost in [0,1], v = accuracy in [0,1]; the extremes are (0,0) and (1,1),
  // so the distance to the line u = v is |u - v| / sqrt(2); points above the line (v > u) bend outwards.
  std::size_t best = lo;
  double best_d = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < front.size(); ++i) {
    const double u = (front[i].cost - c0) / (c1 - c0);
    const double v = (front[i].seen_accuracy - a0) / (a1 - a0);
    const double d = (v - u) / std::sqrt(2.0);
    if (d > best_d + 1e-12 || (std::abs(d - best_d) <= 1e-12 && front[i].cost < front[best].cost)) {
      best_d = d;
      best = i;
    }
  }
  return best;
}

std::optional<ExportCandidate> pick_candidate(const std::vector<ExportCandidate>& front,
                                              const std::vector<ExportCandidate>& archive, const Pick& pick) {
  if (pick.rule == PickRule::Index) {
    if (pick.index < 0) throw Error("--pick " + pick.str() + ": no NB201 index resolved for this arch");
    for (const auto& c : archive)
      if (c.index == pick.index) return c;
    return std::nullopt;
  }
  if (front.empty()) throw Error("export: the run's front is empty; nothing to pick");
  if (pick.rule == PickRule::Knee) return front[knee_position(front)];
  auto better = [&](const ExportCandidate& a, const ExportCandidate& b) {
    if (pick.rule == PickRule::MaxAccuracy)
      return a.seen_accuracy > b.seen_accuracy || (a.seen_accuracy == b.seen_accuracy && a.cost < b.cost);
    return a.cost < b.cost || (a.cost == b.cost && a.seen_accuracy > b.seen_accuracy);
  };
  std::size_t best = 0;
  for (std::size_t i = 1; i < front.size(); ++i)
    if (better(front[i], front[best])) best = i;
  return front[best];
}

nlohmann::json export_json(const ExportCandidate& c, const Pick& pick, const ExportProvenance& prov, double params_m,
                           double flops_m) {
  auto num_or_null = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  nlohmann::json ops = nlohmann::json::array();
  for (int e = 0; e < kNumEdges; ++e)
    ops.push_back({{"edge", fmt::format("{}<-{}", kEdges[e].first, kEdges[e].second)}, {"op", std::string(to_string(c.arch.ops[e]))}});
  nlohmann::json j;
  j["arch"] = c.arch.str();
  j["index"] = c.index;
  j["niche"] = c.niche;
  j["edges"] = ops;
  j["pick"] = pick.str();
  j["metrics"] = {{"seen_accuracy", num_or_null(c.seen_accuracy)},
                  {"true_accuracy", num_or_null(c.true_accuracy)},
                  {"accuracy_unit", "%"},
                  {"accuracy_signal", prov.accuracy_source},  // what seen_accuracy is
                  {"cost", {{"value", num_or_null(c.cost)}, {"unit", prov.cost_unit}, {"name", prov.cost_name}}},
                  {"params_m", num_or_null(params_m)},
                  {"flops_m", num_or_null(flops_m)}};
  j["provenance"] = {{"run_dir", prov.run_dir},
                     {"seed", prov.has_seed ? nlohmann::json(prov.seed) : nlohmann::json(nullptr)},
                     {"dataset", prov.dataset},
                     {"device", prov.device},
                     {"operator", prov.operator_name},
                     {"search", prov.search},
                     {"run_state", prov.run_state},
                     {"pelnas_version", PELNAS_VERSION}};
  return j;
}

namespace {

// Python string literal (double-quoted, escaped).
std::string py_str(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '\\' || ch == '"') out += '\\';
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    if (static_cast<unsigned char>(ch) < 0x20) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(ch));
      continue;
    }
    out += ch;
  }
  return out + "\"";
}

// A comment line must not carry a newline from user data.
std::string one_line(std::string s) {
  std::replace_if(s.begin(), s.end(), [](char ch) { return ch == '\n' || ch == '\r'; }, ' ');
  return s;
}

}  // namespace

std::string pytorch_module_source(const ExportCandidate& c, Dataset dataset, long long expected_params,
                                  const ExportProvenance& prov, const Pick& pick) {
  std::string edges;
  for (int e = 0; e < kNumEdges; ++e)
    edges += fmt::format("    ({}, {}, \"{}\"),\n", kEdges[e].first, kEdges[e].second, to_string(c.arch.ops[e]));
  const std::string acc = std::isfinite(c.true_accuracy) ? fmt::format("{:.4f} %", c.true_accuracy) : "unknown";
  std::string s;
  s += "# Generated by pelnas " PELNAS_VERSION " (`pelnas export --format pytorch`). Standalone: needs only torch.\n";
  s += fmt::format("# Architecture: {}\n# NB201 index {}, dataset {}, picked by: {}\n", c.arch.str(), c.index,
                   to_string(dataset), pick.describe());
  s += fmt::format("# Run: {} (seed {}, device {}, operator {})\n", one_line(prov.run_dir),
                   prov.has_seed ? std::to_string(prov.seed) : "?", one_line(prov.device), one_line(prov.operator_name));
  s += fmt::format("# Benchmark: 200-epoch test accuracy {}; {} = {} {}\n", acc, one_line(prov.cost_name),
                   fmt::format("{:.6g}", c.cost), one_line(prov.cost_unit));
  s += fmt::format("# Expected parameter count (NB201 table, params_{}): {} ({:.6f} M)\n", short_name(dataset),
                   expected_params, expected_params / 1e6);
  s += R"PY(#
# Layout (NAS-Bench-201 TinyNetwork, C=16, N=5): stem 3x3 conv + BN; three stages of 5 cells with
# 16, 32, 64 channels, joined by ResNet basic blocks of stride 2; BN + ReLU; global average pooling;
# linear classifier. A cell is a 4-node DAG; node j sums op(node i) over its incoming edges i -> j.
# Ops: none (zeros), skip_connect (identity), nor_conv_1x1 / nor_conv_3x3 (ReLU-Conv-BN),
# avg_pool_3x3 (count_include_pad=False).
import torch
import torch.nn as nn

)PY";
  s += fmt::format("ARCH = {}\nNB201_INDEX = {}\nDATASET = {}\nNUM_CLASSES = {}\nINPUT_SIZE = {}\nEXPECTED_PARAMETERS = {}\n",
                   py_str(c.arch.str()), c.index, py_str(std::string(to_string(dataset))), num_classes(dataset),
                   input_size(dataset), expected_params);
  s += "# (to_node, from_node, op) per edge, in NB201 arch-string order\nEDGES = [\n" + edges + "]\n";
  s += R"PY(

class ReLUConvBN(nn.Module):
    def __init__(self, c_in, c_out, kernel_size, stride, padding):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out, affine=True, track_running_stats=True),
        )

    def forward(self, x):
        return self.op(x)


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


def make_op(name, channels):
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1, 1, 0)
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3, 1, 1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError("unknown NB201 op: " + name)


class Cell(nn.Module):
    # Plain loops over int lists and the ModuleList, so torch.jit.script compiles it.
    def __init__(self, channels, edges):
        super().__init__()
        self.to_nodes = [to for to, _, _ in edges]
        self.from_nodes = [frm for _, frm, _ in edges]
        self.ops = nn.ModuleList([make_op(op, channels) for _, _, op in edges])

    def forward(self, x):
        nodes = [x]
        for node in range(1, 4):
            total = torch.zeros_like(x)
            k = 0
            for op in self.ops:
                if self.to_nodes[k] == node:
                    total = total + op(nodes[self.from_nodes[k]])
                k += 1
            nodes.append(total)
        return nodes[3]


class ResNetBasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride, 1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1)
        self.downsample = nn.Sequential(
            nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
            nn.Conv2d(c_in, c_out, kernel_size=1, stride=1, padding=0, bias=False),
        )

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class NB201Network(nn.Module):
    def __init__(self, edges=EDGES, num_classes=NUM_CLASSES, channels=16, cells_per_stage=5):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
        )
        layers = []
        c = channels
        for stage in range(3):
            if stage > 0:
                layers.append(ResNetBasicBlock(c, 2 * c, 2))
                c = 2 * c
            for _ in range(cells_per_stage):
                layers.append(Cell(c, edges))
        self.cells = nn.ModuleList(layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        x = self.global_pooling(self.lastact(x))
        return self.classifier(x.flatten(1))


def build_model(num_classes=NUM_CLASSES):
    return NB201Network(EDGES, num_classes)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


if __name__ == "__main__":
    model = build_model()
    n = count_parameters(model)
    print("%s: %d parameters (NB201 table: %d)" % (ARCH, n, EXPECTED_PARAMETERS))
    out = model(torch.randn(2, 3, INPUT_SIZE, INPUT_SIZE))
    print("output shape:", tuple(out.shape))
    scripted = torch.jit.script(model)  # TorchScript: deployable without this file
    print("torch.jit.script: ok, max |difference| %.3g" % (scripted(torch.ones(1, 3, INPUT_SIZE, INPUT_SIZE)) - model(torch.ones(1, 3, INPUT_SIZE, INPUT_SIZE))).abs().max().item())
)PY";
  return s;
}

}  // namespace pelnas::report
