#pragma once
// HW-NAS-Bench's FBNet space through the SearchSpace interface: 22 positions ("layer 0".."layer
// 21"), each one of the 9 blocks of fbnet_arch.h; every combination is legal. Built for one of
// the two macro structures (cifar100: 32x32 input, 100 classes; ImageNet: 224x224, 1000 classes),
// which fixes the FLOPs / params features.
#include "space/fbnet_arch.h"
#include "space/fbnet_layout.h"
#include "space/search_space.h"

namespace pelnas {

class FbnetSpace final : public SearchSpace {
 public:
  explicit FbnetSpace(FbnetDataset dataset);

  static Encoding encode(const FbnetArch& a);
  static FbnetArch decode(const Encoding& e);  // throws pelnas::Error on a malformed encoding

  FbnetDataset fbnet_dataset() const { return dataset_; }
  std::string name() const override { return "fbnet"; }
  std::string dataset() const override { return std::string(to_string(dataset_)); }
  const std::vector<SpacePosition>& positions() const override { return positions_; }
  Encoding parse(std::string_view text) const override;
  std::string print(const Encoding& e) const override;
  // skip, k5, e1, e3, e6, grouped (block counts), expansion_sum, flops (MFLOPs), params (M):
  // bounds are exact (every feature is a sum of per-layer terms over a product space).
  const std::vector<ComplexityFeature>& features() const override { return features_; }
  std::vector<double> feature_values(const Encoding& e) const override;
  std::string prompt_description() const override;
  std::string prompt_example() const override;

 private:
  FbnetDataset dataset_;
  std::vector<SpacePosition> positions_;
  std::vector<ComplexityFeature> features_;
};

}  // namespace pelnas
