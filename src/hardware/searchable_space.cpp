#include "hardware/searchable_space.h"

#include <vector>

namespace pelnas {

namespace {

class DegenerateCellFilter : public CostSource {
 public:
  DegenerateCellFilter(std::shared_ptr<const CostSource> base, const BenchmarkData& data) : base_(std::move(base)) {
    keep_.assign(static_cast<std::size_t>(data.size()), 0);
    for (int i = 0; i < data.size(); ++i) {
      if (!base_->cost(i)) continue;
      if (data.zero_output(i)) ++excluded_;
      else keep_[static_cast<std::size_t>(i)] = 1, ++coverage_;
    }
  }
  std::string name() const override { return base_->name(); }
  std::string unit() const override { return base_->unit(); }
  std::string provenance() const override { return base_->provenance(); }
  std::optional<double> cost(int index) const override {
    const auto c = base_->cost(index);  // range check of the base
    return c && keep_[static_cast<std::size_t>(index)] ? c : std::nullopt;
  }
  int coverage() const override { return coverage_; }
  int excluded() const override { return excluded_; }

 private:
  std::shared_ptr<const CostSource> base_;
  std::vector<char> keep_;
  int coverage_ = 0, excluded_ = 0;
};

}  // namespace

std::shared_ptr<CostSource> searchable_cost(std::shared_ptr<const CostSource> base, const BenchmarkData& data,
                                            SpaceOptions options) {
  if (options.include_degenerate) return std::const_pointer_cast<CostSource>(base);
  return std::make_shared<DegenerateCellFilter>(std::move(base), data);
}

std::shared_ptr<CostSource> make_searchable_cost(std::shared_ptr<const BenchmarkData> data, Dataset dataset,
                                                 const CostSpec& spec, SpaceOptions options) {
  std::shared_ptr<const CostSource> base = make_cost_source(data, dataset, spec);
  return searchable_cost(std::move(base), *data, options);
}

}  // namespace pelnas
