#include "predictor/proxy_checks.h"

#include <cmath>

#include <fmt/format.h>

#include "common/csv.h"
#include "common/error.h"
#include "predictor/rank_correlation.h"

namespace pelnas {

std::vector<ZcReferenceRow> read_zc_subset(const std::string& path, Dataset d, const BenchmarkData& data) {
  const CsvTable t = CsvTable::read(path);
  const auto c_dataset = t.column("dataset"), c_index = t.column("index"), c_arch = t.column("arch_str");
  std::vector<std::pair<std::string, std::size_t>> cols;
  for (auto name : kZcSubsetProxies) cols.emplace_back(std::string(name), t.column(name));
  std::vector<ZcReferenceRow> rows;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    if (dataset_from_string(t.cell(r, c_dataset)) != d) continue;
    ZcReferenceRow row;
    row.index = static_cast<int>(t.integer(r, c_index));
    try {
      row.arch = Arch::parse(t.cell(r, c_arch));
    } catch (const Error& e) {
      throw InputError(path, t.line(r), e.what());
    }
    if (row.index < 0 || row.index >= data.size() || data.arch(row.index) != row.arch)
      throw InputError(path, t.line(r), fmt::format("index {} does not match arch {} in the benchmark table",
                                                    row.index, row.arch.str()));
    for (auto& [name, col] : cols) {
      // NASLib stored failed proxies as inf/-inf/nan: missing here, like an empty field.
      const auto text = t.cell(r, col);
      const bool non_finite = text == "inf" || text == "-inf" || text == "nan" || text == "-nan";
      row.values[name] = non_finite ? std::nan("") : t.number_or_nan(r, col);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {
std::optional<double> rank_corr(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() < 3) return std::nullopt;
  const double rho = spearman(a, b);
  return std::isfinite(rho) ? std::optional<double>(rho) : std::nullopt;
}
}  // namespace

std::vector<ProxyAgreement> compare_with_reference(const std::vector<ZcReferenceRow>& rows,
                                                   const std::vector<ProxyValues>& ours, Dataset d,
                                                   const BenchmarkData& data) {
  if (rows.size() != ours.size()) throw Error("compare_with_reference: one proxy result per reference row expected");
  std::vector<ProxyAgreement> out;
  for (auto name : kProxyNames) {
    ProxyAgreement a;
    a.proxy = std::string(name);
    std::vector<double> x, y, xa, acc, ya, acc2;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto it = ours[i].find(name);
      const std::optional<double> mine = it == ours[i].end() ? std::nullopt : it->second;
      const auto ref_it = rows[i].values.find(name);
      const double theirs = ref_it == rows[i].values.end() ? std::nan("") : ref_it->second;
      const auto truth = data.accuracy(rows[i].index, d, AccuracyMetric::Test);
      if (mine && std::isfinite(theirs)) {
        x.push_back(*mine);
        y.push_back(theirs);
      }
      if (mine && truth) {
        xa.push_back(*mine);
        acc.push_back(*truth);
      }
      if (std::isfinite(theirs) && truth) {
        ya.push_back(theirs);
        acc2.push_back(*truth);
      }
    }
    a.n_reference = static_cast<int>(x.size());
    a.spearman_reference = rank_corr(x, y);
    a.n_accuracy = static_cast<int>(xa.size());
    a.spearman_accuracy = rank_corr(xa, acc);
    a.reference_accuracy = rank_corr(ya, acc2);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace pelnas
