#pragma once
// Configuration files: a schema of options (key, type, default, range or choices, help) that
// reads TOML (tomlplusplus), validates every value and resolves defaults <- file <- overrides
// (command-line flags) into one JSON object, the resolved configuration a run records.
// Errors name the file, the TOML line, the key and what is allowed, e.g.
//   run.toml:4: key 'generations': 0 is out of range; allowed: integer in [1, 1000]
#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pelnas::config {

enum class ValueType { Bool, Int, Double, String, StringList };
std::string to_string(ValueType t);

struct OptionSpec {
  std::string key;                 // dotted for TOML tables: "llm.model" == [llm] model = ...
  ValueType type = ValueType::String;
  nlohmann::json default_value;    // null = no default (absent unless set)
  std::optional<double> min, max;  // inclusive numeric range (Int, Double)
  std::vector<std::string> choices;  // allowed strings (String, StringList); empty = any
  std::string help;

  // "integer in [1, 1000]", "one of: llm, evolution", "true or false", ...
  std::string allowed() const;
};

// Where a value came from, for the resolved configuration and for error messages.
struct ValueOrigin {
  std::string source;  // "default", "<file>", "command line"
  long line = 0;       // TOML line, 0 when not from a file
};

class Schema {
 public:
  Schema& add(OptionSpec spec);  // throws pelnas::Error on a duplicate key or a default outside its range
  // Keys match with '-', '_' and '.' treated alike: generations-per-niche == generations_per_niche,
  // llm.model ([llm] model = ...) == llm-model (the flag --llm-model).
  const OptionSpec* find(const std::string& key) const;
  const std::vector<OptionSpec>& options() const { return options_; }

  // Checks one value against its spec; throws pelnas::InputError(file, line, "key 'k': ...").
  // Integral doubles are accepted for Int; integers are accepted for Double.
  nlohmann::json validate(const std::string& key, const nlohmann::json& value, const std::string& file = "",
                          long line = 0) const;

  // Parses TOML text into {key: value} for the keys present, flattening tables into dotted keys.
  // Unknown keys, wrong types and out-of-range values are InputErrors naming file and line.
  // If `lines` is given it receives the TOML line of every key.
  nlohmann::json parse_toml(const std::string& text, const std::string& file_name,
                            std::map<std::string, long>* lines = nullptr) const;
  nlohmann::json read_toml_file(const std::string& path, std::map<std::string, long>* lines = nullptr) const;

  // defaults, then `file_values`, then `overrides` (each validated). Keys without a default that
  // were never set are left out.
  nlohmann::json resolve(const nlohmann::json& file_values, const nlohmann::json& overrides = nlohmann::json::object()) const;

  // A Markdown table of the options (key, type, default, allowed, help) for docs and --help.
  std::string describe() const;

 private:
  std::vector<OptionSpec> options_;
  const std::string& find_or_throw(const std::string& key) const;
};

// Renders a resolved configuration (flat dotted keys) back as TOML, grouped into tables; the
// output parses back to the same values with Schema::parse_toml (a round trip the tests check).
std::string to_toml(const nlohmann::json& flat);
std::string normalise_key(const std::string& key);

}  // namespace pelnas::config
