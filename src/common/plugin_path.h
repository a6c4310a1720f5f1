#pragma once
// Where pelnas looks for a plugin library it opens with dlopen (the LibTorch and MPI back ends), in
// order: $ENV_VAR (a file path; nothing else is tried when it is set), next to the running
// executable (the build tree), <executable dir>/../{lib,lib64,<libdir>}/pelnas/ (`cmake --install`),
// then the build tree this binary was configured in (a compiled-in path; empty = none).
#include <string>
#include <vector>

namespace pelnas {

std::vector<std::string> plugin_candidates(const char* env_var, const std::string& file, const std::string& build_path);

}  // namespace pelnas
