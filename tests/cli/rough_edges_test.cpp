// The rough edges a new user hits (issue 10): typos get a suggestion, global flags work anywhere,
// and a search that fails before it starts leaves nothing behind.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/did_you_mean.h"
#include "pelnas_build_paths.h"
#include "evaluate/accuracy_sources.h"
#include "test_support.h"

namespace pelnas {
namespace {

namespace fs = std::filesystem;

TEST(CliSuggest, EditDistanceAndClosestMatch) {
  EXPECT_EQ(edit_distance("serach", "search"), 1u);  // one transposition
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(closest_match("serach", {"front", "search", "bench"}), "search");
  EXPECT_EQ(closest_match("--generaions", {"--generations", "--budget"}), "--generations");
  EXPECT_EQ(closest_match("rep", {"report", "runs"}), "report");  // a prefix
  EXPECT_EQ(closest_match("xyzzy", {"front", "search"}), "");     // nothing plausible
}

TEST(CliSuggest, UnknownCommandsAndOptionsNameTheClosestSpelling) {
  auto r = test::run_cli({"serach"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'serach' for 'pelnas' (did you mean 'search'?)"), std::string::npos) << r.err;
  r = test::run_cli({"search", "--generaions", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown option '--generaions' for 'pelnas search' (did you mean '--generations'?)"),
            std::string::npos)
      << r.err;
  r = test::run_cli({"data", "arhc", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'arhc' for 'pelnas data' (did you mean 'arch'?)"), std::string::npos) << r.err;
  // An option value is not mistaken for a command, and an unknown word after valid options is found.
  r = test::run_cli({"front", "--device", "fpga", "--datset", "cifar10", "--data=" + test::data_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean '--dataset'?"), std::string::npos) << r.err;
  // Nothing close: no suggestion, still exit 2.
  r = test::run_cli({"qqqqqq"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;
}

TEST(CliGlobalFlags, VerboseIsAcceptedAnywhere) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"-v", "front", "--device", "fpga"}, {"front", "-v", "--device", "fpga"}, {"front", "--device", "fpga", "--verbose"}}) {
    auto a = args;
    a.push_back("--data=" + test::data_dir());
    const auto r = test::run_cli(a);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_NE(r.out.find("True Pareto front"), std::string::npos);
  }
}

// LibTorch (and XGBoost, with the OpenMP under both) load only when needed: commands that compute
// no proxies map none of their libraries, and a missing plugin is a clear error of the command that
// needs it.
// NSGA-II runs through the pagmo plugin, opened on first use: a bench with nsga2 loads it and scores
// (the same fronts again on a second run); without the plugin the error names it and the variable.
TEST(CliStartup, Nsga2LoadsThePagmoPluginOnDemand) {
  const std::string dir = test::temp_dir("pagmo-plugin");
  const std::vector<std::string> args = {"bench", "--algos", "nsga2", "--devices", "fpga", "--seeds", "1", "--budget", "40",
                                         "--data=" + test::data_dir(), "--json"};
  auto with_out = [&](const std::string& out) {
    auto a = args;
    a.insert(a.end(), {"--out", out});
    return a;
  };
  const auto r = test::run_cli(with_out(dir + "/grid"), {"LD_DEBUG=files"});
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  EXPECT_NE(r.err.find("libpelnas_pagmo.so"), std::string::npos);
  const auto plain = test::run_cli(with_out(dir + "/grid2"));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_GT(nlohmann::json::parse(plain.out)["cells"][0]["hv_ratio"]["mean"].get<double>(), 0.0);
  EXPECT_EQ(test::read_file(dir + "/grid/fronts.csv"), test::read_file(dir + "/grid2/fronts.csv"));
  const auto missing = test::run_cli(with_out(dir + "/grid3"), {"PELNAS_PAGMO_PLUGIN=/nonexistent/libpelnas_pagmo.so"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("/nonexistent/libpelnas_pagmo.so: no such file"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("PELNAS_PAGMO_PLUGIN"), std::string::npos) << missing.err;
}

TEST(CliStartup, CommandsWithoutProxiesLoadNeitherLibTorchNorXGBoost) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--version"}, {"front", "--device", "fpga"}}) {
    auto a = args;
    if (a[0] == "front") a.push_back("--data=" + test::data_dir());
    const auto r = test::run_cli(a, {"LD_DEBUG=files"});
    ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
    ASSERT_NE(r.err.find("calling init:"), std::string::npos) << "LD_DEBUG gave no trace";
    // nor pagmo2 (its static initialisers were most of --version's start-up), nor what it pulls in
    for (const char* lib : {"libtorch", "libc10", "libxgboost", "libgomp", "libpelnas_torch", "libpagmo", "libpelnas_pagmo",
                            "libtbb", "libboost_serialization"})
      EXPECT_EQ(r.err.find(lib), std::string::npos) << args[0] << " loaded " << lib;
  }
  const auto r = test::run_cli({"proxies", "--sample", "1", "--data=" + test::data_dir()},
                               {"PELNAS_TORCH_PLUGIN=/nonexistent/libpelnas_torch.so"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/libpelnas_torch.so: no such file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("PELNAS_TORCH_PLUGIN"), std::string::npos) << r.err;
}

// The search's progress line on a terminal (util-linux `script` gives the run a pseudo-terminal):
// drawn from the start without a made-up HV ratio, with an ETA, and every log line printed above it
// (the line is cleared first), never into it.
TEST(CliProgress, TheSearchBarHasAnEtaAndLogLinesNeverBreakIt) {
  if (std::system("command -v script > /dev/null 2>&1") != 0) GTEST_SKIP() << "util-linux script not installed";
  const std::string dir = test::temp_dir("progress");
  const std::string cmd = std::string("'") + PELNAS_CLI_PATH + "' search --generations 2 --out '" + dir +
                          "/run' --data='" + test::data_dir() + "'";
  const std::string typescript = dir + "/tty.txt";
  ASSERT_EQ(std::system(("script -qec \"" + cmd + "\" '" + typescript + "' > /dev/null 2>&1").c_str()), 0)
      << test::read_file(typescript);
  const std::string tty = test::read_file(typescript);
  const auto first_bar = tty.find("generation 0/2");
  ASSERT_NE(first_bar, std::string::npos) << tty;
  EXPECT_NE(tty.find("HV ratio -", first_bar), std::string::npos) << "no HV ratio before a generation is scored";
  EXPECT_NE(tty.find("ETA "), std::string::npos) << tty;
  EXPECT_EQ(tty.find("HV ratio 0.0000"), std::string::npos) << tty;
  // Each log line starts on a cleared line ("\r\033[K" then the log line), never after bar text.
  std::size_t logs = 0;
  for (std::size_t p = tty.find(" evaluations, HV ratio "); p != std::string::npos; p = tty.find(" evaluations, HV ratio ", p + 1)) {
    ++logs;
    const std::size_t cleared = tty.rfind("\r\033[K", p), newline = tty.rfind('\n', p);
    std::size_t bol = 0;
    if (cleared != std::string::npos) bol = cleared + 4;
    if (newline != std::string::npos) bol = std::max(bol, newline + 1);
    const std::string head = tty.substr(bol, p - bol);
    EXPECT_EQ(head.find("ETA"), std::string::npos) << "a log line inside the progress line: " << head;
    EXPECT_NE(head.find("generation "), std::string::npos) << head;
  }
  EXPECT_EQ(logs, 3u) << tty;  // generations 0, 1, 2
}

TEST(CliFailedStart, ABadSearchLeavesNoRunDirectoryAndTheFixedCommandThenWorks) {
  const std::string run = test::temp_dir("failed_start") + "/run";
  const std::string data = "--data=" + test::data_dir();
  auto r = test::run_cli({"search", "--device", "fgpa", "--out", run, "--generations", "1", data});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown device 'fgpa'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(run)) << "a failed start must leave nothing";
  r = test::run_cli({"search", "--device", "fpga", "--accuracy", "oracle", "--out", run, "--generations", "1", data});
  EXPECT_EQ(r.exit_code, 2) << "an unknown accuracy source";
  EXPECT_FALSE(fs::exists(run));
  r = test::run_cli({"search", "--device", "fpga", "--out", run, "--generations", "1", data});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(run + "/summary.json"));
}

TEST(CliHiddenKnobs, TestHooksAreNoTomlKeysAndEveryAccuracyValueIsDocumented) {
  const std::string dir = test::temp_dir("hidden_knobs");
  test::write_file(dir + "/run.toml", "generations = 1\nstop-after-generation = 0\n");
  auto r = test::run_cli({"search", "--config", dir + "/run.toml", "--out", dir + "/run", "--data=" + test::data_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("run.toml:2"), std::string::npos) << r.err;
  const auto keys = r.err.find("valid keys:");
  ASSERT_NE(keys, std::string::npos) << r.err;
  EXPECT_NE(r.err.find("generations", keys), std::string::npos) << r.err;
  for (const char* hidden : {"stop", "delay"}) EXPECT_EQ(r.err.find(hidden, keys), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/run"));
  // --accuracy's help names every accuracy source the search accepts.
  r = test::run_cli({"search", "--help"});
  ASSERT_EQ(r.exit_code, 0);
  const auto help = r.out.substr(r.out.find("--accuracy"));
  for (const auto& name : accuracy_source_names()) EXPECT_NE(help.find(" " + name + ": "), std::string::npos) << name << help;
}

}  // namespace
}  // namespace pelnas
