#pragma once
// Shared test helpers: where the benchmark data is, and running the pelnas CLI (or another program)
// as a user would.
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/benchmark_data.h"

namespace pelnas::test {

// ../shared/data next to the source tree (or $PELNAS_DATA).
std::string data_dir();
// The process-wide loaded tables.
std::shared_ptr<const BenchmarkData> data();
// A fresh empty temporary directory, removed at process exit.
std::string temp_dir(const std::string& tag);

struct CliResult {
  int exit_code = -1;  // 128 + the signal when the program was killed
  std::string out, err;
};
// Runs the built pelnas executable with these arguments (no shell), capturing stdout and stderr.
// `env`: extra "NAME=value" entries.
CliResult run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {});
// The same for any program (argv[0] is its path).
CliResult run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
// {path of the pelnas executable, args...}
std::vector<std::string> cli_argv(const std::vector<std::string>& args);
// Starts a program (argv[0] its path) in the background, stdin from /dev/null, stdout and stderr
// into these files ("" = /dev/null; the same path twice = one file holding both); returns its pid,
// for waitpid or kill.
pid_t spawn_program(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& out_path,
                    const std::string& err_path);

// The command that runs a Python fixture of tests/fixtures/evaluator/ (e.g. "fake_evaluator.py")
// as an external evaluator (`pelnas search --evaluator CMD`).
std::string evaluator_fixture_command(const std::string& script);
// The lines of a text, without their newlines.
std::vector<std::string> lines_of(const std::string& text);

std::string read_file(const std::string& path);
// The message of the pelnas::Error that f throws, or "" when it throws none.
std::string error_of(const std::function<void()>& f);
void write_file(const std::string& path, const std::string& text);

}  // namespace pelnas::test
