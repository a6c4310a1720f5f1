#pragma once
// A cost source backed by one table column (NaN = missing), shared by the table back ends.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "hardware/cost_source.h"

namespace pelnas {

class ColumnCostSource : public CostSource {
 public:
  // `column` must outlive the source; holding `data` guarantees that.
  ColumnCostSource(std::shared_ptr<const BenchmarkData> data, const std::vector<double>* column, std::string name,
                   std::string unit, std::string provenance)
      : data_(std::move(data)), column_(column), name_(std::move(name)), unit_(std::move(unit)),
        provenance_(std::move(provenance)) {
    for (double v : *column_) coverage_ += !std::isnan(v);
  }
  std::string name() const override { return name_; }
  std::string unit() const override { return unit_; }
  std::string provenance() const override { return provenance_; }
  std::optional<double> cost(int index) const override {
    if (index < 0 || index >= static_cast<int>(column_->size()))
      throw Error("NB201 index " + std::to_string(index) + " out of range [0, " + std::to_string(column_->size()) + ")");
    const double v = (*column_)[index];
    return std::isnan(v) ? std::nullopt : std::optional<double>(v);
  }
  int coverage() const override { return coverage_; }

 private:
  std::shared_ptr<const BenchmarkData> data_;
  const std::vector<double>* column_;
  std::string name_, unit_, provenance_;
  int coverage_ = 0;
};

}  // namespace pelnas
