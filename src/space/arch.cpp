#include "space/arch.h"

#include <algorithm>

#include "common/rng.h"

namespace pelnas {

namespace {
constexpr std::array<std::string_view, kNumOps> kOpNames = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                                            "avg_pool_3x3"};

std::string valid_op_list() {
  std::string s;
  for (auto n : kOpNames) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}
}  // namespace

std::string_view to_string(Op op) { return kOpNames.at(static_cast<int>(op)); }

Op op_from_string(std::string_view name) {
  for (int i = 0; i < kNumOps; ++i)
    if (kOpNames[i] == name) return static_cast<Op>(i);
  throw Error("unknown operation '" + std::string(name) + "' (valid: " + valid_op_list() + ")");
}

ArchParseError::ArchParseError(std::string_view input, std::size_t position, const std::string& expected)
    : Error("malformed NB201 arch string '" + std::string(input) + "': at character " + std::to_string(position) +
            ", expected " + expected),
      position_(position) {}

Arch Arch::parse(std::string_view text) {
  Arch a;
  std::size_t p = 0;
  auto expect_char = [&](char c) {
    if (p >= text.size() || text[p] != c)
      throw ArchParseError(text, p, std::string("'") + c + "'" + (p >= text.size() ? " but the string ended" : ""));
    ++p;
  };
  int edge = 0;
  for (int node = 1; node <= 3; ++node) {
    if (node > 1) expect_char('+');
    expect_char('|');
    for (int from = 0; from < node; ++from) {
      std::size_t tilde = text.find('~', p);
      std::size_t bar = text.find('|', p);
      if (tilde == std::string_view::npos || (bar != std::string_view::npos && bar < tilde))
        throw ArchParseError(text, p, "an operation followed by '~" + std::to_string(from) + "'");
      std::string_view name = text.substr(p, tilde - p);
      auto it = std::find(kOpNames.begin(), kOpNames.end(), name);
      if (it == kOpNames.end())
        throw ArchParseError(text, p, "an operation name (one of " + valid_op_list() + "), found '" +
                                          std::string(name) + "'");
      a.ops[edge++] = static_cast<Op>(it - kOpNames.begin());
      p = tilde + 1;
      if (p >= text.size() || text[p] != static_cast<char>('0' + from))
        throw ArchParseError(text, p, "input node " + std::to_string(from) + " for an edge into node " +
                                          std::to_string(node));
      ++p;
      expect_char('|');
    }
  }
  if (p != text.size()) throw ArchParseError(text, p, "the end of the string");
  return a;
}

std::string Arch::str() const {
  std::string s;
  s.reserve(96);  // the longest cell string is 90 characters: one allocation
  int edge = 0;
  for (int node = 1; node <= 3; ++node) {
    if (node > 1) s += '+';
    s += '|';
    for (int from = 0; from < node; ++from) {
      s += to_string(ops[edge++]);
      s += '~';
      s += static_cast<char>('0' + from);
      s += '|';
    }
  }
  return s;
}

int Arch::lex_code() const {
  int code = 0;
  for (Op op : ops) code = code * kNumOps + static_cast<int>(op);
  return code;
}

Arch Arch::from_lex_code(int code) {
  if (code < 0 || code >= kNumArchs)
    throw Error("architecture code " + std::to_string(code) + " out of range [0, " + std::to_string(kNumArchs) + ")");
  Arch a;
  for (int k = kNumEdges - 1; k >= 0; --k) {
    a.ops[k] = static_cast<Op>(code % kNumOps);
    code /= kNumOps;
  }
  return a;
}

int Arch::count(Op op) const { return static_cast<int>(std::count(ops.begin(), ops.end(), op)); }

bool Arch::zero_output() const {
  // Node j carries signal if some edge i->j with i carrying signal is not `none`.
  std::array<bool, 4> live{true, false, false, false};
  for (int e = 0; e < kNumEdges; ++e) {
    auto [to, from] = kEdges[e];
    if (ops[e] != Op::None && live[from]) live[to] = true;
  }
  return !live[3];
}

std::vector<Arch> Arch::neighbours() const {
  std::vector<Arch> out;
  out.reserve(kNumEdges * (kNumOps - 1));
  for (int e = 0; e < kNumEdges; ++e)
    for (Op op : kAllOps)
      if (op != ops[e]) {
        Arch n = *this;
        n.ops[e] = op;
        out.push_back(n);
      }
  return out;
}

Arch Arch::sample(Rng& rng) { return from_lex_code(static_cast<int>(rng.uniform_int(0, kNumArchs - 1))); }

std::string Arch::canonical_form() const {
  // Which nodes reach the output through non-none edges (an edge into a dead node is irrelevant).
  std::array<bool, 4> reaches_out{false, false, false, true};
  for (int e = kNumEdges - 1; e >= 0; --e) {
    auto [to, from] = kEdges[e];
    if (ops[e] != Op::None && reaches_out[to]) reaches_out[from] = true;
  }
  // Which nodes carry signal from the input.
  std::array<bool, 4> live{true, false, false, false};
  for (int e = 0; e < kNumEdges; ++e) {
    auto [to, from] = kEdges[e];
    if (ops[e] != Op::None && live[from]) live[to] = true;
  }
  if (!live[3]) return "zero";
  // Expression of each node: sorted sum of op(expression of source); skip is identity.
  std::array<std::string, 4> expr;
  expr[0] = "x";
  for (int node = 1; node <= 3; ++node) {
    std::vector<std::string> terms;
    for (int e = 0; e < kNumEdges; ++e) {
      auto [to, from] = kEdges[e];
      if (to != node || ops[e] == Op::None || !live[from]) continue;
      if (!reaches_out[node] && node != 3) continue;
      if (ops[e] == Op::Skip)
        terms.push_back(expr[from]);
      else
        terms.push_back(std::string(to_string(ops[e])) + "(" + expr[from] + ")");
    }
    std::sort(terms.begin(), terms.end());
    std::string s;
    for (auto& t : terms) s += (s.empty() ? "" : "+") + t;
    expr[node] = terms.size() > 1 ? "[" + s + "]" : s;
  }
  return expr[3];
}

}  // namespace pelnas
