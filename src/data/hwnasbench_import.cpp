#include "data/hwnasbench_import.h"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace pelnas {

namespace {

const char* const kDatasetKeys[3] = {"cifar10", "cifar100", "ImageNet16-120"};

const pickle::Value& need(const pickle::Value& parent, const std::string& key, const std::string& where) {
  if (parent.kind != pickle::Kind::Dict)
    throw Error("HW-NAS-Bench pickle: " + where + " is a " + parent.describe() + ", expected a dict");
  const pickle::Value* v = parent.get(key);
  if (!v) {
    std::string keys;
    for (const auto& [k, _] : parent.entries)
      if (k->kind == pickle::Kind::Str) keys += (keys.empty() ? "" : ", ") + k->text;
    throw Error("HW-NAS-Bench pickle: " + where + " has no key '" + key + "' (keys present: " + keys + ")");
  }
  return *v;
}

// A metric sequence: ndarray, list/tuple of floats or of numpy scalars (already floats in the tree).
std::vector<double> numbers(const pickle::Value& v, const std::string& where, int expected) {
  std::vector<double> out;
  if (v.kind == pickle::Kind::Array) {
    if (v.shape.size() != 1) throw Error("HW-NAS-Bench pickle: " + where + " is a " + std::to_string(v.shape.size()) + "-D array, expected 1-D");
    out = v.array;
  } else if (v.kind == pickle::Kind::List || v.kind == pickle::Kind::Tuple) {
    out.reserve(v.items.size());
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      const auto& x = *v.items[i];
      if (x.kind != pickle::Kind::Float && x.kind != pickle::Kind::Int)
        throw Error("HW-NAS-Bench pickle: " + where + "[" + std::to_string(i) + "] is a " + x.describe() + ", expected a number");
      out.push_back(x.as_double());
    }
  } else {
    throw Error("HW-NAS-Bench pickle: " + where + " is a " + v.describe() + ", expected an array or list of floats");
  }
  if (static_cast<int>(out.size()) != expected)
    throw Error("HW-NAS-Bench pickle: " + where + " has " + std::to_string(out.size()) + " values, expected " +
                std::to_string(expected) + " (one per architecture)");
  return out;
}

std::string shortest(double x) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, p);
}

}  // namespace

std::string git_blob_sha1(std::string_view bytes) {
  const std::string header = "blob " + std::to_string(bytes.size()) + std::string(1, '\0');
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) != 1 || EVP_DigestUpdate(ctx, header.data(), header.size()) != 1 ||
      EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) != 1 || EVP_DigestFinal_ex(ctx, md, &len) != 1) {
    EVP_MD_CTX_free(ctx);
    throw Error("SHA-1 computation failed");
  }
  EVP_MD_CTX_free(ctx);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

HwNasBenchImport hwnasbench_from_tree(const pickle::Value& root, const BenchmarkData& data,
                                      const HwNasBenchImportOptions& options) {
  const int n = options.expected_archs;
  if (n <= 0 || n > data.size())
    throw Error("HW-NAS-Bench import: expected_archs " + std::to_string(n) + " must be in 1.." + std::to_string(data.size()));
  HwNasBenchImport out;
  out.archs = n;
  const pickle::Value& space = need(root, "nasbench201", "the top level");
  for (const char* ds_key : kDatasetKeys) {
    const std::string where = std::string("nasbench201/") + ds_key;
    const pickle::Value& ds = need(space, ds_key, "nasbench201");
    HwNasBenchDatasetTable table;
    table.dataset = dataset_from_string(ds_key);
    const pickle::Value& config = need(ds, "config", where);
    if (config.kind != pickle::Kind::List && config.kind != pickle::Kind::Tuple)
      throw Error("HW-NAS-Bench pickle: " + where + "/config is a " + config.describe() + ", expected a list");
    if (static_cast<int>(config.items.size()) != n)
      throw Error("HW-NAS-Bench pickle: " + where + "/config has " + std::to_string(config.items.size()) +
                  " entries, expected " + std::to_string(n) + " (one per architecture)");
    for (int i = 0; i < n; ++i) {
      const std::string at = where + "/config[" + std::to_string(i) + "]";
      const pickle::Value& arch = need(*config.items[i], "arch_str", at);
      if (arch.kind != pickle::Kind::Str) throw Error("HW-NAS-Bench pickle: " + at + "/arch_str is a " + arch.describe() + ", expected str");
      if (arch.text != data.arch(i).str())
        throw Error("HW-NAS-Bench pickle: " + at + "/arch_str is '" + arch.text + "' but NB201 index " + std::to_string(i) +
                    " is '" + data.arch(i).str() + "' (the file does not use the NB201 index order)");
      if (const pickle::Value* nc = config.items[i]->get("num_classes");
          nc && nc->kind == pickle::Kind::Int && nc->integer != num_classes(table.dataset))
        throw Error("HW-NAS-Bench pickle: " + at + "/num_classes is " + std::to_string(nc->integer) + ", expected " +
                    std::to_string(num_classes(table.dataset)));
    }
    for (std::size_t m = 0; m < kHwNasBenchMetricKeys.size(); ++m) {
      const std::string key = kHwNasBenchMetricKeys[m];
      auto values = numbers(need(ds, key, where), where + "/" + key, n);
      for (double& v : values)
        if (!std::isfinite(v) || v <= 0) {  // -1.0 = did not compile on the Edge TPU; <= 0 is never a cost
          v = std::numeric_limits<double>::quiet_NaN();
          ++table.missing[m];
        }
      table.values[m] = std::move(values);
    }
    out.tables.push_back(std::move(table));
  }
  return out;
}

HwNasBenchImport read_hwnasbench_pickle(const std::string& path, const BenchmarkData& data,
                                        const HwNasBenchImportOptions& options) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot open HW-NAS-Bench pickle '" + path + "'");
  std::ostringstream ss;
  ss << f.rdbuf();
  const std::string bytes = ss.str();
  const pickle::ValuePtr root = pickle::parse(bytes, path);
  HwNasBenchImport out = hwnasbench_from_tree(*root, data, options);
  out.source = path;
  out.git_blob_sha1 = git_blob_sha1(bytes);
  out.official = out.git_blob_sha1 == kHwNasBenchOfficialBlob;
  return out;
}

void write_hwnasbench_csv(const HwNasBenchImport& import, const std::string& path) {
  namespace fs = std::filesystem;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw Error("cannot write '" + tmp + "' (is the directory writable? choose another with --out DIR)");
    f << "index,dataset";
    for (const char* k : kHwNasBenchMetricKeys) f << ',' << k;
    f << '\n';
    for (const auto& t : import.tables)
      for (int i = 0; i < import.archs; ++i) {
        f << i << ',' << to_string(t.dataset);
        for (const auto& col : t.values) {
          f << ',';
          if (!std::isnan(col[i])) f << shortest(col[i]);
        }
        f << '\n';
      }
    f.flush();
    if (!f) throw Error("failed writing '" + tmp + "'");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error("cannot move the imported table to '" + path + "': " + ec.message());
  }
}

}  // namespace pelnas
