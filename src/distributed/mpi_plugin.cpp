#include "distributed/mpi_plugin.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

#include "common/plugin_path.h"
#include "pelnas_build_paths.h"

namespace pelnas::distributed {

namespace {
std::string g_reason;
}

bool started_by_mpi_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (const char* v = std::getenv(name); v && *v) return true;
  return false;
}

std::vector<std::string> mpi_plugin_candidates() {
  return plugin_candidates("PELNAS_MPI_PLUGIN", "libpelnas_mpi.so", PELNAS_MPI_PLUGIN_BUILD_PATH);
}

void start_mpi_if_launched() {
  if (!started_by_mpi_launcher()) return;
  std::string tried;
  for (const auto& path : mpi_plugin_candidates()) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      tried += fmt::format("; {}: no such file", path);
      continue;
    }
    // RTLD_GLOBAL: Open MPI's own components (mca_*.so, opened by libmpi) resolve libmpi's symbols
    // through the global scope.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
      tried += fmt::format("; {}: {}", path, ::dlerror());
      continue;
    }
    using Entry = int (*)(int);
    auto entry = reinterpret_cast<Entry>(::dlsym(handle, kMpiPluginEntry));
    try {
      if (!entry || entry(kMpiPluginAbi) != kMpiPluginAbi) {
        tried += fmt::format("; {}: not a pelnas {} MPI plugin (entry point or ABI version differs)", path, PELNAS_VERSION);
        continue;
      }
    } catch (const std::exception& e) {  // MPI_Init failed
      g_reason = fmt::format("{} could not start MPI: {}", path, e.what());
      return;
    }
    return;
  }
  g_reason = "the MPI back end (libpelnas_mpi.so) was not found or did not load (build with libopenmpi-dev "
             "installed, or set PELNAS_MPI_PLUGIN to its path); tried: " +
             (tried.empty() ? std::string("nothing") : tried.substr(2));
}

std::string mpi_unavailable_reason() { return g_reason; }

}  // namespace pelnas::distributed
