#include "run/config_file.h"
#include "pelnas_build_paths.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "test_support.h"

namespace pelnas {
namespace {

struct Fixture {
  CLI::App app{"t"};
  CLI::App* cmd = nullptr;
  int generations = 10;
  double temperature = 0.7;
  std::string op = "evolution";
  bool no_partition = false;
  std::vector<std::string> devices{"fpga"};
  std::string config;
  Fixture() {
    app.option_defaults()->always_capture_default();
    cmd = app.add_subcommand("search", "");
    cmd->add_option("--generations", generations, "generations")->check(CLI::Range(1, 100));
    cmd->add_option("--temperature", temperature, "temperature")->check(CLI::Range(0.0, 2.0));
    cmd->add_option("--operator", op, "operator")->check(CLI::IsMember({"llm", "evolution"}));
    cmd->add_flag("--no-partition", no_partition, "one niche");
    cmd->add_option("--devices", devices, "devices");
    add_config_option(cmd, config);
  }
  void parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());
    app.parse(args);
    if (!config.empty()) apply_config_file(config, cmd);
  }
};

std::string write_toml(const std::string& text) {
  const std::string path = test::temp_dir("cfg") + "/run.toml";
  test::write_file(path, text);
  return path;
}

TEST(ConfigFile, SchemaComesFromTheOptions) {
  Fixture f;
  auto schema = schema_from_app(*f.cmd);
  const auto* g = schema.find("generations");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->type, config::ValueType::Int);
  EXPECT_EQ(g->default_value, 10);
  EXPECT_EQ(g->min, 1.0);
  EXPECT_EQ(g->max, 100.0);
  const auto* o = schema.find("operator");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->choices, (std::vector<std::string>{"llm", "evolution"}));
  EXPECT_EQ(schema.find("no_partition")->type, config::ValueType::Bool);
  EXPECT_EQ(schema.find("devices")->type, config::ValueType::StringList);
  EXPECT_EQ(schema.find("devices")->default_value, nlohmann::json::array({"fpga"}));
  EXPECT_EQ(schema.find("config"), nullptr);
}

TEST(ConfigFile, FileSetsOptionsAndFlagsOverrideIt) {
  Fixture f;
  const std::string path =
      write_toml("generations = 20\ntemperature = 1.5\noperator = \"llm\"\nno-partition = true\ndevices = [\"raspi4\", \"pixel3\"]\n");
  f.parse({"search", "--config", path, "--generations", "7"});
  EXPECT_EQ(f.generations, 7);  // the flag wins
  EXPECT_DOUBLE_EQ(f.temperature, 1.5);
  EXPECT_EQ(f.op, "llm");
  EXPECT_TRUE(f.no_partition);
  EXPECT_EQ(f.devices, (std::vector<std::string>{"raspi4", "pixel3"}));
  auto resolved = resolved_options(*f.cmd);
  EXPECT_EQ(resolved.at("generations"), 7);
  EXPECT_DOUBLE_EQ(resolved.at("temperature").get<double>(), 1.5);
  EXPECT_EQ(resolved.at("operator"), "llm");
  EXPECT_EQ(resolved.at("no-partition"), true);
  EXPECT_EQ(resolved.at("devices"), nlohmann::json::array({"raspi4", "pixel3"}));
}

TEST(ConfigFile, ResolvedOptionsWithoutFileAreTheDefaultsAndFlags) {
  Fixture f;
  f.parse({"search", "--no-partition", "--operator", "llm"});
  auto resolved = resolved_options(*f.cmd);
  EXPECT_EQ(resolved.at("generations"), 10);
  EXPECT_EQ(resolved.at("no-partition"), true);
  EXPECT_EQ(resolved.at("operator"), "llm");
  EXPECT_DOUBLE_EQ(resolved.at("temperature").get<double>(), 0.7);
}

TEST(ConfigFile, BadValuesNameTheLineKeyAndRange) {
  auto error_of = [](const std::string& toml) {
    Fixture f;
    try {
      f.parse({"search", "--config", write_toml(toml)});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  std::string e = error_of("operator = \"llm\"\ngenerations = 0\n");
  EXPECT_NE(e.find("run.toml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("'generations'"), std::string::npos) << e;
  EXPECT_NE(e.find("[1, 100]"), std::string::npos) << e;
  e = error_of("\nseed = 3\n");
  EXPECT_NE(e.find("run.toml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'seed'"), std::string::npos) << e;
  e = error_of("operator = \"random\"\n");
  EXPECT_NE(e.find("one of: llm, evolution"), std::string::npos) << e;
  e = error_of("temperature = 3.5\n");
  EXPECT_NE(e.find("number in [0, 2]"), std::string::npos) << e;
}

}  // namespace
}  // namespace pelnas

namespace pelnas {
namespace {

TEST(ConfigFileCli, SearchReadsTheFileAndFlagsOverrideIt) {
  const std::string dir = test::temp_dir("cfgcli");
  test::write_file(dir + "/run.toml",
                   "# a pelnas search configuration\ndataset = \"cifar10\"\ndevice = \"eyeriss\"\nseed = 5\ngenerations = 2\n"
                   "seeds-per-niche = 3\n");
  auto r = test::run_cli({"search", "--config", dir + "/run.toml", "--seed", "7", "--data", test::data_dir(), "--out",
                          dir + "/run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto cfg = nlohmann::json::parse(test::read_file(dir + "/run/config.json"));
  EXPECT_EQ(cfg.at("seed"), 7);           // the flag wins
  EXPECT_EQ(cfg.at("device"), "eyeriss");  // from the file
  EXPECT_EQ(cfg["search"].at("generations"), 2);
  EXPECT_EQ(cfg["search"].at("seeds_per_niche"), 3);
  // The resolved options are recorded with the run.
  EXPECT_EQ(cfg["cli"].at("generations"), 2);
  EXPECT_EQ(cfg["cli"].at("seed"), 7);

  test::write_file(dir + "/bad.toml", "device = \"fpga\"\n\ngenerations = -3\n");
  r = test::run_cli({"search", "--config", dir + "/bad.toml", "--data", test::data_dir(), "--out", dir + "/bad"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.toml:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'generations'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[-1, 100000]"), std::string::npos) << r.err;
  test::write_file(dir + "/typo.toml", "generation = 3\n");
  r = test::run_cli({"search", "--config", dir + "/typo.toml", "--data", test::data_dir(), "--out", dir + "/typo"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("typo.toml:1: unknown key 'generation'"), std::string::npos) << r.err;
}

// Values that pass their key's own check but fail later (checked together, or looked up in a
// registry) still name the file and line they came from; a flag's error stays a flag's error.
TEST(ConfigFileCli, LaterErrorsNameTheLineOfTheirKey) {
  const std::string dir = test::temp_dir("cfglate");
  struct Case {
    std::string toml, where, names;
  };
  for (const auto& c : {Case{"seed = 1\nhv-ref = \"0,1\"\n", "late.toml:2", "--hv-ref"},
                        Case{"device = \"nodev\"\n", "late.toml:1", "unknown device 'nodev'"},
                        Case{"\ndataset = \"cifar11\"\n", "late.toml:2", "unknown dataset 'cifar11'"},
                        Case{"operator-options = \"[1]\"\n", "late.toml:1", "--operator-options"}}) {
    test::write_file(dir + "/late.toml", c.toml);
    auto r = test::run_cli({"search", "--config", dir + "/late.toml", "--data", test::data_dir(), "--out", dir + "/late"});
    EXPECT_EQ(r.exit_code, 2) << c.toml;
    EXPECT_NE(r.err.find(c.where), std::string::npos) << c.toml << " gave: " << r.err;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << c.toml << " gave: " << r.err;
  }
  test::write_file(dir + "/ok.toml", "seed = 1\n");
  auto r = test::run_cli({"search", "--config", dir + "/ok.toml", "--hv-ref", "0,1", "--data", test::data_dir(), "--out",
                          dir + "/flag"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("ok.toml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--hv-ref"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pelnas

namespace pelnas {
namespace {

TEST(ConfigFileCli, TheShippedExampleConfigRuns) {
  const std::string dir = test::temp_dir("cfgexample");
  const std::string example = std::string(PELNAS_SOURCE_DIR) + "/examples/search.toml";
  auto r = test::run_cli({"search", "--config", example, "--generations", "1", "--data", test::data_dir(), "--out", dir + "/run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto cfg = nlohmann::json::parse(test::read_file(dir + "/run/config.json"));
  EXPECT_EQ(cfg.at("device"), "fpga");
  EXPECT_EQ(cfg["search"].at("operator"), "evolution");
  EXPECT_EQ(cfg["search"].at("generations"), 1);
  EXPECT_EQ(cfg["cli"].at("partition"), "paper");
}

}  // namespace
}  // namespace pelnas
