// `--config FILE`: a TOML file applied to a command with every kind of option (integer with a
// range, float, choice, flag, string, list). Parses or fails with pelnas::Error (file:line).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "run/config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/pelnas_fuzz_config_" + std::to_string(::getpid()) + ".toml";
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  CLI::App app("fuzz");
  auto* cmd = app.add_subcommand("search", "fuzzed command");
  int generations = 10;
  double timeout = 1.5;
  std::string metric = "latency", model;
  bool replay = false;
  std::vector<std::string> algos;
  std::string config;
  pelnas::add_config_option(cmd, config);
  cmd->add_option("--generations", generations, "n")->check(CLI::Range(0, 100000))->capture_default_str();
  cmd->add_option("--llm-timeout", timeout, "s")->check(CLI::Range(0.0, 3600.0))->capture_default_str();
  cmd->add_option("--metric", metric, "m")->check(CLI::IsMember({"latency", "energy"}))->capture_default_str();
  cmd->add_option("--llm-model", model, "model");
  cmd->add_flag("--llm-replay", replay, "flag");
  cmd->add_option("--algos", algos, "list");
  try {
    std::map<std::string, long> lines;
    pelnas::apply_config_file(path, cmd, &lines);
    (void)pelnas::resolved_options(*cmd).dump();
  } catch (const pelnas::Error&) {
  }
  return 0;
}
