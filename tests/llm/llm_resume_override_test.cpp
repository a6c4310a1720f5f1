// `pelnas search --resume DIR --llm-base-url URL`: the LLM endpoint of a killed run can be moved
// (it was silently ignored before): the resumed run asks the new server, records the override in
// config.json and in the run_resumed event, and ends as the uninterrupted run would.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "llm/fake_chat_server.h"
#include "space/arch.h"
#include "test_support.h"

namespace pelnas {
namespace {

using test::FakeChatServer;
using test::ScriptedReply;

// A deterministic stand-in model for the conv3x3 partition: fixed rules, and the lowest-coded
// cells of the niche that the prompt does not mention yet.
std::function<ScriptedReply(const nlohmann::json&)> model() {
  return [](const nlohmann::json& req) {
    const std::string text = test::request_text(req);
    if (text.find("Task: revise") != std::string::npos)
      return ScriptedReply::ok(R"({"positive": [{"rule": "keep nor_conv_3x3 on edge 3<-0", "evidence": []}], "negative": []})", 100, 20);
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(R"RE(Niche "conv3x3(=|>=)([0-9])")RE"))) return ScriptedReply::ok("?");
    const int k = std::stoi(m[2]);
    const bool at_least = m[1] == ">=";
    nlohmann::json kids = nlohmann::json::array();
    for (int code = 0; code < kNumArchs && kids.size() < 5; ++code) {
      const Arch a = Arch::from_lex_code(code);
      const int c = a.count(Op::Conv3x3);
      if ((at_least ? c >= k : c == k) && text.find(a.str()) == std::string::npos)
        kids.push_back({{"architecture_code", a.str()}, {"rationale", "next unseen"}});
    }
    return ScriptedReply::ok(nlohmann::json{{"children", kids}}.dump(), 100, 40);
  };
}

TEST(LlmResume, BaseUrlGivenWithResumeIsAppliedRecordedAndUsed) {
  const std::string root = test::temp_dir("llm_resume");
  std::vector<std::string> args = {"search", "--partition", "conv3x3", "--generations", "2", "--seed", "4", "--operator", "llm",
                                   "--llm-model", "test-model", "--llm-timeout", "3", "--llm-concurrency", "1", "--data", test::data_dir()};
  auto with = [&](std::vector<std::string> extra) {
    auto a = args;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::vector<std::string> env = {"PELNAS_LLM_API_KEY=sk-test-resume"};
  {
    FakeChatServer full;
    full.set_fallback(model());
    auto r = test::run_cli(with({"--out", root + "/full", "--llm-base-url", full.base_url()}), env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  {
    FakeChatServer first;
    first.set_fallback(model());
    auto r = test::run_cli(with({"--out", root + "/moved", "--llm-base-url", first.base_url(), "--stop-after-generation", "1"}), env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }  // the first endpoint is gone
  FakeChatServer second;
  second.set_fallback(model());
  auto r = test::run_cli({"search", "--resume", root + "/moved", "--llm-base-url", second.base_url(), "--json"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(second.request_count(), 0u);
  const auto config = nlohmann::json::parse(test::read_file(root + "/moved/config.json"));
  EXPECT_EQ(config["search"]["operator_options"]["base_url"], second.base_url());
  const std::string events = test::read_file(root + "/moved/events.jsonl");
  EXPECT_NE(events.find("\"overrides\":{\"operator_options.base_url\":\"" + second.base_url() + "\"}"), std::string::npos) << events;
  for (const char* f : {"archive.csv", "front.csv"})
    EXPECT_EQ(test::read_file(root + "/moved/" + f), test::read_file(root + "/full/" + f)) << f;
}

}  // namespace
}  // namespace pelnas
