#include "common/plugin_path.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "pelnas_build_paths.h"

namespace pelnas {

namespace fs = std::filesystem;

std::vector<std::string> plugin_candidates(const char* env_var, const std::string& file, const std::string& build_path) {
  if (const char* p = std::getenv(env_var); p && *p) return {p};
  std::vector<std::string> out;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path dir = exe.parent_path();
    out.push_back((dir / file).string());
    for (const char* lib : {"lib", "lib64", PELNAS_INSTALL_LIBDIR})
      out.push_back((dir.parent_path() / lib / "pelnas" / file).lexically_normal().string());
  }
  out.push_back(build_path);
  // Drop empties and repeats, keeping the first occurrence.
  std::vector<std::string> unique;
  for (auto& c : out)
    if (!c.empty() && std::find(unique.begin(), unique.end(), c) == unique.end()) unique.push_back(c);
  return unique;
}

}  // namespace pelnas
