#pragma once
// What a rank's work depends on, as text that names each input and its content digest, so ranks
// can compare theirs with rank 0's and a difference is readable in the error message.
#include <string>
#include <utility>
#include <vector>

namespace pelnas::distributed {

// The first 16 hex digits of the file's SHA-256. Throws pelnas::InputError naming the file when it
// cannot be read.
std::string file_digest(const std::string& path);

// "label=digest; label=digest; ..." for (label, path) pairs; `extra` (e.g. a code version) appended.
std::string fingerprint_files(const std::vector<std::pair<std::string, std::string>>& inputs,
                              const std::string& extra = "");

}  // namespace pelnas::distributed
