// `pelnas data ...`: inspect the benchmark tables (coverage, one architecture, cost devices) and
// import the official HW-NAS-Bench pickle.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/text_table.h"
#include "common/error.h"
#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "data/hwnasbench_import.h"
#include "hardware/cost_source.h"

namespace pelnas::cli {

namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

std::string num(double v) { return fmt::format("{:.10g}", v); }
std::string opt_num(const std::optional<double>& v) { return v ? num(*v) : "missing"; }
json opt_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
std::string file_name(const std::string& p) { return p.empty() ? "" : fs::path(p).filename().string(); }

std::shared_ptr<const BenchmarkData> load(const DataOptions& o) { return BenchmarkData::load(resolve_data_dir(o.data_dir)); }

// ---- coverage ----
void run_coverage(const DataOptions& opts, bool as_json) {
  auto data = load(opts);
  const auto cov = data->hw_coverage();
  json j;
  j["data_dir"] = data->dir();
  j["architectures"] = data->size();
  json hw = json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : cov) {
    hw.push_back({{"dataset", to_string(c.dataset)}, {"device", to_string(c.device)}, {"metric", to_string(c.metric)},
                  {"unit", unit(c.metric)}, {"coverage", to_string(c.coverage)}, {"count", c.count},
                  {"source", file_name(c.source)}});
    std::string state(to_string(c.coverage));
    if (c.coverage == Coverage::Partial) state += fmt::format(" ({} of {})", c.count, data->size());
    if (c.coverage == Coverage::Absent && c.dataset != Dataset::Cifar10) state += " (needs `pelnas data import-hwnasbench`)";
    rows.push_back({std::string(to_string(c.dataset)), std::string(to_string(c.device)), std::string(to_string(c.metric)),
                    std::string(unit(c.metric)), state, file_name(c.source)});
  }
  j["hwnasbench"] = hw;
  json help = json::array();
  std::vector<std::vector<std::string>> help_rows;
  for (const auto& b : CostSourceRegistry::instance().backends()) {
    if (b.name != "help") continue;
    for (const auto& d : b.devices(*data)) {
      auto s = make_cost_source(data, Dataset::Cifar10, {d, HwMetric::Latency});
      const std::string state = s->coverage() == data->size() ? "complete" : s->coverage() > 0 ? "partial" : "absent";
      help.push_back({{"device", d}, {"dataset", "cifar10"}, {"metric", "latency"}, {"unit", s->unit()}, {"coverage", state},
                      {"count", s->coverage()}, {"provenance", s->provenance()}});
      help_rows.push_back({d, "cifar10", "latency", s->unit(), state, s->provenance()});
    }
  }
  j["help"] = help;
  if (as_json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("Data directory: {} ({} architectures)\n\nHW-NAS-Bench metrics:\n", data->dir(), data->size());
  std::cout << format_text_table({"dataset", "device", "metric", "unit", "coverage", "source"}, rows);
  std::cout << "\nHELP devices (extra latency sources):\n";
  std::cout << format_text_table({"device", "dataset", "metric", "unit", "coverage", "provenance"}, help_rows);
}

// ---- arch ----
void run_arch(const DataOptions& opts, const std::string& which, bool as_json) {
  auto data = load(opts);
  const int idx = data->index_of(which);
  json j;
  j["index"] = idx;
  j["arch_str"] = data->arch(idx).str();
  j["iso_id_nats"] = data->iso_id_nats(idx);
  j["iso_id_flat"] = data->iso_id_flat(idx);
  j["zero_output"] = data->zero_output(idx);
  json acc = json::object();
  std::vector<std::vector<std::string>> acc_rows;
  const AccuracyMetric metrics[] = {AccuracyMetric::Test, AccuracyMetric::Valid, AccuracyMetric::Test12, AccuracyMetric::Valid12};
  for (Dataset d : kAllDatasets) {
    json per = json::object();
    for (AccuracyMetric m : metrics) {
      if (!data->has_accuracy(d, m)) continue;
      const auto v = data->accuracy(idx, d, m);
      per[std::string(to_string(m))] = opt_json(v);
      acc_rows.push_back({std::string(to_string(d)), std::string(to_string(m)), opt_num(v)});
    }
    acc[std::string(to_string(d))] = per;
  }
  j["accuracy_percent"] = acc;
  json cx = json::object();
  std::vector<std::vector<std::string>> cx_rows;
  for (Dataset d : kAllDatasets) {
    cx[std::string(to_string(d))] = {{"flops_mflops", data->flops(idx, d)}, {"params_m", data->params(idx, d)}};
    cx_rows.push_back({std::string(to_string(d)), num(data->flops(idx, d)), num(data->params(idx, d))});
  }
  j["complexity"] = cx;
  json hw = json::array();
  std::vector<std::vector<std::string>> hw_rows;
  for (Dataset d : kAllDatasets)
    for (Device dev : kAllDevices)
      for (HwMetric m : kAllHwMetrics) {
        if (!hwnasbench_has(dev, m)) continue;
        const bool absent = data->hw_column(d, dev, m) == nullptr;
        const auto v = data->hw(idx, d, dev, m);
        hw.push_back({{"dataset", to_string(d)}, {"device", to_string(dev)}, {"metric", to_string(m)}, {"unit", unit(m)},
                      {"value", opt_json(v)}, {"status", v ? "present" : absent ? "absent" : "missing"}});
        hw_rows.push_back({std::string(to_string(d)), std::string(to_string(dev)), std::string(to_string(m)),
                           std::string(unit(m)), v ? num(*v) : absent ? "missing (no data for this dataset)" : "missing"});
      }
  for (const auto& b : CostSourceRegistry::instance().backends()) {
    if (b.name != "help") continue;
    for (const auto& dev : b.devices(*data)) {
      const auto v = data->help_latency(idx, dev);
      hw.push_back({{"dataset", "cifar10"}, {"device", dev}, {"metric", "latency"}, {"unit", "ms"}, {"value", opt_json(v)},
                    {"status", v ? "present" : "missing"}, {"backend", "help"}});
      hw_rows.push_back({"cifar10", dev + " (HELP)", "latency", "ms", opt_num(v)});
    }
  }
  j["hardware"] = hw;
  if (as_json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("NB201 index {}: {}\niso_id_nats {}, iso_id_flat {}, zero_output {}\n\n", idx,
                           data->arch(idx).str(), data->iso_id_nats(idx), data->iso_id_flat(idx),
                           data->zero_output(idx) ? "yes" : "no");
  std::cout << format_text_table({"dataset", "accuracy", "percent"}, acc_rows);
  std::cout << "\n";
  std::cout << format_text_table({"dataset", "MFLOPs", "params (M)"}, cx_rows);
  std::cout << "\n";
  std::cout << format_text_table({"dataset", "device", "metric", "unit", "value"}, hw_rows);
}

// ---- devices ----
void run_devices(const DataOptions& opts, bool as_json) {
  auto data = load(opts);
  json arr = json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : CostSourceRegistry::instance().backends())
    for (const auto& dev : b.devices(*data))
      for (HwMetric m : kAllHwMetrics) {
        if (b.name == "host") continue;  // would load LibTorch; its coverage: `pelnas data measure-host` / `front --device host`
        json per = json::object();
        std::string name, unit_s, provenance;
        std::vector<std::string> counts;
        bool any = false;
        for (Dataset d : kAllDatasets) {
          try {
            auto s = make_cost_source(data, d, {dev, m});
            any = true;
            name = s->name();
            unit_s = s->unit();
            if (provenance.empty()) provenance = s->provenance();
            per[std::string(to_string(d))] = s->coverage();
            counts.push_back(std::to_string(s->coverage()));
          } catch (const Error&) {
            per[std::string(to_string(d))] = nullptr;  // not served for this dataset
            counts.push_back("-");
          }
        }
        if (!any) continue;  // the device has no such metric at all
        arr.push_back({{"device", dev}, {"backend", b.name}, {"source", name}, {"metric", to_string(m)}, {"unit", unit_s},
                       {"coverage", per}, {"provenance", provenance}});
        rows.push_back({dev, b.name, name, unit_s, counts[0], counts[1], counts[2]});
      }
  if (as_json) {
    json j;
    j["architectures"] = data->size();
    json backends = json::array();
    for (const auto& b : CostSourceRegistry::instance().backends())
      backends.push_back({{"name", b.name}, {"description", b.description}});
    j["backends"] = backends;
    j["devices"] = arr;
    std::cout << j.dump(2) << "\n";
    return;
  }
  for (const auto& b : CostSourceRegistry::instance().backends()) std::cout << fmt::format("{:<11} {}\n", b.name, b.description);
  std::cout << fmt::format("\nCoverage = architectures with a value (of {}); '-' = not available for that dataset.\n",
                           data->size());
  std::cout << format_text_table({"device", "backend", "source", "unit", "cifar10", "cifar100", "ImageNet16-120"}, rows);
}

// ---- import-hwnasbench ----
void run_import(const DataOptions& opts, const std::string& file, const std::optional<std::string>& out_dir, int archs,
                bool as_json) {
  // A partial table in the data directory would replace the complete cifar10 columns of every
  // later run, so fixture-sized imports must go elsewhere.
  if (archs != kNumArchs && !out_dir)
    throw Error("--archs " + std::to_string(archs) + " (a test fixture) needs --out DIR: a partial " +
                BenchmarkData::kImportedHwTable + " in the data directory would replace its complete tables");
  auto data = load(opts);
  HwNasBenchImportOptions o;
  o.expected_archs = archs;
  const HwNasBenchImport imp = read_hwnasbench_pickle(file, *data, o);
  const std::string dir = out_dir ? *out_dir : data->dir();
  if (out_dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error("cannot create output directory '" + dir + "': " + ec.message());
  }
  const std::string path = (fs::path(dir) / BenchmarkData::kImportedHwTable).string();
  write_hwnasbench_csv(imp, path);
  const bool loadable = fs::exists(fs::path(dir) / BenchmarkData::kMainTable);
  json j;
  j["source"] = file;
  j["git_blob_sha1"] = imp.git_blob_sha1;
  j["official_file"] = imp.official;
  j["architectures_per_dataset"] = imp.archs;
  j["output"] = path;
  json missing = json::object();
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : imp.tables) {
    json per = json::object();
    for (std::size_t m = 0; m < kHwNasBenchMetricKeys.size(); ++m) {
      per[kHwNasBenchMetricKeys[m]] = t.missing[m];
      rows.push_back({std::string(to_string(t.dataset)), kHwNasBenchMetricKeys[m], std::to_string(imp.archs - t.missing[m]),
                      std::to_string(t.missing[m])});
    }
    missing[std::string(to_string(t.dataset))] = per;
  }
  j["missing_values"] = missing;
  j["data_dir_complete"] = loadable;
  if (as_json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("Imported {} ({} architectures per dataset)\ngit blob sha1 {}: {}\n", file, imp.archs,
                           imp.git_blob_sha1,
                           imp.official ? "the official HW-NAS-Bench-v1_0.pickle"
                                        : "NOT the official HW-NAS-Bench-v1_0.pickle (" + std::string(kHwNasBenchOfficialBlob) + ")");
  std::cout << format_text_table({"dataset", "metric", "values", "missing (<= 0)"}, rows);
  std::cout << "Wrote " << path << "\n";
  if (!loadable)
    std::cout << fmt::format("Note: {} has no {}; use it as a data directory after copying the other tables there.\n", dir,
                             BenchmarkData::kMainTable);
}

void setup(CLI::App& root) {
  auto* data = root.add_subcommand("data", "inspect the benchmark tables and import HW-NAS-Bench");
  data->require_subcommand(1);

  struct State {
    DataOptions opts;
    bool json = false;
    std::string arch, file;
    std::optional<std::string> out;
    int archs = kNumArchs;
  };
  auto st = std::make_shared<State>();

  auto* cov = data->add_subcommand("coverage", "which (dataset, device, metric) are complete, partial or absent");
  add_data_option(cov, st->opts);
  add_json_flag(cov, st->json);
  cov->callback([st] { run_coverage(st->opts, st->json); });

  auto* arch = data->add_subcommand("arch", "everything the tables know about one architecture");
  arch->add_option("ARCH", st->arch, "NB201 index (0..15624) or arch string |op~0|+|op~0|op~1|+|op~0|op~1|op~2|")->required();
  add_data_option(arch, st->opts);
  add_json_flag(arch, st->json);
  arch->callback([st] { run_arch(st->opts, st->arch, st->json); });

  auto* dev = data->add_subcommand("devices", "every cost device with its back end, unit and coverage");
  add_data_option(dev, st->opts);
  add_json_flag(dev, st->json);
  dev->callback([st] { run_devices(st->opts, st->json); });

  auto* imp = data->add_subcommand("import-hwnasbench",
                                   std::string("read the official HW-NAS-Bench-v1_0.pickle and write ") +
                                       BenchmarkData::kImportedHwTable);
  imp->add_option("FILE", st->file, "the pickle file")->required();
  imp->add_option("--out", st->out, "output directory (default: the data directory)");
  imp->add_option("--archs", st->archs, "architectures per dataset the file must have (fewer only for test fixtures)")
      ->check(CLI::Range(1, kNumArchs));
  add_data_option(imp, st->opts);
  add_json_flag(imp, st->json);
  imp->callback([st] { run_import(st->opts, st->file, st->out, st->archs, st->json); });
}

}  // namespace

PELNAS_REGISTER_COMMAND(80, setup);

}  // namespace pelnas::cli
