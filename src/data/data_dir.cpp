#include "data/data_dir.h"
#include "pelnas_build_paths.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "common/error.h"
#include "data/benchmark_data.h"

namespace pelnas {

namespace fs = std::filesystem;

std::vector<std::string> default_data_dir_fallbacks() {
  std::vector<std::string> candidates = {"data", "../shared/data"};
#ifdef PELNAS_SOURCE_DIR
  candidates.push_back(std::string(PELNAS_SOURCE_DIR) + "/../shared/data");
#endif
  return candidates;
}

std::string resolve_data_dir(const std::optional<std::string>& flag) {
  return resolve_data_dir(flag, default_data_dir_fallbacks());
}

std::string resolve_data_dir(const std::optional<std::string>& flag, const std::vector<std::string>& candidates) {
  auto has_tables = [](const std::string& d) { return fs::is_regular_file(fs::path(d) / BenchmarkData::kMainTable); };
  if (flag) {
    if (has_tables(*flag)) return *flag;
    throw Error("data directory '" + *flag + "' (from --data) has no " + BenchmarkData::kMainTable);
  }
  if (const char* env = std::getenv("PELNAS_DATA"); env && *env) {
    if (has_tables(env)) return env;
    throw Error(std::string("data directory '") + env + "' (from $PELNAS_DATA) has no " + BenchmarkData::kMainTable);
  }
  std::string list = "--data (not given), $PELNAS_DATA (not set)";
  for (const auto& c : candidates) {
    if (has_tables(c)) return fs::weakly_canonical(c).string();
    list += ", " + fs::absolute(c).lexically_normal().string();
  }
  throw Error(std::string("no benchmark data found: looked for ") + BenchmarkData::kMainTable + " in " + list +
              ". Pass --data DIR or set PELNAS_DATA.");
}

}  // namespace pelnas
