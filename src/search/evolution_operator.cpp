#include "search/evolution_operator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "common/error.h"

namespace pelnas {

namespace {

std::string edge_name(int e) { return std::to_string(kEdges[e].first) + "<-" + std::to_string(kEdges[e].second); }

// Pareto membership inside a set under (max accuracy, min cost[, min extra costs]).
std::vector<bool> pareto_mask(const std::vector<EvaluatedArch>& v) {
  std::vector<bool> on(v.size(), true);
  for (std::size_t i = 0; i < v.size(); ++i)
    for (std::size_t j = 0; j < v.size() && on[i]; ++j)
      if (j != i && dominates(v[j], v[i])) on[i] = false;
  return on;
}

template <class T>
std::size_t weighted_pick(const std::vector<T>& weights, Rng& rng) {
  double total = 0;
  for (auto w : weights) total += static_cast<double>(w);
  double x = rng.uniform01() * total;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    x -= static_cast<double>(weights[i]);
    if (x < 0) return i;
  }
  return weights.size() - 1;
}

// accuracy ~ mean + sum over edges of theta[edge][op], by ridge regression (normal equations, 30
// unknowns, Gaussian elimination with partial pivoting).
struct AdditiveModel {
  double mean = 0;
  std::array<double, kNumEdges * kNumOps> theta{};
  bool fitted = false;
  double predict(const Arch& a) const {
    double y = mean;
    for (int e = 0; e < kNumEdges; ++e) y += theta[e * kNumOps + static_cast<int>(a.ops[e])];
    return y;
  }
  // Targets below `floor` are raised to it: broken cells (10 % accuracy) would otherwise dominate
  // a least-squares fit that only has to rank the good region.
  static AdditiveModel fit(const std::vector<const EvaluatedArch*>& data, double ridge, double floor) {
    AdditiveModel m;
    if (data.size() < 3) return m;
    constexpr int P = kNumEdges * kNumOps;
    auto y = [floor](const EvaluatedArch* d) { return std::max(d->accuracy, floor); };
    for (const auto* d : data) m.mean += y(d);
    m.mean /= static_cast<double>(data.size());
    std::vector<double> a(P * P, 0.0), b(P, 0.0);
    for (const auto* d : data) {
      int idx[kNumEdges];
      for (int e = 0; e < kNumEdges; ++e) idx[e] = e * kNumOps + static_cast<int>(d->arch.ops[e]);
      for (int i : idx) {
        b[i] += y(d) - m.mean;
        for (int j : idx) a[i * P + j] += 1;
      }
    }
    for (int i = 0; i < P; ++i) a[i * P + i] += ridge;
    for (int c = 0; c < P; ++c) {
      int piv = c;
      for (int r = c + 1; r < P; ++r)
        if (std::abs(a[r * P + c]) > std::abs(a[piv * P + c])) piv = r;
      if (piv != c) {
        for (int k = 0; k < P; ++k) std::swap(a[c * P + k], a[piv * P + k]);
        std::swap(b[c], b[piv]);
      }
      for (int r = c + 1; r < P; ++r) {
        const double f = a[r * P + c] / a[c * P + c];
        if (f == 0) continue;
        for (int k = c; k < P; ++k) a[r * P + k] -= f * a[c * P + k];
        b[r] -= f * b[c];
      }
    }
    for (int c = P - 1; c >= 0; --c) {
      double v = b[c];
      for (int k = c + 1; k < P; ++k) v -= a[c * P + k] * m.theta[k];
      m.theta[c] = v / a[c * P + c];
    }
    m.fitted = true;
    return m;
  }
};

}  // namespace

void EvolutionOperatorOptions::validate() const {
  auto prob = [](double p, const char* field) {
    if (!(p >= 0 && p <= 1)) throw Error(std::string("evolution operator: ") + field + " must be in [0, 1], got " + std::to_string(p));
  };
  prob(crossover_probability, "crossover_probability");
  prob(two_edge_mutation_probability, "two_edge_mutation_probability");
  prob(swap_probability, "swap_probability");
  if (parent_selection != "frontier" && parent_selection != "uniform")
    throw Error("evolution operator: parent_selection must be 'frontier' or 'uniform', got '" + parent_selection + "'");
  if (!(rule_weight >= 1)) throw Error("evolution operator: rule_weight must be >= 1");
  if (!(min_lift > 1)) throw Error("evolution operator: min_lift must be > 1");
  if (min_support < 1) throw Error("evolution operator: min_support must be >= 1");
  if (max_rules < 0) throw Error("evolution operator: max_rules must be >= 0");
  if (max_attempts < 1) throw Error("evolution operator: max_attempts must be >= 1");
  if (screen_candidates < 1) throw Error("evolution operator: screen_candidates must be >= 1");
  if (!(ridge > 0)) throw Error("evolution operator: ridge must be > 0");
  if (!(screen_floor_quantile >= 0 && screen_floor_quantile < 1)) throw Error("evolution operator: screen_floor_quantile must be in [0, 1)");
}

nlohmann::json EvolutionOperatorOptions::to_json() const {
  return {{"crossover_probability", crossover_probability}, {"two_edge_mutation_probability", two_edge_mutation_probability},
          {"swap_probability", swap_probability},
          {"parent_selection", parent_selection}, {"rule_weight", rule_weight}, {"min_lift", min_lift},
          {"min_support", min_support}, {"max_rules", max_rules}, {"max_attempts", max_attempts},
          {"screen_candidates", screen_candidates}, {"ridge", ridge}, {"screen_floor_quantile", screen_floor_quantile}};
}

EvolutionOperatorOptions EvolutionOperatorOptions::from_json(const nlohmann::json& j) {
  EvolutionOperatorOptions o;
  if (j.is_null()) return o;
  if (!j.is_object()) throw Error("evolution operator options: expected a JSON object");
  const nlohmann::json defaults = o.to_json();
  for (const auto& [key, value] : j.items()) {
    if (!defaults.contains(key)) {
      std::string valid;
      for (const auto& [k, v] : defaults.items()) valid += (valid.empty() ? "" : ", ") + k;
      throw Error("evolution operator options: unknown key '" + key + "' (valid: " + valid + ")");
    }
    try {
      if (key == "crossover_probability") o.crossover_probability = value.get<double>();
      else if (key == "two_edge_mutation_probability") o.two_edge_mutation_probability = value.get<double>();
      else if (key == "swap_probability") o.swap_probability = value.get<double>();
      else if (key == "parent_selection") o.parent_selection = value.get<std::string>();
      else if (key == "rule_weight") o.rule_weight = value.get<double>();
      else if (key == "min_lift") o.min_lift = value.get<double>();
      else if (key == "min_support") o.min_support = value.get<int>();
      else if (key == "max_rules") o.max_rules = value.get<int>();
      else if (key == "max_attempts") o.max_attempts = value.get<int>();
      else if (key == "screen_candidates") o.screen_candidates = value.get<int>();
      else if (key == "ridge") o.ridge = value.get<double>();
      else if (key == "screen_floor_quantile") o.screen_floor_quantile = value.get<double>();
    } catch (const nlohmann::json::exception&) {
      throw Error("evolution operator options: '" + key + "' has the wrong type (expected like " + defaults[key].dump() + ")");
    }
  }
  o.validate();
  return o;
}

EvolutionOperator::EvolutionOperator(EvolutionOperatorOptions options) : options_(std::move(options)) { options_.validate(); }

void EvolutionOperator::count(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.add(key);
}

std::string EvolutionOperator::rule_text(int edge, Op op, bool positive) {
  return "edge " + edge_name(edge) + ": " + (positive ? "prefer " : "avoid ") + std::string(to_string(op));
}

std::optional<std::pair<int, Op>> EvolutionOperator::parse_rule_text(const std::string& text, bool& positive) {
  for (int e = 0; e < kNumEdges; ++e)
    for (Op op : kAllOps)
      for (bool pos : {true, false})
        if (text.rfind(rule_text(e, op, pos), 0) == 0) {
          positive = pos;
          return std::make_pair(e, op);
        }
  return std::nullopt;
}

void EvolutionOperator::update_knowledge(NicheState& state, Rng&) {
  count("knowledge_updates");
  const auto& h = state.history;
  if (h.size() < 3) return;  // nothing to learn from yet
  const auto on = pareto_mask(h);
  std::size_t n_front = 0;
  for (bool b : on) n_front += b;
  const std::size_t n_dom = h.size() - n_front;
  if (n_front == 0 || n_dom == 0) return;

  struct Candidate {
    double lift;
    int edge;
    Op op;
    std::vector<std::string> evidence;
    int support;
  };
  std::vector<Candidate> pos, neg;
  const double alpha = 0.5;  // additive smoothing over the 5 ops
  for (int e = 0; e < kNumEdges; ++e)
    for (Op op : kAllOps) {
      int f = 0, d = 0;
      std::vector<std::string> ev_f, ev_d;
      for (std::size_t i = 0; i < h.size(); ++i)
        if (h[i].arch.ops[e] == op) {
          if (on[i]) {
            ++f;
            if (ev_f.size() < 5) ev_f.push_back(h[i].arch.str());
          } else {
            ++d;
            if (ev_d.size() < 5) ev_d.push_back(h[i].arch.str());
          }
        }
      const double pf = (f + alpha) / (static_cast<double>(n_front) + kNumOps * alpha);
      const double pd = (d + alpha) / (static_cast<double>(n_dom) + kNumOps * alpha);
      const double lift = pf / pd;
      if (lift >= options_.min_lift && f >= options_.min_support) pos.push_back({lift, e, op, ev_f, f});
      if (lift <= 1.0 / options_.min_lift && d >= options_.min_support && f == 0) neg.push_back({lift, e, op, ev_d, d});
    }
  // Strongest first; ties by (edge, op) so the order is fully determined.
  std::sort(pos.begin(), pos.end(), [](auto& a, auto& b) {
    return a.lift != b.lift ? a.lift > b.lift : std::tie(a.edge, a.op) < std::tie(b.edge, b.op);
  });
  std::sort(neg.begin(), neg.end(), [](auto& a, auto& b) {
    return a.lift != b.lift ? a.lift < b.lift : std::tie(a.edge, a.op) < std::tie(b.edge, b.op);
  });
  KnowledgeBase kb;
  auto keep = [&](std::vector<Candidate>& from, std::vector<DesignRule>& to, bool positive) {
    for (std::size_t i = 0; i < from.size() && static_cast<int>(to.size()) < options_.max_rules; ++i) {
      const auto& c = from[i];
      const std::string text = rule_text(c.edge, c.op, positive);
      // Keep the round of an unchanged rule so the knowledge log shows when it first appeared.
      int round = state.generation;
      const auto& old = positive ? state.knowledge.positive : state.knowledge.negative;
      for (const auto& r : old)
        if (r.text.rfind(text, 0) == 0) round = r.round;
      char buf[96];
      std::snprintf(buf, sizeof buf, " (%d of %zu %s members, lift %.2f)", c.support, positive ? n_front : n_dom,
                    positive ? "Pareto" : "dominated", c.lift);
      to.push_back({text + buf, c.evidence, round});
    }
  };
  keep(pos, kb.positive, true);
  keep(neg, kb.negative, false);
  state.knowledge = std::move(kb);
}

std::vector<ProposedChild> EvolutionOperator::propose(const NicheState& state, Rng& rng) {
  count("calls");
  if (!state.niche) throw Error("evolution operator: NicheState without a niche");
  const auto& contains = state.niche->contains;
  auto seen = [&](const Arch& a) { return state.seen && state.seen(a); };
  std::set<int> taken;  // proposed in this call
  auto usable = [&](const Arch& a) { return contains(a) && !seen(a) && !taken.count(a.lex_code()); };

  // Op weights per edge from the rule base (rules in another form are ignored).
  std::array<std::array<double, kNumOps>, kNumEdges> weight{};
  for (auto& row : weight) row.fill(1.0);
  for (const auto* list : {&state.knowledge.positive, &state.knowledge.negative})
    for (const auto& r : *list) {
      bool positive = false;
      if (auto eo = parse_rule_text(r.text, positive))
        weight[eo->first][static_cast<int>(eo->second)] *= positive ? options_.rule_weight : 1.0 / options_.rule_weight;
    }

  // Parent weights: unexplored in-niche neighbours (frontier) or uniform.
  const auto& parents = state.parents;
  std::vector<double> parent_weight(parents.size(), 1.0);
  if (options_.parent_selection == "frontier")
    for (std::size_t i = 0; i < parents.size(); ++i) {
      int open = 0;
      for (const auto& nb : parents[i].arch.neighbours()) open += contains(nb) && !seen(nb);
      parent_weight[i] = 0.25 + open;
    }

  // Mutation draws one move among every single-edge change and every swap of two edges' ops
  // (swaps keep the op counts, so the niche and count-driven costs). A move's weight is the rule
  // factor of what it puts on an edge over the factor of what it removes, so rules decide both
  // which edge changes and what it becomes.
  auto w = [&](int e, Op op) { return weight[e][static_cast<int>(op)]; };
  auto mutate = [&](const Arch& parent, std::string& note) {
    Arch child = parent;
    if (rng.bernoulli(options_.swap_probability)) {
      std::vector<std::pair<int, int>> pairs;
      std::vector<double> pw;
      for (int a = 0; a < kNumEdges; ++a)
        for (int b = a + 1; b < kNumEdges; ++b)
          if (parent.ops[a] != parent.ops[b]) {
            pairs.emplace_back(a, b);
            pw.push_back(w(a, parent.ops[b]) * w(b, parent.ops[a]) / (w(a, parent.ops[a]) * w(b, parent.ops[b])));
          }
      if (!pairs.empty()) {
        const auto [a, b] = pairs[weighted_pick(pw, rng)];
        std::swap(child.ops[a], child.ops[b]);
        note = "swap of edges " + edge_name(a) + " and " + edge_name(b) + " of " + parent.str();
        return child;
      }
    }
    const int edges = rng.bernoulli(options_.two_edge_mutation_probability) ? 2 : 1;
    note = "mutation of " + parent.str() + " on edge";
    int changed = -1;
    for (int k = 0; k < edges; ++k) {
      std::vector<std::pair<int, Op>> moves;
      std::vector<double> mw;
      for (int e = 0; e < kNumEdges; ++e) {
        if (e == changed) continue;
        for (Op op : kAllOps)
          if (op != parent.ops[e]) {
            moves.emplace_back(e, op);
            mw.push_back(w(e, op) / w(e, parent.ops[e]));
          }
      }
      const auto [e, op] = moves[weighted_pick(mw, rng)];
      child.ops[e] = op;
      changed = e;
      note += " " + edge_name(e) + "->" + std::string(to_string(op));
    }
    return child;
  };

  // Screening: the model, and the known (cost, accuracy) points a candidate must beat.
  std::vector<const EvaluatedArch*> known;
  {
    std::set<int> codes;
    for (const auto* list : {&state.history, &state.parents})
      for (const auto& e : *list)
        if (codes.insert(e.arch.lex_code()).second) known.push_back(&e);
  }
  const bool screening = options_.screen_candidates > 1 && static_cast<bool>(state.cost);
  double floor = -1e300;
  if (screening && !known.empty() && options_.screen_floor_quantile > 0) {
    std::vector<double> acc;
    for (const auto* k : known) acc.push_back(k->accuracy);
    std::sort(acc.begin(), acc.end());
    floor = acc[static_cast<std::size_t>(options_.screen_floor_quantile * static_cast<double>(acc.size() - 1))];
  }
  const AdditiveModel model = screening ? AdditiveModel::fit(known, options_.ridge, floor) : AdditiveModel{};
  auto score = [&](const Arch& a) {
    const double predicted = model.predict(a);
    const auto c = state.cost(a);
    // More than two objectives: "no higher cost" means no higher in every cost.
    std::vector<std::optional<double>> extra;
    if (state.extra_costs) extra = state.extra_costs(a);
    auto no_costlier = [&](const EvaluatedArch& k) {
      if (!c || k.cost > *c) return false;
      for (std::size_t j = 0; j < extra.size() && j < k.extra_costs.size(); ++j)
        if (!extra[j] || k.extra_costs[j] > *extra[j]) return false;
      return true;
    };
    double best_below = -1e300;  // best accuracy known at no higher cost
    for (const auto* k : known)
      if (no_costlier(*k)) best_below = std::max(best_below, k->accuracy);
    return best_below == -1e300 ? predicted : predicted - best_below;
  };

  std::vector<ProposedChild> out;
  for (int c = 0; c < state.children_wanted; ++c) {
    std::optional<ProposedChild> made;
    double made_score = 0;
    int drawn = 0;
    const int want = screening && model.fitted ? options_.screen_candidates : 1;
    for (int attempt = 0; attempt < options_.max_attempts && drawn < want && !parents.empty(); ++attempt) {
      std::optional<ProposedChild> cand;
      const Arch& p1 = parents[weighted_pick(parent_weight, rng)].arch;
      if (parents.size() >= 2 && rng.bernoulli(options_.crossover_probability)) {
        const Arch* p2 = &p1;
        while (*p2 == p1) p2 = &parents[weighted_pick(parent_weight, rng)].arch;
        Arch child;
        for (int e = 0; e < kNumEdges; ++e) child.ops[e] = rng.bernoulli(0.5) ? p1.ops[e] : p2->ops[e];
        if (usable(child)) cand = ProposedChild{child, "uniform crossover of " + p1.str() + " and " + p2->str(), "crossover"};
      } else {
        std::string note;
        Arch child = mutate(p1, note);
        if (usable(child)) cand = ProposedChild{child, note, "mutation"};
      }
      if (!cand) continue;
      ++drawn;
      if (want == 1) {
        made = std::move(cand);
        break;
      }
      const double sc = score(cand->arch);
      if (!made || sc > made_score) {
        made = std::move(cand);
        made_score = sc;
      }
    }
    if (!made) {
      // The neighbourhood of the front is used up (or there are no parents): a random unseen member.
      for (int attempt = 0; attempt < 20000 && !made; ++attempt) {
        Arch a = Arch::sample(rng);
        if (usable(a)) made = ProposedChild{a, "random unseen architecture of the niche", "random"};
      }
    }
    if (!made) {
      count("exhausted");
      break;
    }
    count("proposed:" + made->origin);
    taken.insert(made->arch.lex_code());
    out.push_back(std::move(*made));
  }
  return out;
}

std::unique_ptr<Operator> make_evolution_operator(const nlohmann::json& options) {
  return std::make_unique<EvolutionOperator>(EvolutionOperatorOptions::from_json(options));
}

}  // namespace pelnas
