// Runs every ```sh block of README.md as a user would, from a scratch working directory with nothing
// in it (no examples/, no data, no $PELNAS_DATA: pelnas finds its shipped files and the data itself)
// and the built pelnas on PATH, so the README cannot rot.
// Blocks fenced as ```sh-notest need a live LLM, the official HW-NAS-Bench file or a fresh machine.
#include <gtest/gtest.h>
#include "pelnas_build_paths.h"

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "test_support.h"

namespace pelnas {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> readme_sh_blocks() {
  const std::string readme = test::read_file(std::string(PELNAS_SOURCE_DIR) + "/README.md");
  std::vector<std::string> blocks;
  std::size_t pos = 0;
  while ((pos = readme.find("```sh\n", pos)) != std::string::npos) {
    const std::size_t start = pos + 6;
    const std::size_t end = readme.find("```", start);
    if (end == std::string::npos) break;
    blocks.push_back(readme.substr(start, end - start));
    pos = end + 3;
  }
  return blocks;
}

TEST(ReadmeCommands, EveryShellBlockRunsAndProducesItsFiles) {
  const auto blocks = readme_sh_blocks();
  ASSERT_GE(blocks.size(), 4u) << "README.md lost its ```sh blocks";
  const std::string work = test::temp_dir("readme");
  const std::string bin_dir = fs::path(PELNAS_CLI_PATH).parent_path().string();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string script = work + "/block" + std::to_string(i) + ".sh";
    // $PELNAS_DATA only when the test run itself was given one (a machine whose data is elsewhere).
    const char* env_data = std::getenv("PELNAS_DATA");
    const std::string data_line = env_data && *env_data ? "export PELNAS_DATA='" + std::string(env_data) + "'\n" : "unset PELNAS_DATA\n";
    test::write_file(script, "set -eu\nexport PATH='" + bin_dir + "':\"$PATH\"\n" + data_line +
                                 "export PELNAS_PROXY_CACHE='" + work + "/proxies.sqlite'\nset -x\n" + blocks[i]);
    const std::string log = script + ".log";
    const int rc = std::system(("cd '" + work + "' && bash '" + script + "' > '" + log + "' 2>&1").c_str());
    ASSERT_EQ(rc, 0) << "README sh block " << i << " failed:\n" << blocks[i] << "\n--- output ---\n" << test::read_file(log);
  }
  // What the blocks promise to leave behind.
  for (const char* f : {"eyeriss_energy_front.csv", "fpga-s1.html", "best_net.py", "runs/fpga-s1/summary.json",
                        "runs/raspi4/config.json", "bench-small/summary.md", "bench-small.html", "ablation/results.csv",
                        "predictor-c10.json", "paper-exact/summary.md"})
    EXPECT_TRUE(fs::exists(fs::path(work) / f)) << f;
  const std::string front = test::read_file(work + "/eyeriss_energy_front.csv");
  EXPECT_EQ(front.rfind("dataset,cost_metric", 0), 0u) << front.substr(0, 200);
  const std::string cfg = test::read_file(work + "/runs/raspi4/config.json");
  EXPECT_NE(cfg.find("\"generations\": 3"), std::string::npos) << "flag must override the TOML file";
}

}  // namespace
}  // namespace pelnas
