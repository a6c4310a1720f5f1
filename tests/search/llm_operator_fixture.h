#pragma once
// The set-up of the llm operator tests: a niche of the conv3x3-count partition with three
// evaluated parents, the cells a model may propose into it, and children replies in the operator's
// JSON format.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "search/operator.h"
#include "space/nb201_space.h"
#include "test_support.h"

namespace pelnas::test {

// Niche k: exactly k nor_conv_3x3 edges (the pure conv3x3-count partition).
inline NicheDescription conv_niche(int k) {
  NicheDescription n;
  n.id = k;
  n.name = "conv3x3=" + std::to_string(k);
  n.constraint = "exactly " + std::to_string(k) + " nor_conv_3x3 edge(s)";
  n.contains = [k](const ArchCode& c) { return c.nb201().count(Op::Conv3x3) == k; };
  return n;
}

// Cells of niche k in lex order, skipping `skip`.
inline std::vector<Arch> niche_cells(int k, const std::set<Arch>& skip, std::size_t n) {
  std::vector<Arch> out;
  for (int code = 0; code < kNumArchs && out.size() < n; ++code) {
    Arch a = Arch::from_lex_code(code);
    if (a.count(Op::Conv3x3) == k && !skip.count(a)) out.push_back(a);
  }
  return out;
}

// A cell as the search would have evaluated it: CIFAR-10 test accuracy, FLOPs as the cost.
inline EvaluatedArch evaluated(const Arch& a) {
  const auto& d = *data();
  EvaluatedArch e;
  e.arch = a;
  e.code = ArchCode::from_nb201(a);
  e.index = d.index_of(a);
  e.accuracy = d.accuracy(e.index, Dataset::Cifar10).value();
  e.cost = d.flops(e.index, Dataset::Cifar10);
  return e;
}

// Niche k's state at generation 1: its first three cells are the parents and all it has seen.
struct LlmNicheFixture {
  NicheDescription niche;
  NicheState state;
  std::set<Arch> evaluated_set;
  explicit LlmNicheFixture(int k = 1) : niche(conv_niche(k)) {
    static const Nb201Space kSpace("cifar10");
    state.space = &kSpace;
    state.niche = &niche;
    state.generation = 1;
    state.dataset = "cifar10";
    state.device = "fpga";
    state.cost_unit = "MFLOPs";
    for (const Arch& a : niche_cells(k, {}, 3)) {
      state.parents.push_back(evaluated(a));
      state.history.push_back(evaluated(a));
      evaluated_set.insert(a);
    }
    state.seen = [this](const ArchCode& a) { return evaluated_set.count(a.nb201()) > 0; };
    state.children_wanted = 5;
  }
  // state points into the fixture.
  LlmNicheFixture(const LlmNicheFixture&) = delete;
  LlmNicheFixture& operator=(const LlmNicheFixture&) = delete;
};

// A model's reply proposing these cells as children.
inline std::string children_json(const std::vector<Arch>& archs) {
  nlohmann::json c = nlohmann::json::array();
  for (const auto& a : archs) c.push_back({{"architecture_code", a.str()}, {"rationale", "keeps one conv3x3 on " + a.str()}});
  return nlohmann::json{{"children", c}}.dump();
}

// n legal, unseen cells of the fixture's niche, after skipping `offset` of them.
inline std::vector<Arch> good_children(const LlmNicheFixture& f, std::size_t n = 5, std::size_t offset = 0) {
  auto cells = niche_cells(f.niche.id, f.evaluated_set, n + offset);
  return std::vector<Arch>(cells.begin() + static_cast<long>(offset), cells.end());
}

// An operator counter's value (0 when never counted).
inline std::int64_t counter(const OperatorStats& s, const std::string& key) {
  auto it = s.counters.find(key);
  return it == s.counters.end() ? 0 : it->second;
}

}  // namespace pelnas::test
