#pragma once
// Strict reading of JSON documents pelnas wrote itself (checkpoints, run configs, journals): every
// getter names the field's path ("search.niches[2].members[5]") and what was expected, so a
// hand-edited or corrupted file is refused with a message instead of a library exception.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace pelnas::json_fields {

// "<path>: expected <what>, got <value (shortened)>" as a pelnas::Error.
[[noreturn]] void fail(const std::string& path, const std::string& what, const nlohmann::json& got);

std::string join(const std::string& path, const std::string& key);      // path.key
std::string join(const std::string& path, std::size_t index);           // path[index]

// The member `key` of the object `j` (which must be an object); throws when absent.
const nlohmann::json& member(const nlohmann::json& j, const std::string& path, const std::string& key);
const nlohmann::json& object(const nlohmann::json& j, const std::string& path);
const nlohmann::json& array(const nlohmann::json& j, const std::string& path);
// An integer (not a float, bool or string) in [lo, hi].
std::int64_t integer(const nlohmann::json& j, const std::string& path, std::int64_t lo, std::int64_t hi);
std::uint64_t unsigned_integer(const nlohmann::json& j, const std::string& path);
// A finite number in [lo, hi].
double number(const nlohmann::json& j, const std::string& path, double lo, double hi);
std::string string(const nlohmann::json& j, const std::string& path, bool allow_empty = true);
bool boolean(const nlohmann::json& j, const std::string& path);

}  // namespace pelnas::json_fields
