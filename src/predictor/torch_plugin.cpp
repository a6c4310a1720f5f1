#include "predictor/torch_plugin.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <mutex>
#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/plugin_path.h"
#include "pelnas_build_paths.h"
#include "predictor/proxy_computer.h"

namespace pelnas {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPluginFile = "libpelnas_torch.so";

const TorchPluginApi* g_api = nullptr;

}  // namespace

void prefer_passive_openmp() {
  if (!std::getenv("OMP_WAIT_POLICY")) ::setenv("OMP_WAIT_POLICY", "passive", 1);
}

std::vector<std::string> torch_plugin_candidates() {
  return plugin_candidates("PELNAS_TORCH_PLUGIN", kPluginFile, PELNAS_TORCH_PLUGIN_BUILD_PATH);
}

const TorchPluginApi& load_torch_plugin() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    prefer_passive_openmp();
    std::string tried;
    for (const auto& path : torch_plugin_candidates()) {
      std::error_code ec;
      if (!fs::exists(path, ec)) {
        tried += fmt::format("\n  {}: no such file", path);
        continue;
      }
      void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        tried += fmt::format("\n  {}: {}", path, ::dlerror());
        continue;
      }
      using Entry = const TorchPluginApi* (*)();
      auto entry = reinterpret_cast<Entry>(::dlsym(handle, kTorchPluginEntry));
      const TorchPluginApi* api = entry ? entry() : nullptr;
      if (!api || api->abi_version != kTorchPluginAbi) {
        tried += fmt::format("\n  {}: not a pelnas {} torch plugin (entry point or ABI version differs)", path,
                             PELNAS_VERSION);
        ::dlclose(handle);
        continue;
      }
      api->register_backend();
      g_api = api;
      spdlog::debug("LibTorch back end loaded from {}", path);
      return;
    }
    failure = "zero-cost proxies need the LibTorch back end (libpelnas_torch.so), which was not found or did not "
              "load; build with -DPELNAS_WITH_TORCH=ON, or set PELNAS_TORCH_PLUGIN to its path. Tried:" + tried;
  });
  if (!g_api) throw Error(failure);
  return *g_api;
}

bool torch_plugin_loaded() { return g_api != nullptr; }

}  // namespace pelnas
