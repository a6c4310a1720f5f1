// LLM text shown by `pelnas report` stays inert. A search whose (fake, local) model answers with
// rules, evidence and rationales full of <script>, javascript: URLs and attribute-breaking quotes;
// the report of that run must be well-formed XHTML with no script-capable element, no event-handler
// attribute and no javascript: URL, and must still show the text (as text).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <mutex>
#include <regex>
#include <set>

#include "llm/fake_chat_server.h"
#include "report/xml_check.h"
#include "space/arch.h"
#include "test_support.h"

namespace pelnas {
namespace {

namespace xml = pelnas::test::xml;
using test::FakeChatServer;
using test::ScriptedReply;

const std::string kPayload =
    "<script>alert('rule')</script><iframe src=\"javascript:alert(1)\"></iframe>"
    "<a href=\"javascript:alert(2)\">x</a><img src=x onerror=alert(3)>\" onmouseover=\"alert(4)' onfocus='alert(5)";

std::function<ScriptedReply(const nlohmann::json&)> hostile_model() {
  struct State {
    std::mutex mutex;
    std::set<Arch> given;
  };
  auto st = std::make_shared<State>();
  return [st](const nlohmann::json& req) {
    const std::string text = test::request_text(req);
    if (text.find("Task: revise") != std::string::npos)
      return ScriptedReply::ok(nlohmann::json{{"positive", {{{"rule", "do " + kPayload}, {"evidence", {kPayload}}}}},
                                              {"negative", {"avoid " + kPayload}}}
                                   .dump());
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(R"RE(Niche "conv3x3(=|>=)([0-9])")RE"))) return ScriptedReply::ok("?");
    const int k = std::stoi(m[2]);
    const bool at_least = m[1] == ">=";
    std::lock_guard lock(st->mutex);
    nlohmann::json kids = nlohmann::json::array();
    for (int code = 0; code < kNumArchs && kids.size() < 5; ++code) {
      const Arch a = Arch::from_lex_code(code);
      const int c = a.count(Op::Conv3x3);
      if ((at_least ? c >= k : c == k) && !st->given.count(a) && text.find(a.str()) == std::string::npos) {
        st->given.insert(a);
        kids.push_back({{"architecture_code", a.str()}, {"rationale", "because " + kPayload}});
      }
    }
    return ScriptedReply::ok(nlohmann::json{{"children", kids}}.dump());
  };
}

TEST(ReportInertness, LlmTextInEveryShownFieldIsInert) {
  const std::string root = test::temp_dir("report_inert");
  const std::string run = root + "/run", out = root + "/report.html";
  {
    FakeChatServer server;
    server.set_fallback(hostile_model());
    const auto r = test::run_cli({"search", "--dataset", "cifar10", "--device", "fpga", "--partition", "conv3x3", "--generations",
                                  "2", "--seed", "4", "--operator", "llm", "--llm-model", "test-model", "--llm-base-url",
                                  server.base_url(), "--llm-timeout", "10", "--data", test::data_dir(), "--out", run});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // The payload really is in the run's files (so the report has it to show).
  bool in_files = false;
  for (const auto& e : std::filesystem::directory_iterator(run + "/knowledge"))
    in_files = in_files || test::read_file(e.path().string()).find("onmouseover") != std::string::npos;
  EXPECT_TRUE(in_files);
  const auto rep = test::run_cli({"report", run, "-o", out, "--data", test::data_dir()});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  const std::string html = test::read_file(out);
  std::unique_ptr<xml::Node> page;
  ASSERT_NO_THROW(page = xml::parse(html)) << "the report is not well-formed";
  // Nothing the payload tried to inject exists as markup.
  int shown = 0;
  page->walk([&](const xml::Node& n) {
    for (const char* tag : {"script", "iframe", "object", "embed", "form", "base", "img"})
      if (n.name == tag) ADD_FAILURE() << "element <" << n.name << "> in the report";
    for (const auto& [name, value] : n.attrs) {
      std::string lower = value;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      EXPECT_NE(name.rfind("on", 0), 0u) << "event-handler attribute " << name << "=" << value;
      EXPECT_EQ(lower.find("javascript:"), std::string::npos) << name << "=" << value;
    }
    if (n.text.find(kPayload) != std::string::npos) ++shown;
  });
  // The rules were shown, verbatim, as text.
  EXPECT_GT(shown, 0);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace pelnas
