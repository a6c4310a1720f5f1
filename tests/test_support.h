#pragma once
// Shared test helpers: where the benchmark data is, and running the pelnas CLI as a user would.
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
  int exit_code = -1;
  std::string out, err;
};
// Runs the built pelnas executable with these arguments (no shell), capturing stdout and stderr.
CliResult run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

std::string read_file(const std::string& path);
// The message of the pelnas::Error that f throws, or "" when it throws none.
std::string error_of(const std::function<void()>& f);
void write_file(const std::string& path, const std::string& text);

}  // namespace pelnas::test
