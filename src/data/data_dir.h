#pragma once
// Where the benchmark tables are: --data DIR, else $PELNAS_DATA, else ./data, else ../shared/data
// (relative to the working directory, then to the source tree). The error lists every place tried.
#include <optional>
#include <string>

namespace pelnas {

std::string resolve_data_dir(const std::optional<std::string>& flag);

}  // namespace pelnas
