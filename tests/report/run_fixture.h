#pragma once
// A real finished run for report/export tests: `pelnas search` (evolution operator, table
// accuracy) run once per test process into a temporary directory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "test_support.h"

namespace pelnas::test {

inline const std::string& shared_run_dir() {
  static const std::string dir = [] {
    const std::string d = temp_dir("run") + "/run";
    auto r = run_cli({"search", "--dataset", "cifar10", "--device", "fpga", "--seed", "3", "--generations", "4",
                      "--operator", "evolution", "--data", data_dir(), "--out", d});
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
