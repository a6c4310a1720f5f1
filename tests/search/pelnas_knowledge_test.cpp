// Knowledge base rendering/JSON, operator statistics and the operator registry.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "search/knowledge_base.h"
#include "search/operator.h"

namespace pelnas {
namespace {

KnowledgeBase sample() {
  KnowledgeBase kb;
  kb.positive.push_back({"put nor_conv_3x3 on edge 3<-0", {"|a|", "|b|"}, 2});
  kb.positive.push_back({"keep a skip_connect on 3<-0", {}, 1});
  kb.negative.push_back({"avoid none on 1<-0", {"|c|"}, 3});
  return kb;
}

TEST(KnowledgeBase, JsonRoundTrip) {
  const KnowledgeBase kb = sample();
  const KnowledgeBase back = KnowledgeBase::from_json(nlohmann::json::parse(kb.to_json().dump()));
  ASSERT_EQ(back.positive.size(), 2u);
  ASSERT_EQ(back.negative.size(), 1u);
  EXPECT_EQ(back.positive[0].text, kb.positive[0].text);
  EXPECT_EQ(back.positive[0].evidence, kb.positive[0].evidence);
  EXPECT_EQ(back.positive[0].round, 2);
  EXPECT_EQ(back.negative[0].evidence, (std::vector<std::string>{"|c|"}));
  EXPECT_EQ(back.to_json(), kb.to_json());
}

TEST(KnowledgeBase, RenderNumbersRulesPerPolarity) {
  const std::string text = sample().render();
  EXPECT_NE(text.find("Positive rules (do):\n  1. put nor_conv_3x3 on edge 3<-0"), std::string::npos) << text;
  EXPECT_NE(text.find("  2. keep a skip_connect on 3<-0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Negative rules (avoid):\n  1. avoid none on 1<-0 [evidence: 1 architecture(s), round 3]"), std::string::npos) << text;
  EXPECT_NE(KnowledgeBase{}.render().find("(none yet)"), std::string::npos);
  EXPECT_TRUE(KnowledgeBase{}.empty());
}

TEST(KnowledgeBase, BadJsonNamesTheField) {
  auto expect_error = [](const std::string& doc, const std::string& needle) {
    try {
      KnowledgeBase::from_json(nlohmann::json::parse(doc));
      ADD_FAILURE() << "no error for " << doc;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error(R"([1])", "expected a JSON object");
  expect_error(R"({"positive": {}})", "'positive' must be an array");
  expect_error(R"({"negative": [{"text": 3}]})", "negative[0].text");
  expect_error(R"({"positive": [{"text": "x", "evidence": [1]}]})", "positive[0].evidence");
  expect_error(R"({"positive": [{"text": "x", "round": "two"}]})", "positive[0].round");
  expect_error(R"({"positve": []})", "unknown field 'positve'");
}

TEST(OperatorStats, ToJson) {
  OperatorStats s;
  s.add("calls", 3);
  s.add("rejected:outside_niche");
  s.prompt_tokens = 100;
  s.completion_tokens = 7;
  const auto j = s.to_json();
  EXPECT_EQ(j["counters"]["calls"], 3);
  EXPECT_EQ(j["counters"]["rejected:outside_niche"], 1);
  EXPECT_EQ(j["prompt_tokens"], 100);
  EXPECT_EQ(j["completion_tokens"], 7);
}

TEST(OperatorRegistry, BuiltinsAndUnknownNames) {
  auto& reg = OperatorRegistry::instance();
  const auto names = reg.names();
  EXPECT_NE(std::find(names.begin(), names.end(), "evolution"), names.end());
  EXPECT_EQ(reg.make("evolution", nlohmann::json::object())->name(), "evolution");
  try {
    reg.make("telepathy", nlohmann::json::object());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("valid: evolution"), std::string::npos) << e.what();
  }
  EXPECT_THROW(reg.make("evolution", {{"crossover_probabilty", 0.5}}), Error);
}

}  // namespace
}  // namespace pelnas
