#pragma once
// All benchmark tables of the NB201 space, loaded once per process: architectures by NB201 index,
// accuracies, FLOPs/params, HW-NAS-Bench hardware metrics and the extra HELP device latencies.
// Missing values are std::nullopt, never 0 or NaN.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/enums.h"
#include "space/arch.h"

namespace pelnas {

enum class Coverage { Complete, Partial, Absent };
std::string_view to_string(Coverage c);

struct HwCoverage {
  Dataset dataset;
  Device device;
  HwMetric metric;
  Coverage coverage;
  int count;           // architectures with a value
  std::string source;  // which file the values came from
};

class BenchmarkData {
 public:
  // File names inside a data directory.
  static constexpr const char* kMainTable = "nb201_hw.csv";
  static constexpr const char* kHelpTable = "nb201_help_latency.csv";
  // Written by `pelnas data import-hwnasbench`; same columns as nb201_hwnasbench_reference_points.csv
  // (index, dataset, the ten HW-NAS-Bench metrics). When present it supplies every dataset.
  static constexpr const char* kImportedHwTable = "nb201_hwnasbench.csv";

  // Reads a data directory. Throws InputError naming file and line on malformed content.
  static BenchmarkData read(const std::string& dir);
  // Process-wide cache: the first call for a directory reads it, later calls return the same object.
  static std::shared_ptr<const BenchmarkData> load(const std::string& dir);

  const std::string& dir() const { return dir_; }
  int size() const { return static_cast<int>(archs_.size()); }

  const Arch& arch(int index) const;
  int index_of(const Arch& a) const { return index_by_lex_[a.lex_code()]; }
  // Accepts an arch string or a decimal NB201 index; errors say which form was expected.
  int index_of(std::string_view arch_str_or_index) const;

  int iso_id_nats(int index) const { return iso_nats_.at(index); }
  int iso_id_flat(int index) const { return iso_flat_.at(index); }
  bool zero_output(int index) const { return zero_output_.at(index) != 0; }

  std::optional<double> accuracy(int index, Dataset d, AccuracyMetric m = AccuracyMetric::Test) const;
  bool has_accuracy(Dataset d, AccuracyMetric m) const;
  double flops(int index, Dataset d) const;   // MFLOPs
  double params(int index, Dataset d) const;  // millions

  std::optional<double> hw(int index, Dataset d, Device dev, HwMetric m) const;
  // A whole column (NaN = missing) or nullptr when the combination is absent; for fast loops.
  const std::vector<double>* hw_column(Dataset d, Device dev, HwMetric m) const;
  std::vector<HwCoverage> hw_coverage() const;
  // The file a hardware column was read from ("" when the combination is absent).
  std::string hw_source(Dataset d, Device dev, HwMetric m) const;

  // Extra devices from HELP (latency in ms; the cifar10 network as far as the source states). The
  // HELP table is read on the first of these calls, not by read(): most commands never need its
  // 6.5 MB, and a malformed file is reported (file and line) by the first call.
  const std::vector<std::string>& help_devices() const;
  std::optional<double> help_latency(int index, std::string_view device) const;
  const std::vector<double>* help_column(std::string_view device) const;

 private:
  std::string dir_;
  std::vector<Arch> archs_;
  std::vector<int> index_by_lex_;
  std::vector<int> iso_nats_, iso_flat_;
  std::vector<char> zero_output_;
  // A numeric column by NB201 index (NaN = missing). The main table's 26 numeric columns are parsed
  // on first use, not by read(): `front` needs two of them, and parsing all was a third of its time.
  // A malformed value is reported (file, line, column) by the first question about its column.
  struct Column;
  std::map<std::pair<Dataset, AccuracyMetric>, std::shared_ptr<Column>> acc_;
  std::map<Dataset, std::shared_ptr<Column>> flops_, params_;
  std::map<std::tuple<Dataset, Device, HwMetric>, std::shared_ptr<Column>> hw_;
  struct HelpTable;
  std::shared_ptr<HelpTable> help_;  // the file and, once read, its columns
  const HelpTable& help() const;

  void read_main_table(const std::string& path);
  void read_imported_hw_table(const std::string& path);
};

}  // namespace pelnas
