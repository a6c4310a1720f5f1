#include "common/config_schema.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace pelnas::config {
namespace {

Schema search_schema() {
  Schema s;
  s.add({"generations", ValueType::Int, 10, 1.0, 1000.0, {}, "generations of the loop"});
  s.add({"temperature", ValueType::Double, 0.7, 0.0, 2.0, {}, "sampling temperature"});
  s.add({"operator", ValueType::String, "evolution", std::nullopt, std::nullopt, {"llm", "evolution"}, "variation operator"});
  s.add({"no-partition", ValueType::Bool, false, std::nullopt, std::nullopt, {}, "one niche"});
  s.add({"llm-model", ValueType::String, nullptr, std::nullopt, std::nullopt, {}, "model name"});
  s.add({"devices", ValueType::StringList, nlohmann::json::array({"fpga"}), std::nullopt, std::nullopt, {}, "devices"});
  return s;
}

std::string error_of(const Schema& s, const std::string& toml) {
  try {
    s.parse_toml(toml, "run.toml");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConfigSchema, ParsesTablesAndAliasesIntoCanonicalKeys) {
  const Schema s = search_schema();
  std::map<std::string, long> lines;
  auto v = s.parse_toml("generations = 12\ntemperature = 1\nno_partition = true\n\n[llm]\nmodel = \"gpt-4.1\"\n",
                        "run.toml", &lines);
  EXPECT_EQ(v.at("generations"), 12);
  EXPECT_DOUBLE_EQ(v.at("temperature").get<double>(), 1.0);  // an integer is accepted for a number
  EXPECT_EQ(v.at("no-partition"), true);
  EXPECT_EQ(v.at("llm-model"), "gpt-4.1");
  EXPECT_EQ(lines.at("llm-model"), 6);
  EXPECT_EQ(lines.at("no-partition"), 3);
}

TEST(ConfigSchema, ErrorsNameFileLineKeyAndAllowedRange) {
  const Schema s = search_schema();
  std::string e = error_of(s, "# comment\n\ngenerations = 0\n");
  EXPECT_NE(e.find("run.toml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("'generations'"), std::string::npos) << e;
  EXPECT_NE(e.find("integer in [1, 1000]"), std::string::npos) << e;

  e = error_of(s, "generations = 5\ngenrations = 5\n");
  EXPECT_NE(e.find("run.toml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'genrations'"), std::string::npos) << e;
  EXPECT_NE(e.find("generations, temperature"), std::string::npos) << e;  // lists the valid keys

  e = error_of(s, "operator = \"gpt\"\n");
  EXPECT_NE(e.find("one of: llm, evolution"), std::string::npos) << e;
  e = error_of(s, "generations = \"ten\"\n");
  EXPECT_NE(e.find("expected an integer"), std::string::npos) << e;
  e = error_of(s, "generations = 2.5\n");
  EXPECT_NE(e.find("expected an integer"), std::string::npos) << e;
  e = error_of(s, "temperature = nan\n");
  EXPECT_NE(e.find("not a finite number"), std::string::npos) << e;
  e = error_of(s, "devices = [\"fpga\", 3]\n");
  EXPECT_NE(e.find("list of strings"), std::string::npos) << e;
  e = error_of(s, "generations = 5\n[llm]\nmodel = \"a\"\nx = [\n");
  EXPECT_NE(e.find("TOML syntax error"), std::string::npos) << e;
  EXPECT_NE(e.find("run.toml:"), std::string::npos) << e;
  e = error_of(s, "llm_model = \"a\"\n[llm]\nmodel = \"b\"\n");
  EXPECT_NE(e.find("first set on line 1"), std::string::npos) << e;
}

TEST(ConfigSchema, ResolveLayersDefaultsFileAndFlags) {
  const Schema s = search_schema();
  auto file = s.parse_toml("generations = 20\noperator = \"llm\"\n", "run.toml");
  auto r = s.resolve(file, {{"generations", 3}});
  EXPECT_EQ(r.at("generations"), 3);          // flag over file
  EXPECT_EQ(r.at("operator"), "llm");         // file over default
  EXPECT_DOUBLE_EQ(r.at("temperature").get<double>(), 0.7);  // default
  EXPECT_FALSE(r.contains("llm-model"));      // no default, never set
  EXPECT_THROW(s.resolve(file, {{"generations", 5000}}), Error);
  EXPECT_THROW(s.resolve(file, {{"nope", 1}}), Error);
}

TEST(ConfigSchema, TomlRenderingRoundTrips) {
  const Schema s = search_schema();
  nlohmann::json r = s.resolve(nlohmann::json::object(), {{"llm-model", "m \"q\""}, {"temperature", 1.0}});
  nlohmann::json back = s.parse_toml(to_toml(r), "rendered.toml");
  EXPECT_EQ(back, r) << to_toml(r);
}

TEST(ConfigSchema, RejectsBadSchemas) {
  Schema s;
  s.add({"a", ValueType::Int, 1, 0.0, 2.0, {}, ""});
  EXPECT_THROW(s.add({"a", ValueType::Int, 1, {}, {}, {}, ""}), Error);
  EXPECT_THROW(s.add({"b", ValueType::Int, 5, 0.0, 2.0, {}, ""}), Error);  // default out of its range
  EXPECT_EQ(s.options().size(), 1u);
  EXPECT_NE(s.describe().find("| `a` | integer | `1` | integer in [0, 2] |"), std::string::npos) << s.describe();
}

}  // namespace
}  // namespace pelnas::config
