#pragma once
// "Did you mean ...?" for a command line CLI11 rejected: walks the arguments through the command
// tree as CLI11 would (options of a command and of its parents, which take global flags anywhere)
// and names the first unknown subcommand or option with its closest known spelling.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace pelnas::cli {

// A message like "unknown command 'serach' (did you mean 'search'?)", or "" when every word of the
// command line is known (the error is then about something else, e.g. a missing value).
std::string explain_unknown_word(CLI::App& root, const std::vector<std::string>& args);

}  // namespace pelnas::cli
