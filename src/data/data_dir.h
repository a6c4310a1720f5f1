#pragma once
// Where the benchmark tables are: --data DIR, else $PELNAS_DATA, else ./data, else ../shared/data
// (relative to the working directory, then to the source tree). The error lists every place tried.
#include <optional>
#include <string>
#include <vector>

namespace pelnas {

std::string resolve_data_dir(const std::optional<std::string>& flag);
// The same with an explicit list of fallback directories (after --data and $PELNAS_DATA); the
// one-argument form uses default_data_dir_fallbacks(). Lets tests exercise the "nothing found" error.
std::string resolve_data_dir(const std::optional<std::string>& flag, const std::vector<std::string>& fallbacks);
std::vector<std::string> default_data_dir_fallbacks();  // ./data, ../shared/data, <source>/../shared/data

}  // namespace pelnas
