#pragma once
// Importer for the official HW-NAS-Bench file (HW-NAS-Bench-v1_0.pickle, Li et al. ICLR 2021):
// reads the pickle with the whitelisting reader, checks its schema against the NB201 index table,
// and writes nb201_hwnasbench.csv (the format of nb201_hwnasbench_reference_points.csv), which
// BenchmarkData::read loads when it is in the data directory. See ../shared/docs/HWNASBENCH_PICKLE.md.
#include <array>
#include <string>
#include <vector>

#include "data/benchmark_data.h"
#include "data/pickle_reader.h"

namespace pelnas {

// The ten NB201 metric keys in the order of the official API and of the CSV header.
inline constexpr std::array<const char*, 10> kHwNasBenchMetricKeys = {
    "edgegpu_latency", "edgegpu_energy", "raspi4_latency",  "edgetpu_latency", "pixel3_latency",
    "eyeriss_latency", "eyeriss_energy", "eyeriss_arithmetic_intensity", "fpga_latency", "fpga_energy"};

// The git blob id of the official file (SHA-1 of "blob <size>\0" + bytes).
inline constexpr const char* kHwNasBenchOfficialBlob = "b0634cb7f6e7be07192c77833df9eafa4baf705e";

struct HwNasBenchImportOptions {
  // Architectures per dataset. The official file has all 15625; small test fixtures have fewer, and
  // then position i must still be NB201 index i (checked against the index table).
  int expected_archs = kNumArchs;
};

struct HwNasBenchDatasetTable {
  Dataset dataset;
  // values[m][i]: metric kHwNasBenchMetricKeys[m] of NB201 index i; NaN = missing (stored <= 0, e.g.
  // edgetpu's -1.0 "did not compile", or not finite).
  std::array<std::vector<double>, 10> values;
  std::array<int, 10> missing{};
};

struct HwNasBenchImport {
  std::string source;                        // the pickle path
  std::string git_blob_sha1;                 // of the file bytes
  bool official = false;                     // git_blob_sha1 == kHwNasBenchOfficialBlob
  int archs = 0;                             // per dataset
  std::vector<HwNasBenchDatasetTable> tables;  // cifar10, cifar100, ImageNet16-120
};

// Schema check of a parsed pickle tree (HWNASBENCH_PICKLE.md §4). Throws pelnas::Error naming the
// path inside the tree (e.g. nasbench201/cifar100/fpga_latency) and what was expected.
HwNasBenchImport hwnasbench_from_tree(const pickle::Value& root, const BenchmarkData& data,
                                      const HwNasBenchImportOptions& options = {});
// Reads and checks a pickle file.
HwNasBenchImport read_hwnasbench_pickle(const std::string& path, const BenchmarkData& data,
                                        const HwNasBenchImportOptions& options = {});
// Writes the table (header `index,dataset,<ten metrics>`, floats in shortest round-trip form,
// empty field = missing). Writes to a temporary file first, then renames, so a failure never
// leaves a half-written table for BenchmarkData to pick up.
void write_hwnasbench_csv(const HwNasBenchImport& import, const std::string& path);

// Git blob SHA-1 of a byte string, as hex.
std::string git_blob_sha1(std::string_view bytes);

}  // namespace pelnas
