#pragma once
// Checks of our zero-cost proxies against published numbers, torch-free: the NAS-Bench-Suite-Zero
// values in nb201_zc_subset.csv and the benchmark's true accuracy. The proxy values themselves come
// from a ProxyComputer; this file only compares.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/benchmark_data.h"
#include "predictor/proxy_computer.h"

namespace pelnas {

// The proxies nb201_zc_subset.csv carries (same names as ours), plus NASLib's own flops/params.
inline constexpr std::array<std::string_view, 10> kZcSubsetProxies = {
    "synflow", "snip", "grasp", "fisher", "grad_norm", "jacov", "nwot", "epe_nas", "plain", "l2_norm"};

struct ZcReferenceRow {
  int index = -1;  // NB201 index
  Arch arch;
  std::map<std::string, double, std::less<>> values;  // NaN = missing in the file
};

// Rows of one dataset; throws InputError (file:line) on a malformed row or an arch that does not
// match its index in the benchmark table.
std::vector<ZcReferenceRow> read_zc_subset(const std::string& path, Dataset d, const BenchmarkData& data);

struct ProxyAgreement {
  std::string proxy;
  int n_reference = 0;                        // pairs with both values finite
  std::optional<double> spearman_reference;   // ours vs NAS-Bench-Suite-Zero
  int n_accuracy = 0;
  std::optional<double> spearman_accuracy;    // ours vs true test accuracy
  std::optional<double> reference_accuracy;   // theirs vs true test accuracy (same archs)
};

// Per proxy (all 13, in kProxyNames order): Spearman of ours against theirs (where the file has the
// proxy) and against the dataset's 200-epoch test accuracy. Missing values drop that pair only.
std::vector<ProxyAgreement> compare_with_reference(const std::vector<ZcReferenceRow>& rows,
                                                   const std::vector<ProxyValues>& ours, Dataset d,
                                                   const BenchmarkData& data);

}  // namespace pelnas
