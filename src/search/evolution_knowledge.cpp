// The evolution operator's rule learning: rules from the niche's Pareto enrichment, and their text.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "search/evolution_operator.h"
#include "search/niche_history.h"

namespace pelnas {

namespace {

// A 64-bit fingerprint of a rule base's every text, evidence string and round, in order.
std::uint64_t fingerprint(const KnowledgeBase& kb) {
  std::uint64_t h = 0x84222325cbf29ce4ull;
  auto mix = [&h](std::uint64_t v) { h = (h ^ v) * 0x100000001b3ull + (h >> 29); };
  const std::hash<std::string_view> hash;
  for (const auto* rules : {&kb.positive, &kb.negative}) {
    mix(rules->size());
    for (const auto& r : *rules) {
      mix(hash(r.text));
      mix(static_cast<std::uint64_t>(r.round));
      mix(r.evidence.size());
      for (const auto& e : r.evidence) mix(hash(e));
    }
  }
  return h;
}

// Pareto membership inside a set under (max accuracy, min cost[, min extra costs]).
std::vector<bool> pareto_mask(const std::vector<EvaluatedArch>& v) {
  std::vector<bool> on(v.size(), true);
  for (std::size_t i = 0; i < v.size(); ++i)
    for (std::size_t j = 0; j < v.size() && on[i]; ++j)
      if (j != i && dominates(v[j], v[i])) on[i] = false;
  return on;
}

std::string print(const SearchSpace& space, const ArchCode& c) { return space.print(c.encoding()); }

}  // namespace

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
  // unchanged history, and the rules this operator wrote last time, give the same rules again. A
  // generation that did not move forward is another search (or a replay): computed afresh.
  const int niche_id = state.niche ? state.niche->id : -1;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = last_update_.find(niche_id);
    if (it != last_update_.end() && h.size() > 0 && state.generation > it->second.generation && it->second.history == h.size() &&
        it->second.last == h[h.size() - 1].code && it->second.written == fingerprint(state.knowledge)) {
      it->second.generation = state.generation;
      return;
    }
  }
  struct Remember {  // on every return below, what this call saw and left
    EvolutionOperator& op;
    const NicheState& state;
    int id;
    ~Remember() {
      if (state.history.size() == 0) return;
      const std::uint64_t written = fingerprint(state.knowledge);
      std::lock_guard<std::mutex> lock(op.mutex_);
      op.last_update_[id] = {state.generation, state.history.size(), state.history[state.history.size() - 1].code, written};
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

}  // namespace pelnas
