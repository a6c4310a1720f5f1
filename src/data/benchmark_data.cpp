#include "data/benchmark_data.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <atomic>
#include <mutex>
#include <tuple>

#include "common/csv.h"
#include "common/error.h"

namespace pelnas {

namespace fs = std::filesystem;

std::string_view to_string(Coverage c) {
  switch (c) {
    case Coverage::Complete: return "complete";
    case Coverage::Partial: return "partial";
    case Coverage::Absent: return "absent";
  }
  return "?";
}

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::optional<double> opt(double v) { return std::isnan(v) ? std::nullopt : std::optional<double>(v); }
}  // namespace

struct BenchmarkData::Column {
  enum class Kind { Value, Positive, Required };  // Positive: <= 0 means missing; Required: none missing
  std::string source;                             // the file the values come from
  std::shared_ptr<const CsvTable> table;          // null once parsed (or when built from values)
  std::shared_ptr<const std::vector<int>> row_index;  // data row -> NB201 index
  std::size_t csv_column = 0;
  Kind kind = Kind::Value;
  std::size_t n = 0;
  std::atomic<bool> ready{false};
  std::mutex mutex;
  std::vector<double> values;

  static std::shared_ptr<Column> of_values(std::vector<double> v, std::string source) {
    auto c = std::make_shared<Column>();
    c->values = std::move(v);
    c->source = std::move(source);
    c->ready = true;
    return c;
  }

  // The values, parsed on the first call (throws on a malformed value, and again on the next call).
  const std::vector<double>& get() {
    if (ready.load(std::memory_order_acquire)) return values;
    std::lock_guard lock(mutex);
    if (ready.load(std::memory_order_relaxed)) return values;
    std::vector<double> v(n, kNaN);
    const CsvTable& t = *table;
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const double x = kind == Kind::Required ? t.number(r, csv_column) : t.number_or_nan(r, csv_column);
      v[(*row_index)[r]] = kind == Kind::Positive && !(x > 0) ? kNaN : x;
    }
    values = std::move(v);
    table.reset();
    row_index.reset();
    ready.store(true, std::memory_order_release);
    return values;
  }
};

struct BenchmarkData::HelpTable {
  std::string path;  // empty: no HELP table in the data directory
  std::mutex mutex;
  bool loaded = false;
  std::vector<std::string> names;
  std::map<std::string, std::vector<double>, std::less<>> columns;

  void read(std::size_t n_archs) {
    const CsvTable t = CsvTable::read(path);
    const std::size_t c_index = t.column("index");
    std::vector<std::string> new_names;
    std::vector<std::vector<double>> cols;
    for (std::size_t c = 0; c < t.header().size(); ++c)
      if (c != c_index) {
        new_names.push_back(t.header()[c]);
        cols.emplace_back(n_archs, kNaN);
      }
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const long long idx = t.integer(r, c_index);
      if (idx < 0 || idx >= static_cast<long long>(n_archs))
        throw InputError(path, t.line(r), "index " + std::to_string(idx) + " out of range");
      for (std::size_t k = 0, c = 0; c < t.header().size(); ++c) {
        if (c == c_index) continue;
        const double x = t.number_or_nan(r, c);
        cols[k++][idx] = x > 0 ? x : kNaN;
      }
    }
    for (std::size_t k = 0; k < new_names.size(); ++k) columns[new_names[k]] = std::move(cols[k]);
    names = std::move(new_names);
  }
};

BenchmarkData BenchmarkData::read(const std::string& dir) {
  BenchmarkData b;
  b.dir_ = dir;
  const fs::path root(dir);
  if (!fs::is_directory(root)) throw Error("data directory '" + dir + "' does not exist");
  b.read_main_table((root / kMainTable).string());
  b.help_ = std::make_shared<HelpTable>();
  if (fs::exists(root / kHelpTable)) b.help_->path = (root / kHelpTable).string();
  if (fs::exists(root / kImportedHwTable)) b.read_imported_hw_table((root / kImportedHwTable).string());
  return b;
}

std::shared_ptr<const BenchmarkData> BenchmarkData::load(const std::string& dir) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const BenchmarkData>> cache;
  std::lock_guard lock(mutex);
  const std::string key = fs::weakly_canonical(dir).string();
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  auto data = std::make_shared<const BenchmarkData>(read(dir));
  cache.emplace(key, data);
  return data;
}

void BenchmarkData::read_main_table(const std::string& path) {
  if (!fs::exists(path)) throw InputError(path, 0, "file not found (the NB201 main table)");
  const auto table = std::make_shared<const CsvTable>(CsvTable::read(path));
  const CsvTable& t = *table;
  const std::size_t n = t.rows();
  if (n != static_cast<std::size_t>(kNumArchs))
    throw InputError(path, 0, "expected " + std::to_string(kNumArchs) + " architecture rows, found " + std::to_string(n));
  archs_.assign(n, Arch{});
  index_by_lex_.assign(kNumArchs, -1);
  iso_nats_.assign(n, -1);
  iso_flat_.assign(n, -1);
  zero_output_.assign(n, 0);
  const std::size_t c_index = t.column("index"), c_arch = t.column("arch_str"), c_nats = t.column("iso_id_nats"),
                    c_flat = t.column("iso_id_flat"), c_zero = t.column("zero_output");
  auto row_index = std::make_shared<std::vector<int>>(n, -1);
  for (std::size_t r = 0; r < n; ++r) {
    const long long idx = t.integer(r, c_index);
    if (idx < 0 || idx >= kNumArchs) throw InputError(path, t.line(r), "index " + std::to_string(idx) + " out of range");
    Arch a;
    try {
      a = Arch::parse(t.cell(r, c_arch));
    } catch (const Error& e) {
      throw InputError(path, t.line(r), e.what());
    }
    if (index_by_lex_[a.lex_code()] != -1)
      throw InputError(path, t.line(r), "duplicate architecture " + a.str());
    if (iso_nats_[idx] != -1) throw InputError(path, t.line(r), "duplicate index " + std::to_string(idx));
    archs_[idx] = a;
    index_by_lex_[a.lex_code()] = static_cast<int>(idx);
    iso_nats_[idx] = static_cast<int>(t.integer(r, c_nats));
    iso_flat_[idx] = static_cast<int>(t.integer(r, c_flat));
    zero_output_[idx] = static_cast<char>(t.integer(r, c_zero) != 0);
    (*row_index)[r] = static_cast<int>(idx);
  }
  // The numeric columns: their names are checked now, their values parsed on first use.
  auto lazy = [&](std::string_view name, Column::Kind kind) {
    auto c = std::make_shared<Column>();
    c->source = path;
    c->table = table;
    c->row_index = row_index;
    c->csv_column = t.column(name);
    c->kind = kind;
    c->n = n;
    return c;
  };
  struct AccCol {
    Dataset d;
    AccuracyMetric m;
    const char* name;
  };
  const AccCol acc_cols[] = {
      {Dataset::Cifar10, AccuracyMetric::Test, "c10_test_acc"},
      {Dataset::Cifar100, AccuracyMetric::Test, "c100_test_acc"},
      {Dataset::ImageNet16_120, AccuracyMetric::Test, "in16_test_acc"},
      {Dataset::Cifar10, AccuracyMetric::Valid, "c10v_valid_acc"},
      {Dataset::Cifar10, AccuracyMetric::Test12, "c10_test_acc_12ep"},
      {Dataset::Cifar10, AccuracyMetric::Valid12, "c10v_valid_acc_12ep"},
      {Dataset::Cifar100, AccuracyMetric::Test12, "c100_test_acc_12ep"},
      {Dataset::Cifar100, AccuracyMetric::Valid12, "c100_valid_acc_12ep"},
      {Dataset::ImageNet16_120, AccuracyMetric::Test12, "in16_test_acc_12ep"},
      {Dataset::ImageNet16_120, AccuracyMetric::Valid12, "in16_valid_acc_12ep"},
  };
  for (const auto& c : acc_cols) acc_[{c.d, c.m}] = lazy(c.name, Column::Kind::Value);
  for (Dataset d : kAllDatasets) {
    // Every architecture has FLOPs and #params: a missing one is an error naming line and column.
    flops_[d] = lazy("flops_" + std::string(short_name(d)), Column::Kind::Required);
    params_[d] = lazy("params_" + std::string(short_name(d)), Column::Kind::Required);
  }
  for (Device dev : kAllDevices)
    for (HwMetric m : kAllHwMetrics)
      // -1.0 (edgetpu "did not compile") and any value <= 0 mean missing
      if (hwnasbench_has(dev, m)) hw_[{Dataset::Cifar10, dev, m}] = lazy("c10_" + hwnasbench_key(dev, m), Column::Kind::Positive);
}

const BenchmarkData::HelpTable& BenchmarkData::help() const {
  // A default-constructed BenchmarkData (no read()) has no HELP table either.
  static HelpTable none;
  if (!help_) return none;
  std::lock_guard lock(help_->mutex);
  if (!help_->loaded && !help_->path.empty()) help_->read(archs_.size());  // throws: tried again next call
  help_->loaded = true;
  return *help_;
}

const std::vector<std::string>& BenchmarkData::help_devices() const { return help().names; }

void BenchmarkData::read_imported_hw_table(const std::string& path) {
  const CsvTable t = CsvTable::read(path);
  const std::size_t c_index = t.column("index"), c_dataset = t.column("dataset");
  std::map<std::pair<Dataset, std::size_t>, std::vector<double>*> targets;
  std::vector<std::tuple<Device, HwMetric, std::size_t>> metric_cols;
  for (Device dev : kAllDevices)
    for (HwMetric m : kAllHwMetrics)
      if (hwnasbench_has(dev, m)) metric_cols.emplace_back(dev, m, t.column(hwnasbench_key(dev, m)));
  std::map<std::tuple<Dataset, Device, HwMetric>, std::vector<double>> values;
  for (Dataset d : kAllDatasets)
    for (auto& [dev, m, c] : metric_cols) values[{d, dev, m}].assign(archs_.size(), kNaN);
  for (std::size_t r = 0; r < t.rows(); ++r) {
    Dataset d;
    try {
      d = dataset_from_string(t.cell(r, c_dataset));
    } catch (const Error& e) {
      throw InputError(path, t.line(r), e.what());
    }
    const long long idx = t.integer(r, c_index);
    if (idx < 0 || idx >= size()) throw InputError(path, t.line(r), "index " + std::to_string(idx) + " out of range");
    for (auto& [dev, m, c] : metric_cols) {
      const double x = t.number_or_nan(r, c);
      values[{d, dev, m}][idx] = x > 0 ? x : kNaN;
    }
  }
  for (auto& [key, v] : values) hw_[key] = Column::of_values(std::move(v), path);
}

const Arch& BenchmarkData::arch(int index) const {
  if (index < 0 || index >= size())
    throw Error("NB201 index " + std::to_string(index) + " out of range [0, " + std::to_string(size()) + ")");
  return archs_[index];
}

int BenchmarkData::index_of(std::string_view s) const {
  if (!s.empty() && s.front() != '|') {
    int idx = -1;
    // Digits only: from_chars alone would take "-0" as index 0.
    const bool digits = s.find_first_not_of("0123456789") == std::string_view::npos;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), idx);
    if (!digits || ec != std::errc() || p != s.data() + s.size())
      throw Error("expected an NB201 index (0.." + std::to_string(size() - 1) + ") or an arch string starting with '|', found '" +
                  std::string(s) + "'");
    arch(idx);  // range check
    return idx;
  }
  return index_of(Arch::parse(s));
}

std::optional<double> BenchmarkData::accuracy(int index, Dataset d, AccuracyMetric m) const {
  auto it = acc_.find({d, m});
  if (it == acc_.end()) return std::nullopt;
  return opt(it->second->get().at(index));
}

bool BenchmarkData::has_accuracy(Dataset d, AccuracyMetric m) const { return acc_.count({d, m}) > 0; }

double BenchmarkData::flops(int index, Dataset d) const { return flops_.at(d)->get().at(index); }
double BenchmarkData::params(int index, Dataset d) const { return params_.at(d)->get().at(index); }

std::optional<double> BenchmarkData::hw(int index, Dataset d, Device dev, HwMetric m) const {
  const auto* col = hw_column(d, dev, m);
  if (!col) return std::nullopt;
  return opt(col->at(index));
}

const std::vector<double>* BenchmarkData::hw_column(Dataset d, Device dev, HwMetric m) const {
  auto it = hw_.find({d, dev, m});
  return it == hw_.end() ? nullptr : &it->second->get();
}

std::string BenchmarkData::hw_source(Dataset d, Device dev, HwMetric m) const {
  auto it = hw_.find({d, dev, m});
  return it == hw_.end() ? std::string() : it->second->source;
}

std::vector<HwCoverage> BenchmarkData::hw_coverage() const {
  std::vector<HwCoverage> out;
  for (Dataset d : kAllDatasets)
    for (Device dev : kAllDevices)
      for (HwMetric m : kAllHwMetrics) {
        if (!hwnasbench_has(dev, m)) continue;
        HwCoverage c{d, dev, m, Coverage::Absent, 0, ""};
        if (auto it = hw_.find({d, dev, m}); it != hw_.end()) {
          for (double v : it->second->get()) c.count += !std::isnan(v);
          c.source = it->second->source;
          c.coverage = c.count == size() ? Coverage::Complete : c.count > 0 ? Coverage::Partial : Coverage::Absent;
        }
        out.push_back(c);
      }
  return out;
}

std::optional<double> BenchmarkData::help_latency(int index, std::string_view device) const {
  const auto* col = help_column(device);
  if (!col) return std::nullopt;
  return opt(col->at(index));
}

const std::vector<double>* BenchmarkData::help_column(std::string_view device) const {
  const HelpTable& h = help();
  auto it = h.columns.find(device);
  return it == h.columns.end() ? nullptr : &it->second;
}

}  // namespace pelnas
