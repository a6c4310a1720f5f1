#include "space/nb201_space.h"

#include <fmt/format.h>

namespace pelnas {

Nb201Space::Nb201Space(std::string dataset) : dataset_(std::move(dataset)) {
  std::vector<std::string> ops;
  for (Op op : kAllOps) ops.emplace_back(to_string(op));
  for (auto [to, from] : kEdges) positions_.push_back({fmt::format("edge {}<-{}", to, from), ops});
  // Names as partition rules spell them (search/partition.h).
  for (Op op : kAllOps)
    features_.push_back({std::string(to_string(op)), fmt::format("number of {} edges", to_string(op)), 0, kNumEdges});
}

Encoding Nb201Space::encode(const Arch& a) {
  Encoding e(kNumEdges);
  for (int k = 0; k < kNumEdges; ++k) e[static_cast<std::size_t>(k)] = static_cast<int>(a.ops[static_cast<std::size_t>(k)]);
  return e;
}

Arch Nb201Space::decode(const Encoding& e) {
  if (e.size() != static_cast<std::size_t>(kNumEdges))
    throw Error(fmt::format("nb201 encoding: {} positions given, expected {}", e.size(), kNumEdges));
  Arch a;
  for (int k = 0; k < kNumEdges; ++k) {
    const int v = e[static_cast<std::size_t>(k)];
    if (v < 0 || v >= kNumOps)
      throw Error(fmt::format("nb201 encoding: edge {} has op code {}, expected 0..{}", k, v, kNumOps - 1));
    a.ops[static_cast<std::size_t>(k)] = static_cast<Op>(v);
  }
  return a;
}

Encoding Nb201Space::parse(std::string_view text) const {
  try {
    return encode(Arch::parse(text));
  } catch (const ArchParseError& err) {
    // Map the character offset to the edge it falls in: edges are the '|'-delimited fields
    // that contain '~', counted from the left.
    int edge = 0;
    for (std::size_t i = 0; i < err.position() && i < text.size(); ++i)
      if (text[i] == '~') ++edge;
    throw SpaceParseError(err.what(), std::min(edge, kNumEdges - 1));
  }
}

std::string Nb201Space::print(const Encoding& e) const { return decode(e).str(); }

Encoding Nb201Space::sample(Rng& rng) const { return encode(Arch::sample(rng)); }

std::vector<Encoding> Nb201Space::neighbours(const Encoding& e) const {
  std::vector<Encoding> out;
  for (const Arch& n : decode(e).neighbours()) out.push_back(encode(n));
  return out;
}

std::vector<double> Nb201Space::feature_values(const Encoding& e) const {
  const Arch a = decode(e);
  std::vector<double> v;
  for (Op op : kAllOps) v.push_back(a.count(op));
  return v;
}

std::string Nb201Space::prompt_description() const {
  return "A NAS-Bench-201 cell has 4 nodes (0 = input, 3 = output) and 6 edges; every edge carries exactly one\n"
         "operation from: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3.\n"
         "A cell is written as an architecture code, edges in this fixed order (node<-input):\n"
         "  |op~0|+|op~0|op~1|+|op~0|op~1|op~2|\n"
         "  edge 1<-0 | edges 2<-0, 2<-1 | edges 3<-0, 3<-1, 3<-2";
}

std::string Nb201Space::prompt_example() const {
  return "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
}

}  // namespace pelnas
