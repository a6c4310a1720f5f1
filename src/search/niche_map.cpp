// NicheMap: the niche of every NB201 cell in a table indexed by lex code, built once from a Partition.
#include "search/niche_map.h"

#include <memory>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace pelnas {

NicheMap::NicheMap(const Partition& partition, const PartitionContext& ctx) : partition_(partition) {
  coverage_ = partition_.coverage(ctx);
  if (!coverage_.ok())
    throw Error("partition '" + partition_.name() + "' does not split the space into disjoint niches: " +
                coverage_.problem_summary(*ctx.data, partition_.rules()));
  auto table = std::make_shared<std::vector<int>>(kNumArchs, -1);
  for (int index = 0; index < ctx.data->size(); ++index) {
    if (ctx.cost && !ctx.cost->covers(index)) continue;
    const Arch& a = ctx.data->arch(index);
    for (int k = 0; k < partition_.size(); ++k)
      if (partition_.matches(k, a, index, ctx)) (*table)[a.lex_code()] = k;
  }
  niche_by_lex_ = *table;
  for (int k = 0; k < partition_.size(); ++k) {
    NicheDescription d;
    d.id = k;
    d.name = partition_.rules()[k].name;
    d.constraint = partition_.rules()[k].constraint;
    d.contains = [table, k](const ArchCode& c) {
      const int lex = c.nb201_lex_code();
      return lex >= 0 && (*table)[static_cast<std::size_t>(lex)] == k;
    };
    niches_.push_back(std::move(d));
  }
}

std::vector<Arch> NicheMap::member_cells(int niche) const {
  std::vector<Arch> out;
  for (int code = 0; code < kNumArchs; ++code)
    if (niche_by_lex_[code] == niche) out.push_back(Arch::from_lex_code(code));
  return out;
}

std::optional<std::vector<ArchCode>> NicheMap::members(int niche) const {
  std::vector<ArchCode> out;
  for (const Arch& a : member_cells(niche)) out.push_back(ArchCode::from_nb201(a));
  return out;
}

int NicheMap::niche_of(const ArchCode& code) const {
  const int lex = code.nb201_lex_code();
  return lex < 0 ? -1 : niche_by_lex_[static_cast<std::size_t>(lex)];
}

nlohmann::json NicheMap::to_json() const { return partition_.to_json(); }

}  // namespace pelnas
