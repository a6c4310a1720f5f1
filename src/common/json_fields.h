#pragma once
// Strict reading of JSON documents pelnas wrote itself (checkpoints, run configs, journals): every
// getter names the field's path ("search.niches[2].members[5]") and what was expected, so a
// hand-edited or corrupted file is refused with a message instead of a library exception.
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

#include "common/error.h"

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

// j.get<T>() for an integral T, refusing a value T cannot hold instead of converting it: a float
// outside T's range (nlohmann::json casts it with static_cast, undefined behaviour: fuzz_checkpoint
// found "generations": 2e125), a float with a fraction (3.7 would read as 3), an integer outside
// T's range (would wrap), a boolean (would read as 0 or 1). Integral floats (3.0) are taken. Throws IntegerOutOfRange, a
// pelnas::Error (bad input: exit code 2), which readers that name the field or file of a library
// error catch alongside nlohmann::json::exception.
class IntegerOutOfRange : public Error {
 public:
  using Error::Error;
};

// For a reader's catch (...) handler: the message of the exception in flight when it says the
// document is malformed (a nlohmann::json::exception, or an IntegerOutOfRange from get_integral),
// so both kinds get the reader's one wrapper; any other exception is rethrown unchanged.
std::string malformed_document_message();

template <class T>
T get_integral(const nlohmann::json& j) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  auto refuse = [&j] {
    throw IntegerOutOfRange("expected an integer in [" + std::to_string(std::numeric_limits<T>::min()) + ", " +
                            std::to_string(std::numeric_limits<T>::max()) + "], got " + j.dump());
  };
  if (j.is_boolean()) refuse();  // the library would read true as 1
  if (j.is_number_float()) {
    const double d = j.get<double>();
    const double end = std::ldexp(1.0, std::numeric_limits<T>::digits);  // max() + 1, exact in a double
    const double lo = std::is_signed_v<T> ? -end : 0.0;
    if (!(d >= lo && d < end) || d != std::trunc(d)) refuse();
    return static_cast<T>(d);
  }
  if (j.is_number_unsigned()) {
    if (j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) refuse();
  } else if (j.is_number_integer()) {
    const auto v = j.get<std::int64_t>();
    if (std::is_unsigned_v<T> ? v < 0
                              : (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
                                 v > static_cast<std::int64_t>(std::numeric_limits<T>::max())))
      refuse();
  }
  return j.get<T>();  // an integer that fits, or the library's type_error for a non-number
}

}  // namespace pelnas::json_fields
