#include "common/pagmo_plugin.h"

#include <dlfcn.h>

#include <atomic>
#include <filesystem>
#include <mutex>

#include "common/error.h"
#include "common/plugin_path.h"
#include "pelnas_build_paths.h"

namespace pelnas {

namespace {
std::atomic<void*> g_handle{nullptr};
}  // namespace

std::vector<std::string> pagmo_plugin_candidates() {
  return plugin_candidates("PELNAS_PAGMO_PLUGIN", "libpelnas_pagmo.so", PELNAS_PAGMO_PLUGIN_BUILD_PATH);
}

void* pagmo_plugin_symbol(const char* symbol) {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    std::string tried;
    for (const auto& path : pagmo_plugin_candidates()) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        tried += "\n  " + path + ": no such file";
        continue;
      }
      // RTLD_GLOBAL is not needed: the plugin's entry points are looked up here, by handle.
      if (void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
        g_handle = handle;
        return;
      }
      tried += "\n  " + path + ": " + ::dlerror();
    }
    failure = "NSGA-II and the hypervolume of 3 or more objectives need pelnas's pagmo2 back end "
              "(libpelnas_pagmo.so), which was not found or did not load; set PELNAS_PAGMO_PLUGIN to its path. Tried:" +
              tried;
  });
  void* handle = g_handle.load();
  if (!handle) throw Error(failure);
  void* p = ::dlsym(handle, symbol);
  if (!p) throw Error(std::string("the pagmo2 back end (libpelnas_pagmo.so) has no entry point ") + symbol +
                      " (a plugin of another pelnas version?)");
  return p;
}

bool pagmo_plugin_loaded() { return g_handle.load() != nullptr; }

}  // namespace pelnas
