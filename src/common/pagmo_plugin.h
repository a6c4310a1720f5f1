#pragma once
// pagmo2 (NSGA-II and the n-objective hypervolume) lives in the plugin libpelnas_pagmo.so (the
// *_pagmo.cpp files), which the pelnas executable opens with dlopen on first use: linked in, libpagmo's
// static initialisers (boost serialization registrations, TBB) cost every command ~14 ms of start-up,
// most of `pelnas --version`. Programs that link the pagmo objects themselves (tests, benchmarks, the
// Python module: the `pelnas_pagmo` library) call them directly, found through weak references.
// Search order for the plugin as for the torch plugin: $PELNAS_PAGMO_PLUGIN, next to the executable,
// <executable dir>/../lib/pelnas/, the build tree.
#include <string>
#include <vector>

namespace pelnas {

std::vector<std::string> pagmo_plugin_candidates();
// The address of `symbol` in the plugin, loading it once (thread-safe). Throws pelnas::Error naming
// every path tried and why each failed.
void* pagmo_plugin_symbol(const char* symbol);
// Whether the plugin has been opened in this process (tests: `front` and `--version` must not).
bool pagmo_plugin_loaded();

// Resolves a pagmo entry point: the linked-in definition when the program has one (`linked` is the
// address of a weak declaration), else the plugin's.
template <typename Fn>
Fn pagmo_entry(Fn linked, const char* symbol) {
  return linked ? linked : reinterpret_cast<Fn>(pagmo_plugin_symbol(symbol));
}

}  // namespace pelnas
