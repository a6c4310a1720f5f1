#pragma once
// NAS-Bench-201 through the SearchSpace interface: an adapter over Arch that changes nothing of
// Arch's behaviour. Encoding = the 6 op codes in edge order (Arch::ops); the canonical string is
// the NB201 arch string; sample() draws exactly as Arch::sample (one uniform lex code), so a
// search moved onto the interface keeps its random stream; neighbours() are Arch::neighbours().
#include "space/arch.h"
#include "space/search_space.h"

namespace pelnas {

class Nb201Space final : public SearchSpace {
 public:
  // dataset: "cifar10", "cifar100" or "ImageNet16-120" (the names of data/enums.h).
  explicit Nb201Space(std::string dataset);

  static Encoding encode(const Arch& a);
  static Arch decode(const Encoding& e);  // throws pelnas::Error on a malformed encoding

  std::string name() const override { return "nb201"; }
  std::string dataset() const override { return dataset_; }
  const std::vector<SpacePosition>& positions() const override { return positions_; }
  Encoding parse(std::string_view text) const override;
  std::string print(const Encoding& e) const override;
  Encoding sample(Rng& rng) const override;
  std::vector<Encoding> neighbours(const Encoding& e) const override;
  // Edge counts per operation, as NB201's partitions use them (search/partition.h). FLOPs and
  // params come from the benchmark tables there, so they are not features of the encoding here.
  const std::vector<ComplexityFeature>& features() const override { return features_; }
  std::vector<double> feature_values(const Encoding& e) const override;
  std::string prompt_description() const override;
  std::string prompt_example() const override;

 private:
  std::string dataset_;
  std::vector<SpacePosition> positions_;
  std::vector<ComplexityFeature> features_;
};

}  // namespace pelnas
