#include "predictor/proxy_table.h"
#include "common/json_fields.h"
#include "pelnas_build_paths.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "common/error.h"
#include "common/rng.h"

namespace fs = std::filesystem;

namespace pelnas {

namespace {
std::string sidecar(const std::string& path) { return path + ".meta.json"; }
}  // namespace

ProxyTable ProxyTable::read(const std::string& path) {
  ProxyTable t;
  t.path = path;
  std::ifstream mf(sidecar(path));
  if (!mf) throw Error("proxy table " + path + ": its sidecar " + sidecar(path) + " is missing (written by `pelnas predictor table`)");
  try {
    const auto j = nlohmann::json::parse(mf);
    t.key.dataset = dataset_from_string(j.at("dataset").get<std::string>());
    t.key.batch_size = json_fields::get_integral<int>(j.at("batch_size"));
    t.key.seed = json_fields::get_integral<std::uint64_t>(j.at("seed"));
    t.key.input = j.at("input").get<std::string>();
    t.key.code_version = j.at("code_version").get<std::string>();
    t.sample_seed = json_fields::get_integral<std::uint64_t>(j.at("sample_seed"));
  } catch (...) {  // a library error or an integer that does not fit; anything else passes through
    throw Error(sidecar(path) + ": malformed proxy table sidecar: " + json_fields::malformed_document_message());
  }
  const CsvTable csv = CsvTable::read(path);
  const std::size_t c_arch = csv.column("arch_str");
  std::vector<std::size_t> cols;
  for (auto name : kProxyNames) cols.push_back(csv.column(name));
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    Arch a;
    try {
      a = Arch::parse(csv.cell(r, c_arch));
    } catch (const Error& e) {
      throw InputError(path, csv.line(r), std::string("arch_str is not an NB201 arch: ") + e.what());
    }
    ProxyValues v;
    for (std::size_t k = 0; k < cols.size(); ++k) {
      const double x = csv.number_or_nan(r, cols[k]);
      v.emplace(std::string(kProxyNames[k]), std::isfinite(x) ? std::optional<double>(x) : std::nullopt);
    }
    if (t.values.emplace(a, std::move(v)).second) t.archs.push_back(a);
  }
  return t;
}

void ProxyTable::write(const std::string& path, const ProxyKey& key, std::uint64_t sample_seed,
                       const std::vector<std::tuple<int, Arch, ProxyValues>>& rows, const std::string& command) {
  const auto parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
  // Write to a temporary name and rename, so an interrupted run never leaves half a table.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    if (!f) throw Error("cannot write " + tmp);
    f << "index,arch_str";
    for (auto name : kProxyNames) f << ',' << name;
    f << '\n';
    for (const auto& [index, arch, values] : rows) {
      f << index << ',' << arch.str();
      for (auto name : kProxyNames) {
        f << ',';
        auto it = values.find(name);
        if (it != values.end() && it->second && std::isfinite(*it->second)) f << fmt::format("{:.10g}", *it->second);
      }
      f << '\n';
    }
    if (!f) throw Error("error writing " + tmp);
  }
  fs::rename(tmp, path);
  std::ofstream m(sidecar(path));
  m << nlohmann::json{{"dataset", std::string(to_string(key.dataset))},
                      {"batch_size", key.batch_size},
                      {"seed", key.seed},
                      {"input", key.input},
                      {"code_version", key.code_version},
                      {"sample_seed", sample_seed},
                      {"rows", rows.size()},
                      {"command", command}}
           .dump(2)
    << "\n";
  if (!m) throw Error("cannot write " + sidecar(path));
}

std::vector<int> arch_sample_order(int num_archs, std::uint64_t seed) {
  std::vector<int> order(static_cast<std::size_t>(num_archs));
  std::iota(order.begin(), order.end(), 0);
  Rng rng = Rng(seed).split(0x70726564);  // "pred": independent of other uses of the same seed
  rng.shuffle(order);
  return order;
}

std::vector<Arch> read_arch_file(const std::string& path, const BenchmarkData* data) {
  std::ifstream f(path);
  if (!f) throw Error("arch file " + path + ": cannot open");
  std::vector<Arch> out;
  std::string line;
  long lineno = 0;
  while (std::getline(f, line)) {
    ++lineno;
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    const auto e = line.find_last_not_of(" \t\r");
    const std::string item = line.substr(b, e - b + 1);
    const bool numeric = item.find_first_not_of("0123456789") == std::string::npos;
    try {
      if (numeric) {
        if (!data) throw Error("an NB201 index needs the benchmark table; give an arch string");
        const int idx = std::stoi(item);
        if (idx < 0 || idx >= data->size())
          throw Error("index " + item + " is outside [0, " + std::to_string(data->size()) + ")");
        out.push_back(data->arch(idx));
      } else {
        out.push_back(Arch::parse(item));
      }
    } catch (const Error& err) {
      throw InputError(path, lineno,
                       "expected an NB201 arch string like |nor_conv_3x3~0|+|none~0|skip_connect~1|+|...| or an "
                       "index: " + std::string(err.what()));
    }
  }
  if (out.empty()) throw Error("arch file " + path + ": contains no architectures");
  return out;
}

std::string models_dir() {
  if (const char* env = std::getenv("PELNAS_MODELS"); env && *env) return env;
  if (fs::is_directory("models") && fs::exists("models/README.md")) return "models";
  const std::string source = std::string(PELNAS_SOURCE_DIR) + "/models";
  if (fs::exists(source + "/README.md")) return source;
  // An installed binary: PREFIX/bin/pelnas -> PREFIX/share/pelnas/models.
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "pelnas" / "models";
    if (fs::exists(installed / "README.md", ec)) return installed.string();
  }
  return source;  // errors then name the source-tree path
}

std::string default_proxy_table_path(Dataset d) {
  return models_dir() + "/proxies_" + std::string(to_string(d)) + ".csv";
}

std::string default_predictor_path(Dataset d) {
  return models_dir() + "/predictor_" + std::string(to_string(d)) + ".json";
}

std::string default_proxy_cache_path() {
  if (const char* env = std::getenv("PELNAS_PROXY_CACHE"); env && *env) return env;
  std::string base;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    base = x;
  else if (const char* h = std::getenv("HOME"); h && *h)
    base = std::string(h) + "/.cache";
  else
    base = ".cache";
  fs::create_directories(base + "/pelnas");
  return base + "/pelnas/proxies.sqlite";
}

}  // namespace pelnas
