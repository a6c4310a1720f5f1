#pragma once
// Subcommands register themselves (every src/cli/*.cpp is compiled into the executable, so the
// static registrars are kept). Each adds a CLI11 subcommand with its own options and callback.
// Callbacks throw pelnas::Error for user errors; main() prints them and exits with code 2.
#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pelnas::cli {

using CommandSetup = std::function<void(CLI::App& root)>;

struct CommandRegistry {
  static std::vector<std::pair<int, CommandSetup>>& setups();
  // `order` sets the position in --help.
  static bool add(int order, CommandSetup setup);
};

// Options every data-reading command shares.
struct DataOptions {
  std::optional<std::string> data_dir;
};
void add_data_option(CLI::App* cmd, DataOptions& opts);
// --json: one JSON document on stdout instead of a table.
void add_json_flag(CLI::App* cmd, bool& json);
// --objectives accuracy,latency,energy (a TOML list in --config files).
void add_objectives_option(CLI::App* cmd, std::vector<std::string>& objectives);
// Applies --objectives to (metric, extra metrics): the first cost becomes the metric. An explicit
// --metric that is not the first cost is refused. Throws pelnas::Error listing the valid names.
void apply_objectives(const std::vector<std::string>& objectives, bool metric_given, std::string& metric,
                      std::vector<std::string>& extra_metrics);

}  // namespace pelnas::cli

#define PELNAS_CLI_CONCAT2(a, b) a##b
#define PELNAS_CLI_CONCAT(a, b) PELNAS_CLI_CONCAT2(a, b)
#define PELNAS_REGISTER_COMMAND(order, fn) \
  static const bool PELNAS_CLI_CONCAT(pelnas_cmd_registered_, __LINE__) = ::pelnas::cli::CommandRegistry::add(order, fn)
