#pragma once
// NicheMap: a Partition bound to a context (data, cost source), the NichePartition PEL-NAS searches
// with for NB201.
#include <optional>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "search/niche_partition.h"
#include "search/partition.h"

namespace pelnas {

// A partition bound to a context, checked to cover the domain without overlap: niche lookup is a
// table indexed by lex code. The NicheDescriptions it hands out stay valid while it lives.
class NicheMap final : public NichePartition {
 public:
  // Throws pelnas::Error with the coverage problem summary when the rules leave gaps or overlap.
  NicheMap(const Partition& partition, const PartitionContext& ctx);
  int niche_of(const Arch& arch) const { return niche_by_lex_[arch.lex_code()]; }  // -1 = none/out of domain
  // A code that is not an NB201 cell is in no niche.
  int niche_of(const ArchCode& code) const override;
  const std::vector<NicheDescription>& niches() const override { return niches_; }
  const PartitionCoverage& coverage() const { return coverage_; }
  const Partition& partition() const { return partition_; }
  // Every architecture of a niche (in the domain), in lex order.
  std::vector<Arch> member_cells(int niche) const;
  std::optional<std::vector<ArchCode>> members(int niche) const override;
  bool listable() const override { return true; }
  double size_of(int niche) const override { return coverage_.sizes[static_cast<std::size_t>(niche)]; }
  nlohmann::json to_json() const override;

 private:
  Partition partition_;
  PartitionCoverage coverage_;
  std::vector<int> niche_by_lex_;
  std::vector<NicheDescription> niches_;
};

}  // namespace pelnas
