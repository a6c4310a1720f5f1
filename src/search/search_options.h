#pragma once
// Reads a search's options from JSON: typed fields with defaults; any key the search does not know
// is an error naming the key and listing the valid ones (a typo must not silently use a default).
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace pelnas {

class JsonOptionReader {
 public:
  // `owner` names the options in errors, e.g. "rea options". Throws unless `j` is an object (null = {}).
  JsonOptionReader(std::string owner, const nlohmann::json& j);
  int get_int(const std::string& key, int fallback);
  double get_double(const std::string& key, double fallback);
  // Throws pelnas::Error naming the first key that no get_*() asked for.
  void finish() const;

 private:
  const nlohmann::json* find(const std::string& key);
  std::string owner_;
  nlohmann::json j_;
  std::set<std::string> known_;
};

}  // namespace pelnas
