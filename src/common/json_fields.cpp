#include "common/json_fields.h"

#include <cmath>
#include <limits>

#include "common/error.h"

namespace pelnas::json_fields {

namespace {

std::string shown(const nlohmann::json& j) {
  std::string s;
  try {
    s = j.dump();
  } catch (const nlohmann::json::exception&) {
    s = "(not valid UTF-8)";
  }
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string range(std::int64_t lo, std::int64_t hi) {
  if (hi >= std::numeric_limits<int>::max()) return ">= " + std::to_string(lo);  // no bound worth naming
  return "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

}  // namespace

void fail(const std::string& path, const std::string& what, const nlohmann::json& got) {
  throw Error(path + ": expected " + what + ", got " + shown(got));
}

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string join(const std::string& path, std::size_t index) { return path + "[" + std::to_string(index) + "]"; }

const nlohmann::json& object(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "a JSON object", j);
  return j;
}

const nlohmann::json& array(const nlohmann::json& j, const std::string& path) {
  if (!j.is_array()) fail(path, "a JSON array", j);
  return j;
}

const nlohmann::json& member(const nlohmann::json& j, const std::string& path, const std::string& key) {
  object(j, path.empty() ? "(document)" : path);
  const auto it = j.find(key);
  if (it == j.end()) throw Error(join(path, key) + ": missing");
  return *it;
}

std::int64_t integer(const nlohmann::json& j, const std::string& path, std::int64_t lo, std::int64_t hi) {
  const std::string what = "an integer " + range(lo, hi);
  if (j.is_number_unsigned()) {
    const auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) || static_cast<std::int64_t>(u) > hi ||
        static_cast<std::int64_t>(u) < lo)
      fail(path, what, j);
    return static_cast<std::int64_t>(u);
  }
  if (!j.is_number_integer()) fail(path, what, j);
  const auto v = j.get<std::int64_t>();
  if (v < lo || v > hi) fail(path, what, j);
  return v;
}

std::uint64_t unsigned_integer(const nlohmann::json& j, const std::string& path) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (j.is_number_integer() && j.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(j.get<std::int64_t>());
  fail(path, "an unsigned 64-bit integer", j);
}

double number(const nlohmann::json& j, const std::string& path, double lo, double hi) {
  std::string what = "a finite number";
  if (lo > -std::numeric_limits<double>::max() || hi < std::numeric_limits<double>::max())
    what += " in [" + nlohmann::json(lo).dump() + ", " + nlohmann::json(hi).dump() + "]";
  if (!j.is_number()) fail(path, what, j);
  const double v = j.get<double>();
  if (!std::isfinite(v) || v < lo || v > hi) fail(path, what, j);
  return v;
}

std::string string(const nlohmann::json& j, const std::string& path, bool allow_empty) {
  if (!j.is_string()) fail(path, allow_empty ? "a string" : "a non-empty string", j);
  auto s = j.get<std::string>();
  if (!allow_empty && s.empty()) fail(path, "a non-empty string", j);
  return s;
}

bool boolean(const nlohmann::json& j, const std::string& path) {
  if (!j.is_boolean()) fail(path, "true or false", j);
  return j.get<bool>();
}

std::string malformed_document_message() {
  try {
    throw;
  } catch (const nlohmann::json::exception& e) {
    return e.what();
  } catch (const IntegerOutOfRange& e) {
    return e.what();
  }
}

}  // namespace pelnas::json_fields
