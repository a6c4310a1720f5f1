// Every subcommand (and nested subcommand) answers --help with exit code 0, and lists its options
// with their defaults (CLI11 shows them as "TYPE=default", enabled by always_capture_default in main).
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "test_support.h"

namespace pelnas {
namespace {

// Names listed under "Subcommands:" in a help text.
std::vector<std::string> subcommands_of(const std::string& help) {
  std::vector<std::string> out;
  const auto p = help.find("Subcommands:");
  if (p == std::string::npos) return out;
  std::istringstream in(help.substr(p));
  std::string line;
  std::getline(in, line);
  static const std::regex entry(R"(^  ([a-z][a-z0-9-]*)\s)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, entry)) out.push_back(m[1].str());
  }
  return out;
}

// Numeric options a command leaves unset on purpose (no default to show): keep this list short.
const std::set<std::string> kNumericWithoutDefault = {"proxies --sample", "proxies --limit"};

void check_help(const std::vector<std::string>& path, int& checked, int& defaults_seen) {
  std::vector<std::string> args = path;
  args.push_back("--help");
  const auto r = test::run_cli(args);
  std::string name;
  for (const auto& p : path) name += (name.empty() ? "" : " ") + p;
  ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
  EXPECT_NE(r.out.find("Usage:"), std::string::npos) << name;
  EXPECT_NE(r.out.find("Options:"), std::string::npos) << name;
  ++checked;
  // "  --name TYPE[:validator]=default   description": the type region ends at the first double space.
  static const std::regex numeric(R"(^\s+(?:-\w,)?(--[a-z0-9-]+) ((?:U?INT|FLOAT).*?)(?:  |$))");
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.find('=') != std::string::npos && line.find("  -") == 0) ++defaults_seen;
    if (!std::regex_search(line, m, numeric)) continue;
    const std::string key = name + " " + m[1].str();
    if (kNumericWithoutDefault.count(key)) continue;
    EXPECT_NE(m[2].str().find('='), std::string::npos) << key << " shows no default: " << line;
  }
  for (const auto& sub : subcommands_of(r.out)) {
    auto next = path;
    next.push_back(sub);
    check_help(next, checked, defaults_seen);
  }
}

TEST(CliHelp, EverySubcommandListsItsOptionsWithDefaults) {
  const auto root = test::run_cli({"--help"});
  ASSERT_EQ(root.exit_code, 0) << root.err;
  const auto subs = subcommands_of(root.out);
  for (const char* expected : {"search", "report", "export", "front"})
    EXPECT_NE(std::find(subs.begin(), subs.end(), expected), subs.end()) << expected;
  int checked = 0, defaults_seen = 0;
  for (const auto& s : subs) check_help({s}, checked, defaults_seen);
  EXPECT_GE(checked, static_cast<int>(subs.size()));
  EXPECT_GT(defaults_seen, 10);
  // A few defaults by value.
  const auto search = test::run_cli({"search", "--help"}).out;
  EXPECT_NE(search.find("--generations INT:INT in [-1 - 100000]=-1"), std::string::npos) << search;
  EXPECT_NE(search.find("--dataset TEXT=cifar10"), std::string::npos);
  EXPECT_NE(search.find("--seed UINT=0"), std::string::npos);
  const auto exp = test::run_cli({"export", "--help"}).out;
  EXPECT_NE(exp.find("--pick TEXT=knee"), std::string::npos) << exp;
  EXPECT_NE(exp.find("=json"), std::string::npos) << exp;
}

}  // namespace
}  // namespace pelnas
