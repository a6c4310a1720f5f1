#pragma once
// `--config FILE` for any pelnas subcommand: the TOML keys are the subcommand's long option names
// ("generations = 10", "llm-model = ..." or "[llm] model = ..."); flags given on the command line
// override the file. Values go through the same CLI11 conversions and validators as flags, and
// through a config::Schema derived from the options, so errors name file:line, the key and what
// is allowed.
//
// Use in a subcommand:
//   std::string config_path;
//   pelnas::add_config_option(cmd, config_path);
//   cmd->callback([&, cmd] {
//     if (!config_path.empty()) pelnas::apply_config_file(config_path, cmd);
//     nlohmann::json resolved = pelnas::resolved_options(*cmd);  // write to the run directory
//     ...
//   });
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <map>
#include <string>

#include "common/config_schema.h"

namespace pelnas {

void add_config_option(CLI::App* cmd, std::string& path);
// Where --config PATH is looked for, in order: PATH itself, then (when relative) under the source
// tree and PREFIX/share/pelnas (the shipped examples/).
std::vector<std::string> config_file_candidates(const std::string& given);

// The schema of a subcommand's configurable options: key = long option name, type from the
// option (flag -> bool, INT/UINT -> integer, FLOAT -> number, multi-valued -> list), default from
// the captured default string, range and choices from CLI::Range / CLI::IsMember validators.
// Skips --help, --config, --json and options without a long name.
config::Schema schema_from_app(const CLI::App& cmd);

// Reads the TOML file and sets every option the command line did not set. Throws
// pelnas::InputError(file, line, ...) for syntax errors, unknown keys, wrong types and values
// out of range. Returns the values taken from the file (canonical keys); `lines`, if given,
// receives the line of each key taken from the file.
nlohmann::json apply_config_file(const std::string& path, CLI::App* cmd, std::map<std::string, long>* lines = nullptr);

// For checks that run after the file is applied (values checked together, files it names): an
// Error whose message names "--KEY" for a KEY taken from the config file is rethrown as an
// InputError(path, line of KEY, message); any other error is rethrown unchanged.
[[noreturn]] void rethrow_with_config_line(const std::string& path, const std::map<std::string, long>& lines);

// Every configurable option's final value (command line, else config file, else default), typed
// by schema_from_app; options without a value are left out. This is the resolved configuration.
nlohmann::json resolved_options(const CLI::App& cmd);

}  // namespace pelnas
