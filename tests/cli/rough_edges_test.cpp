// The rough edges a new user hits (issue 10): typos get a suggestion, global flags work anywhere,
// and a search that fails before it starts leaves nothing behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/did_you_mean.h"
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

}  // namespace
}  // namespace pelnas
