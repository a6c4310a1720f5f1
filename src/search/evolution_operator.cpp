#include "search/evolution_operator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "common/error.h"
#include "search/niche_history.h"
#include "search/weighted_choice.h"

namespace pelnas {

namespace {

// Pareto membership inside a set under (max accuracy, min cost[, min extra costs]).
std::vector<bool> pareto_mask(const std::vector<EvaluatedArch>& v) {
  std::vector<bool> on(v.size(), true);
  for (std::size_t i = 0; i < v.size(); ++i)
    for (std::size_t j = 0; j < v.size() && on[i]; ++j)
      if (j != i && dominates(v[j], v[i])) on[i] = false;
  return on;
}

// The k-th smallest (0-based) of the union of two ascending vectors: the split of the k + 1
// smallest into i from `a` and j from `b` where both sides fit. O(|b|): b is the short one.
double nth_of_merged(const std::vector<double>& a, const std::vector<double>& b, std::size_t k) {
  const std::size_t take = k + 1;
  for (std::size_t j = 0; j <= b.size() && j <= take; ++j) {
    const std::size_t i = take - j;
    if (i > a.size()) continue;
    const bool left_ok = i == 0 || j == b.size() || a[i - 1] <= b[j];
    const bool right_ok = j == 0 || i == a.size() || b[j - 1] <= a[i];
    if (left_ok && right_ok) return i == 0 ? b[j - 1] : (j == 0 ? a[i - 1] : std::max(a[i - 1], b[j - 1]));
  }
  throw Error("evolution operator: quantile index out of range");  // k >= |a| + |b|: a bug
}

// Where each position's choices start in a flat (position, choice) vector.
std::vector<int> choice_offsets(const SearchSpace& space) {
  std::vector<int> off;
  int at = 0;
  for (const auto& p : space.positions()) {
    off.push_back(at);
    at += static_cast<int>(p.choices.size());
  }
  off.push_back(at);
  return off;
}

// accuracy ~ mean + sum over positions of theta[position][choice], by ridge regression (normal
// equations over every (position, choice): NB201 30 unknowns, FBNet 198; Gaussian elimination with
// partial pivoting).
struct AdditiveModel {
  double mean = 0;
  std::vector<int> offset;  // choice_offsets of the space
  std::vector<double> theta;
  bool fitted = false;
  double predict(const ArchCode& a) const {
    double y = mean;
    for (int e = 0; e < a.size(); ++e) y += theta[static_cast<std::size_t>(offset[e] + a[e])];
    return y;
  }
  // Targets below `floor` are raised to it: broken cells (10 % accuracy) would otherwise dominate
  // a least-squares fit that only has to rank the good region. The data are the niche history's
  // entries (`history`, whose running pair counts give the normal matrix's counts; null: none)
  // then `more`, summed in that order (the order fixes the floating-point results).
  static AdditiveModel fit(const SearchSpace& space, const NicheHistory::Stats* history, const std::vector<const EvaluatedArch*>& more,
                           double ridge, double floor) {
    AdditiveModel m;
    const std::size_t n_history = history ? history->accuracy.size() : 0;
    if (n_history + more.size() < 3) return m;
    m.offset = choice_offsets(space);
    const int L = space.length();
    const int P = m.offset.back();
    m.theta.assign(static_cast<std::size_t>(P), 0.0);
    for (std::size_t d = 0; d < n_history; ++d) m.mean += std::max(history->accuracy[d], floor);
    for (const auto* d : more) m.mean += std::max(d->accuracy, floor);
    m.mean /= static_cast<double>(n_history + more.size());
    std::vector<double> a(static_cast<std::size_t>(P) * P, 0.0), b(static_cast<std::size_t>(P), 0.0);
    if (history)
      for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>(history->pairs[i]);
    for (std::size_t d = 0; d < n_history; ++d) {
      const double t = std::max(history->accuracy[d], floor) - m.mean;
      const std::uint16_t* f = &history->feature_of[d * static_cast<std::size_t>(L)];
      for (int e = 0; e < L; ++e) b[f[e]] += t;
    }
    std::vector<int> idx(static_cast<std::size_t>(L));
    for (const auto* d : more) {
      for (int e = 0; e < L; ++e) idx[e] = m.offset[e] + d->code[e];
      for (int i : idx) {
        b[i] += std::max(d->accuracy, floor) - m.mean;
        for (int j : idx) a[static_cast<std::size_t>(i) * P + j] += 1;
      }
    }
    for (int i = 0; i < P; ++i) a[static_cast<std::size_t>(i) * P + i] += ridge;
    for (int c = 0; c < P; ++c) {
      int piv = c;
      for (int r = c + 1; r < P; ++r)
        if (std::abs(a[static_cast<std::size_t>(r) * P + c]) > std::abs(a[static_cast<std::size_t>(piv) * P + c])) piv = r;
      if (piv != c) {
        for (int k = 0; k < P; ++k) std::swap(a[static_cast<std::size_t>(c) * P + k], a[static_cast<std::size_t>(piv) * P + k]);
        std::swap(b[c], b[piv]);
      }
      for (int r = c + 1; r < P; ++r) {
        const double f = a[static_cast<std::size_t>(r) * P + c] / a[static_cast<std::size_t>(c) * P + c];
        if (f == 0) continue;
        for (int k = c; k < P; ++k) a[static_cast<std::size_t>(r) * P + k] -= f * a[static_cast<std::size_t>(c) * P + k];
        b[r] -= f * b[c];
      }
    }
    for (int c = P - 1; c >= 0; --c) {
      double v = b[c];
      for (int k = c + 1; k < P; ++k) v -= a[static_cast<std::size_t>(c) * P + k] * m.theta[k];
      m.theta[c] = v / a[static_cast<std::size_t>(c) * P + c];
    }
    m.fitted = true;
    return m;
  }
};

const SearchSpace& space_of(const NicheState& state) {
  if (!state.space) throw Error("evolution operator: NicheState without a search space");
  return *state.space;
}

std::string print(const SearchSpace& space, const ArchCode& c) { return space.print(c.encoding()); }

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

std::string EvolutionOperator::rule_text(const SearchSpace& space, int position, int choice, bool positive) {
  const auto& p = space.positions()[static_cast<std::size_t>(position)];
  return p.name + ": " + (positive ? "prefer " : "avoid ") + p.choices[static_cast<std::size_t>(choice)];
}

std::optional<std::pair<int, int>> EvolutionOperator::parse_rule_text(const SearchSpace& space, const std::string& text,
                                                                     bool& positive) {
  // "<position name>: prefer|avoid <choice>[ (evidence)]"; the choice must end the text or be
  // followed by a space (FBNet's k3_e1 is a prefix of k3_e1_g2).
  for (bool pos : {true, false}) {
    const std::string verb = pos ? ": prefer " : ": avoid ";
    const auto at = text.find(verb);
    if (at == std::string::npos) continue;
    const std::string name = text.substr(0, at);
    const auto start = at + verb.size();
    auto end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string choice = text.substr(start, end - start);
    const auto& positions = space.positions();
    for (std::size_t e = 0; e < positions.size(); ++e) {
      if (positions[e].name != name) continue;
      for (std::size_t c = 0; c < positions[e].choices.size(); ++c)
        if (positions[e].choices[c] == choice) {
          positive = pos;
          return std::make_pair(static_cast<int>(e), static_cast<int>(c));
        }
    }
  }
  return std::nullopt;
}

void EvolutionOperator::update_knowledge(NicheState& state, Rng&) {
  count("knowledge_updates");
  const SearchSpace& space = space_of(state);
  const auto& h = state.history;
  // The rule base is a function of the niche's history and the rounds of the rules it already has:
  // unchanged history, and the rules this operator wrote last time, give the same rules again.
  const int niche_id = state.niche ? state.niche->id : -1;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = last_update_.find(niche_id);
    if (it != last_update_.end() && h.size() > 0 && it->second.history == h.size() && it->second.last == h[h.size() - 1].code &&
        it->second.written == state.knowledge)
      return;
  }
  struct Remember {  // on every return below, what this call saw and left
    EvolutionOperator& op;
    const NicheState& state;
    int id;
    ~Remember() {
      if (state.history.size() == 0) return;
      std::lock_guard<std::mutex> lock(op.mutex_);
      op.last_update_[id] = {state.history.size(), state.history[state.history.size() - 1].code, state.knowledge};
    }
  } remember{*this, state, niche_id};
  if (h.size() < 3) return;  // nothing to learn from yet
  const NicheHistory::Stats& st = h.stats(space);
  // Pareto members (ascending positions): the history's running front for two objectives, else a
  // scan of every pair.
  std::vector<std::size_t> front;
  if (st.front_exact() && !st.extra_costs) {
    front = st.front_positions();
  } else {
    const auto on = pareto_mask(h.entries());
    for (std::size_t i = 0; i < on.size(); ++i)
      if (on[i]) front.push_back(i);
  }
  const std::size_t n_front = front.size();
  const std::size_t n_dom = h.size() - n_front;
  if (n_front == 0 || n_dom == 0) return;
  auto on_front = [&front](std::size_t i) { return std::binary_search(front.begin(), front.end(), i); };
  // Entries (ascending positions) with `op` at position e: from the running counts, else a scan.
  std::vector<std::uint32_t> scanned;
  auto with = [&](int e, int op) -> const std::vector<std::uint32_t>& {
    if (st.counts_exact()) return st.positions[static_cast<std::size_t>(st.offset[static_cast<std::size_t>(e)] + op)];
    scanned.clear();
    for (std::size_t i = 0; i < h.size(); ++i)
      if (h[i].code[e] == op) scanned.push_back(static_cast<std::uint32_t>(i));
    return scanned;
  };

  struct Candidate {
    double lift;
    int edge;
    int op;
    int support;
  };
  // Evidence: the first five members (history order) of the front, or of the dominated, with op at e.
  auto evidence = [&](int e, int op, bool positive) {
    std::vector<std::string> ev;
    if (positive) {
      for (std::size_t i = 0; i < front.size() && ev.size() < 5; ++i)
        if (h[front[i]].code[e] == op) ev.push_back(print(space, h[front[i]].code));
    } else {
      const auto& positions = with(e, op);
      for (std::size_t i = 0; i < positions.size() && ev.size() < 5; ++i)
        if (!on_front(positions[i])) ev.push_back(print(space, h[positions[i]].code));
    }
    return ev;
  };
  // Front members per (position, choice); the choice's other occurrences are dominated members.
  std::vector<std::vector<int>> front_count(static_cast<std::size_t>(space.length()));
  for (int e = 0; e < space.length(); ++e)
    front_count[static_cast<std::size_t>(e)].assign(space.positions()[static_cast<std::size_t>(e)].choices.size(), 0);
  for (std::size_t p : front)
    for (int e = 0; e < space.length(); ++e) {
      const int op = h[p].code[e];
      if (op < static_cast<int>(front_count[static_cast<std::size_t>(e)].size())) ++front_count[static_cast<std::size_t>(e)][static_cast<std::size_t>(op)];
    }
  std::vector<Candidate> pos, neg;
  const double alpha = 0.5;  // additive smoothing over the position's choices
  for (int e = 0; e < space.length(); ++e) {
    const int choices = static_cast<int>(space.positions()[static_cast<std::size_t>(e)].choices.size());
    for (int op = 0; op < choices; ++op) {
      const int f = front_count[static_cast<std::size_t>(e)][static_cast<std::size_t>(op)];
      const int all = st.counts_exact() ? static_cast<int>(st.count(st.offset[static_cast<std::size_t>(e)] + op))
                                        : static_cast<int>(with(e, op).size());
      const int d = all - f;
      const double pf = (f + alpha) / (static_cast<double>(n_front) + choices * alpha);
      const double pd = (d + alpha) / (static_cast<double>(n_dom) + choices * alpha);
      const double lift = pf / pd;
      if (lift >= options_.min_lift && f >= options_.min_support) pos.push_back({lift, e, op, f});
      if (lift <= 1.0 / options_.min_lift && d >= options_.min_support && f == 0) neg.push_back({lift, e, op, d});
    }
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
      const std::string text = rule_text(space, c.edge, c.op, positive);
      // Keep the round of an unchanged rule so the knowledge log shows when it first appeared.
      int round = state.generation;
      const auto& old = positive ? state.knowledge.positive : state.knowledge.negative;
      for (const auto& r : old)
        if (r.text.rfind(text, 0) == 0) round = r.round;
      char buf[96];
      std::snprintf(buf, sizeof buf, " (%d of %zu %s members, lift %.2f)", c.support, positive ? n_front : n_dom,
                    positive ? "Pareto" : "dominated", c.lift);
      to.push_back({text + buf, evidence(c.edge, c.op, positive), round});
    }
  };
  keep(pos, kb.positive, true);
  keep(neg, kb.negative, false);
  state.knowledge = std::move(kb);
}

std::vector<ProposedChild> EvolutionOperator::propose(const NicheState& state, Rng& rng) {
  count("calls");
  if (!state.niche) throw Error("evolution operator: NicheState without a niche");
  const SearchSpace& space = space_of(state);
  const int length = space.length();
  const auto& positions = space.positions();
  auto choices_at = [&](int e) { return static_cast<int>(positions[static_cast<std::size_t>(e)].choices.size()); };
  const auto& contains = state.niche->contains;
  auto seen = [&](const ArchCode& a) { return state.seen && state.seen(a); };
  std::set<ArchCode> taken;  // proposed in this call
  auto usable = [&](const ArchCode& a) { return contains(a) && !seen(a) && (taken.empty() || !taken.count(a)); };

  // Choice weights per position from the rule base (rules in another form are ignored).
  std::vector<std::vector<double>> weight(static_cast<std::size_t>(length));
  for (int e = 0; e < length; ++e) weight[static_cast<std::size_t>(e)].assign(static_cast<std::size_t>(choices_at(e)), 1.0);
  for (const auto* list : {&state.knowledge.positive, &state.knowledge.negative})
    for (const auto& r : *list) {
      bool positive = false;
      if (auto eo = parse_rule_text(space, r.text, positive))
        weight[static_cast<std::size_t>(eo->first)][static_cast<std::size_t>(eo->second)] *=
            positive ? options_.rule_weight : 1.0 / options_.rule_weight;
    }

  // Parent weights: unexplored in-niche neighbours (frontier) or uniform.
  const auto& parents = state.parents;
  WeightedChoice parent_pick;
  for (std::size_t i = 0; i < parents.size(); ++i) {
    double weight = 1.0;
    if (options_.parent_selection == "frontier") {
      int open = 0;
      for (const auto& nb : space.neighbours(parents[i].code.encoding())) {
        const ArchCode c = ArchCode::from_encoding(nb);
        open += contains(c) && !seen(c);
      }
      weight = 0.25 + open;
    }
    parent_pick.add(weight);
  }

  // Mutation draws one move among every single-position change and every swap of two positions'
  // choices (swaps keep the choice counts, so NB201's niche and count-driven costs). A move's
  // weight is the rule factor of what it puts on a position over the factor of what it removes, so
  // rules decide both which position changes and what it becomes.
  auto w = [&](int e, int op) { return weight[static_cast<std::size_t>(e)][static_cast<std::size_t>(op)]; };
  // A mutation's note is written only for a child that is kept: most draws of a long run hit seen
  // cells, and printing every parent made those failed attempts the bulk of a generation.
  struct Mutation {
    ArchCode child;
    bool swap = false;
    int n = 0;                                 // changed positions (a swap: 2)
    std::array<std::pair<int, int>, 2> moves;  // (position, new choice)
  };
  auto describe = [&](const ArchCode& parent, const Mutation& m) {
    auto name = [&](int e) -> const std::string& { return positions[static_cast<std::size_t>(e)].name; };
    if (m.swap) return "swap of " + name(m.moves[0].first) + " and " + name(m.moves[1].first) + " of " + print(space, parent);
    std::string note = "mutation of " + print(space, parent) + ":";
    for (int k = 0; k < m.n; ++k) {
      const auto [e, op] = m.moves[static_cast<std::size_t>(k)];
      note += " " + name(e) + "->" + positions[static_cast<std::size_t>(e)].choices[static_cast<std::size_t>(op)];
    }
    return note;
  };
  // A parent's moves and their weights depend only on the parent and the rules, so they are listed
  // once per parent and call (lazily), not at every draw: late in a run most draws hit seen cells
  // and a child can take max_attempts draws (issue 14). The second move of a two-position mutation
  // excludes the first one's position: it draws from the same single-move list, skipping that
  // position, with the total of the remaining weights summed in list order, so the arithmetic (hence
  // every draw) is the same as a separate list's, without listing and allocating one per position.
  struct ParentMoves {
    bool listed = false;
    std::vector<std::pair<int, int>> swaps;  // (position a, position b)
    WeightedChoice swap_choice;
    std::vector<std::pair<int, int>> singles;  // (position, choice)
    std::vector<double> single_weights;
    // Per excluded position (slot 1 + position; slot 0: none excluded), the running sum of the
    // weights of the moves outside it, in list order (a move at the excluded position repeats the
    // sum before it); summed when the slot is first drawn from.
    std::vector<double> running;  // [slot * singles.size() + i]
    std::vector<char> summed;     // [slot]
  };
  std::vector<ParentMoves> parent_moves(parents.size());
  auto moves_of = [&](std::size_t pi) -> ParentMoves& {
    ParentMoves& pm = parent_moves[pi];
    if (!pm.listed) {
      const ArchCode& parent = parents[pi].code;
      for (int a = 0; a < length; ++a)
        for (int b = a + 1; b < length; ++b)
          if (parent[a] != parent[b] && parent[b] < choices_at(a) && parent[a] < choices_at(b)) {
            pm.swaps.emplace_back(a, b);
            pm.swap_choice.add(w(a, parent[b]) * w(b, parent[a]) / (w(a, parent[a]) * w(b, parent[b])));
          }
      for (int e = 0; e < length; ++e)
        for (int op = 0; op < choices_at(e); ++op)
          if (op != parent[e]) {
            pm.singles.emplace_back(e, op);
            pm.single_weights.push_back(w(e, op) / w(e, parent[e]));
          }
      pm.running.resize((static_cast<std::size_t>(length) + 1) * pm.singles.size());
      pm.summed.assign(static_cast<std::size_t>(length) + 1, 0);
      pm.listed = true;
    }
    return pm;
  };
  // A single move of parent pi outside position `excluded` (-1: none), drawn as WeightedChoice::pick
  // over the list without that position's moves (a binary search where rounding cannot matter,
  // else the scan); nullopt if there is none.
  auto pick_single = [&](std::size_t pi, int excluded) -> std::optional<std::pair<int, int>> {
    ParentMoves& pm = moves_of(pi);
    const std::size_t n = pm.singles.size();
    const auto slot = static_cast<std::size_t>(excluded + 1);
    const auto running = pm.running.begin() + static_cast<std::ptrdiff_t>(slot * n);
    if (!pm.summed[slot]) {
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (pm.singles[i].first != excluded) sum += pm.single_weights[i];
        running[static_cast<std::ptrdiff_t>(i)] = sum;
      }
      pm.summed[slot] = 1;
    }
    std::size_t last = n;  // the last move outside `excluded`
    for (std::size_t i = n; i-- > 0;)
      if (pm.singles[i].first != excluded) {
        last = i;
        break;
      }
    if (last == n) return std::nullopt;
    const double total = running[static_cast<std::ptrdiff_t>(n - 1)];
    const double x0 = rng.uniform01() * total;
    // A move at the excluded position repeats the running sum before it, so it is never the first
    // sum above x0: the binary search skips it as the scan does.
    if (const std::size_t i = index_by_running_sums(&*running, n, x0); i < n) return pm.singles[i];
    double x = x0;
    for (std::size_t i = 0; i < n; ++i) {
      if (pm.singles[i].first == excluded) continue;
      x -= pm.single_weights[i];
      if (x < 0) return pm.singles[i];
    }
    return pm.singles[last];
  };
  auto mutate = [&](std::size_t pi) {
    const ArchCode& parent = parents[pi].code;
    Mutation m;
    m.child = parent;
    auto set = [&m](int e, int op) { m.child.choices[static_cast<std::size_t>(e)] = static_cast<std::uint8_t>(op); };
    if (rng.bernoulli(options_.swap_probability)) {
      const ParentMoves& pm = moves_of(pi);
      if (!pm.swaps.empty()) {
        const auto [a, b] = pm.swaps[pm.swap_choice.pick(rng)];
        set(a, parent[b]);
        set(b, parent[a]);
        m.swap = true;
        m.n = 2;
        m.moves = {std::make_pair(a, parent[b]), std::make_pair(b, parent[a])};
        return m;
      }
    }
    const int edges = rng.bernoulli(options_.two_edge_mutation_probability) ? 2 : 1;
    int changed = -1;
    for (int k = 0; k < edges; ++k) {
      const auto move = pick_single(pi, changed);
      if (!move) break;
      const auto [e, op] = *move;
      set(e, op);
      changed = e;
      m.moves[static_cast<std::size_t>(m.n++)] = {e, op};
    }
    return m;
  };

  // Screening: the model, and the known (cost, accuracy) points a candidate must beat: the niche's
  // history, then the parents not in it (migrants), each architecture once. Where the history's
  // running statistics are exact they stand in for scans of it, so a generation costs O(parents +
  // new entries), not O(history) sorts, sets and pair scans; else every known entry is scanned.
  const bool screening = options_.screen_candidates > 1 && static_cast<bool>(state.cost);
  const NicheHistory::Stats* stats = nullptr;
  if (screening) {
    const auto& st = state.history.stats(space);
    if (st.front_exact() && !st.duplicates) stats = &st;
  }
  std::vector<const EvaluatedArch*> known;  // every known entry (no stats), else the migrants only
  if (screening) {
    std::set<ArchCode> codes;
    if (!stats)
      for (const auto& e : state.history)
        if (codes.insert(e.code).second) known.push_back(&e);
    for (const auto& e : state.parents)
      if (!(stats && stats->codes.count(e.code)) && codes.insert(e.code).second) known.push_back(&e);
  }
  const std::size_t n_history = stats ? stats->accuracy.size() : 0;
  // The model is fitted on the first candidate it scores, not up front: late in a long run most
  // calls find no usable candidate at all (their parents' neighbourhoods are used up), and a fit
  // costs O(history) (issue 14). Same data, same order, same model whenever it is used.
  const bool model_fits = screening && n_history + known.size() >= 3;  // AdditiveModel::fit's condition
  std::optional<AdditiveModel> fitted_model;
  auto model = [&]() -> const AdditiveModel& {
    if (fitted_model) return *fitted_model;
    double floor = -1e300;
    if (n_history + known.size() > 0 && options_.screen_floor_quantile > 0) {
      std::vector<double> acc;
      for (const auto* k : known) acc.push_back(k->accuracy);
      std::sort(acc.begin(), acc.end());
      const auto at = static_cast<std::size_t>(options_.screen_floor_quantile * static_cast<double>(n_history + acc.size() - 1));
      floor = stats ? nth_of_merged(stats->sorted_accuracy, acc, at) : acc[at];
    }
    fitted_model = AdditiveModel::fit(space, stats, known, options_.ridge, floor);
    return *fitted_model;
  };
  auto score = [&](const ArchCode& a) {
    const double predicted = model().predict(a);
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
    if (c) {
      if (stats && (extra.empty() || !stats->extra_costs)) {
        // Only the cost matters (entries without extra costs compare on the cost alone).
        if (const auto best = stats->best_accuracy_at_most(*c)) best_below = std::max(best_below, *best);
      } else if (stats) {
        for (const auto& k : state.history)
          if (no_costlier(k)) best_below = std::max(best_below, k.accuracy);
      }
      for (const auto* k : known)
        if (no_costlier(*k)) best_below = std::max(best_below, k->accuracy);
    }
    return best_below == -1e300 ? predicted : predicted - best_below;
  };

  const bool nb201 = space.name() == "nb201";
  // Parents whose mutation neighbourhood is used up (1), not known to be (0), or not tracked (-1).
  auto live = [&](const ArchCode& a) { return contains(a) && !seen(a); };
  NicheNeighbourhoods* neighbourhoods = nullptr;
  std::vector<signed char> used_up(parents.size(), -1);
  if (static_cast<bool>(state.seen)) {
    neighbourhoods = &used_up_.niche(state.niche->id, state.generation, state.history.size());
    for (std::size_t i = 0; i < parents.size(); ++i)
      if (NicheNeighbourhoods::trackable(space, parents[i].code)) used_up[i] = neighbourhoods->known_used_up(parents[i].code) ? 1 : 0;
  }
  // Whether mutate() can swap two positions of parent pi (its swap list is not empty).
  auto has_swaps = [&](std::size_t pi) {
    const ArchCode& p = parents[pi].code;
    for (int a = 0; a < length; ++a)
      for (int b = a + 1; b < length; ++b)
        if (p[a] != p[b] && p[b] < choices_at(a) && p[a] < choices_at(b)) return true;
    return false;
  };
  // A crossover's second parent must differ from the first: parents sharing a code (none in
  // practice) share an id, so the test compares ids rather than codes at every draw.
  std::vector<std::size_t> parent_id(parents.size());
  {
    std::map<ArchCode, std::size_t> first_of;
    for (std::size_t i = 0; i < parents.size(); ++i) parent_id[i] = first_of.emplace(parents[i].code, i).first->second;
  }
  std::vector<ProposedChild> out;
  for (int c = 0; c < state.children_wanted; ++c) {
    std::optional<ProposedChild> made;
    double made_score = 0;
    int drawn = 0;
    const int want = model_fits ? options_.screen_candidates : 1;
    for (int attempt = 0; attempt < options_.max_attempts && drawn < want && !parents.empty(); ++attempt) {
      std::optional<ProposedChild> cand;
      const std::size_t pi = parent_pick.pick(rng);
      const ArchCode& p1 = parents[pi].code;
      if (parents.size() >= 2 && rng.bernoulli(options_.crossover_probability)) {
        std::size_t p2i = pi;
        while (parent_id[p2i] == parent_id[pi]) p2i = parent_pick.pick(rng);
        const ArchCode* p2 = &parents[p2i].code;
        ArchCode child = p1;
        for (std::size_t e = 0; e < static_cast<std::size_t>(length); ++e) {
          // Branch-free: the coin is unpredictable, and a long run makes hundreds of draws per child.
          const std::uint8_t a = p1.choices[e], b = p2->choices[e];
          const auto first = static_cast<std::uint8_t>(rng.bernoulli(0.5));
          child.choices[e] = static_cast<std::uint8_t>(b ^ ((a ^ b) & static_cast<std::uint8_t>(0 - first)));
        }
        if (usable(child))
          cand = ProposedChild{child, "uniform crossover of " + print(space, p1) + " and " + print(space, *p2), "crossover"};
      } else if (used_up[pi] == 1) {
        // Every child a mutation of this parent can make is outside the niche or seen: take the
        // random numbers mutate() would (a coin, then a swap's pick or a coin and 1-2 moves' picks)
        // without making a child that would be rejected.
        if (rng.bernoulli(options_.swap_probability) && has_swaps(pi)) {
          (void)rng.next();
        } else {
          const int edges = rng.bernoulli(options_.two_edge_mutation_probability) ? 2 : 1;
          for (int k = 0; k < edges; ++k) (void)rng.next();
        }
      } else {
        const Mutation m = mutate(pi);
        if (usable(m.child)) cand = ProposedChild{m.child, describe(p1, m), "mutation"};
        else if (neighbourhoods && used_up[pi] == 0) used_up[pi] = neighbourhoods->used_up(space, p1, live) ? 1 : 0;
      }
      if (!cand) continue;
      ++drawn;
      if (want == 1) {
        made = std::move(cand);
        break;
      }
      const double sc = score(cand->code);
      if (!made || sc > made_score) {
        made = std::move(cand);
        made_score = sc;
      }
    }
    if (!made) {
      // The neighbourhood of the front is used up (or there are no parents): a random unseen member.
      // NB201 draws as Nb201Space::sample does (Arch::sample), without its Encoding allocation:
      // a nearly used-up niche takes thousands of draws.
      for (int attempt = 0; attempt < 20000 && !made; ++attempt) {
        const ArchCode a = nb201 ? ArchCode::from_nb201(Arch::sample(rng)) : ArchCode::from_encoding(space.sample(rng));
        if (usable(a)) made = ProposedChild{a, "random unseen architecture of the niche", "random"};
      }
    }
    if (!made) {
      count("exhausted");
      break;
    }
    count("proposed:" + made->origin);
    taken.insert(made->code);
    out.push_back(std::move(*made));
  }
  return out;
}

std::unique_ptr<Operator> make_evolution_operator(const nlohmann::json& options) {
  return std::make_unique<EvolutionOperator>(EvolutionOperatorOptions::from_json(options));
}

}  // namespace pelnas
