#include "llm/prompt_template.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "llm/json_extract.h"
#include "test_support.h"

namespace pelnas::llm {
namespace {

using test::error_of;

TEST(PromptTemplate, RendersPlaceholders) {
  PromptTemplate t("Niche {{name}}: {{ constraint }}.\nAgain {{name}}.", "inline");
  EXPECT_EQ(t.placeholders(), (std::vector<std::string>{"name", "constraint"}));
  EXPECT_EQ(t.render({{"name", "A"}, {"constraint", "one conv"}}), "Niche A: one conv.\nAgain A.");
  // Values are inserted literally, never re-expanded.
  EXPECT_EQ(t.render({{"name", "{{constraint}}"}, {"constraint", "x"}}), "Niche {{constraint}}: x.\nAgain {{constraint}}.");
}

TEST(PromptTemplate, MissingAndUnusedPlaceholdersAreNamed) {
  PromptTemplate t("a {{x}} b {{y}}", "file.md");
  const auto missing = error_of([&] { t.render({{"x", "1"}}); });
  EXPECT_NE(missing.find("{{y}}"), std::string::npos) << missing;
  EXPECT_NE(missing.find("file.md"), std::string::npos) << missing;
  const auto unused = error_of([&] { t.render({{"x", "1"}, {"y", "2"}, {"z", "3"}}); });
  EXPECT_NE(unused.find("{{z}}"), std::string::npos) << unused;
}

// render(values, offered): offered values fill the placeholders the template has and may go unused
// (NB201's templates spell the space out, FBNet's take {{space_description}}); required values stay
// strict; a name given in both maps is an error naming it.
TEST(PromptTemplate, OfferedValuesFillUsedPlaceholdersAndMayGoUnused) {
  const std::map<std::string, std::string> offered = {{"space_description", "22 layers"}, {"example", "k3_e1-..."}};
  PromptTemplate uses_one("{{space_description}}; niche {{name}}", "fbnet.md");
  EXPECT_EQ(uses_one.render({{"name", "A"}}, offered), "22 layers; niche A");
  PromptTemplate uses_none("niche {{name}}", "nb201.md");
  EXPECT_EQ(uses_none.render({{"name", "A"}}, offered), "niche A");
  EXPECT_EQ(uses_none.render({{"name", "A"}}, {}), uses_none.render({{"name", "A"}}));
  // Offered values are inserted literally too.
  EXPECT_EQ(uses_one.render({{"name", "{{example}}"}}, offered), "22 layers; niche {{example}}");
  // Still strict about what the program must supply and about values nobody uses.
  const auto missing = error_of([&] { uses_one.render({}, offered); });
  EXPECT_NE(missing.find("{{name}}"), std::string::npos) << missing;
  const auto unused = error_of([&] { uses_one.render({{"name", "A"}, {"extra", "x"}}, offered); });
  EXPECT_NE(unused.find("{{extra}}"), std::string::npos) << unused;
  const auto twice = error_of([&] { uses_one.render({{"name", "A"}, {"example", "x"}}, offered); });
  EXPECT_NE(twice.find("{{example}} given twice"), std::string::npos) << twice;
  EXPECT_NE(twice.find("fbnet.md"), std::string::npos) << twice;
  // Missing offered value for a used placeholder: named as missing.
  const auto not_offered = error_of([&] { uses_one.render({{"name", "A"}}, {{"example", "x"}}); });
  EXPECT_NE(not_offered.find("{{space_description}}"), std::string::npos) << not_offered;
}

TEST(PromptTemplate, SyntaxErrorsNameFileAndLine) {
  const auto open = error_of([] { PromptTemplate("line1\nline2 {{x", "t.md"); });
  EXPECT_NE(open.find("t.md:2"), std::string::npos) << open;
  const auto bad = error_of([] { PromptTemplate("{{a b}}", "t.md"); });
  EXPECT_NE(bad.find("t.md:1"), std::string::npos) << bad;
}

TEST(PromptTemplate, RepositoryTemplatesLoad) {
  const std::string dir = resolve_prompts_dir();
  for (const char* name : {"system", "knowledge_update", "guided_evolution", "corrective"}) {
    EXPECT_NO_THROW(PromptTemplate::load(dir, name)) << name;
  }
  const auto evolve = PromptTemplate::load(dir, "guided_evolution");
  for (const char* p : {"niche_constraint", "parents", "rules", "operation", "children_wanted", "seen"}) {
    EXPECT_NE(std::find(evolve.placeholders().begin(), evolve.placeholders().end(), p), evolve.placeholders().end()) << p;
  }
  const auto missing = error_of([&] { PromptTemplate::load(dir, "no_such_template"); });
  EXPECT_NE(missing.find("no_such_template.md"), std::string::npos);
}

TEST(PromptTemplate, PromptsFlagMustPointAtTemplates) {
  const std::string empty = test::temp_dir("prompts_empty");
  EXPECT_NE(error_of([&] { resolve_prompts_dir(empty); }).find(empty), std::string::npos);
}

TEST(ExtractJson, FindsJsonInPlainFencedAndProseAnswers) {
  EXPECT_EQ(extract_json(R"({"a": 1})")->at("a"), 1);
  EXPECT_EQ(extract_json("[1, 2]")->size(), 2u);
  EXPECT_EQ(extract_json("Sure! Here you go:\n```json\n{\"a\": 2}\n```\nEnjoy.")->at("a"), 2);
  EXPECT_EQ(extract_json("```\n[3]\n```")->at(0), 3);
  EXPECT_EQ(extract_json("I think {\"a\": \"}{ tricky\"} is best.")->at("a"), "}{ tricky");
  // Brackets in prose that are not JSON are skipped.
  EXPECT_EQ(extract_json("Edges [1<-0] and {none}: {\"ok\": true}")->at("ok"), true);
  EXPECT_FALSE(extract_json("no json here").has_value());
  EXPECT_FALSE(extract_json("{\"broken\": [1, 2}").has_value());
  EXPECT_FALSE(extract_json("42").has_value());  // a bare scalar is not an answer
}

}  // namespace
}  // namespace pelnas::llm
