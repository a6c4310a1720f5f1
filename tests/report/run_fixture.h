#pragma once
// A real finished run for report/export tests: `pelnas search` (evolution operator, table
// accuracy) run once per test process into a temporary directory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "test_support.h"

namespace pelnas::test {

// The report tests' `pelnas search`: CIFAR-10 on the FPGA, the evolution operator, table accuracy.
inline std::vector<std::string> report_search_args(const std::string& out, int seed, int generations) {
  return {"search", "--dataset", "cifar10", "--device", "fpga", "--seed", std::to_string(seed), "--generations",
          std::to_string(generations), "--operator", "evolution", "--data", data_dir(), "--out", out};
}

inline const std::string& shared_run_dir() {
  static const std::string dir = [] {
    const std::string d = temp_dir("run") + "/run";
    auto r = run_cli(report_search_args(d, 3, 4));
    if (r.exit_code != 0) {
      ADD_FAILURE() << "pelnas search failed: " << r.err;
      return std::string();
    }
    return d;
  }();
  return dir;
}

inline bool have_python3() { return std::system("python3 -c 'import ast' >/dev/null 2>&1") == 0; }

}  // namespace pelnas::test
