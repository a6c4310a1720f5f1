// for_each_json_line: what the journal and the knowledge history read with. Complete lines in
// order with their numbers and ends; a torn last line (a kill mid-write) is not read and the end
// returned is where it starts; a bad line, or an error from the visitor, names file and line.
#include "common/json_lines.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace pelnas {
namespace {

TEST(JsonLines, VisitsCompleteLinesAndStopsBeforeATornOne) {
  const std::string text = "{\"a\":1}\n[2,3]\n{\"cut\":";
  std::vector<long> lines;
  std::vector<std::size_t> ends;
  std::vector<nlohmann::json> values;
  const std::size_t end = for_each_json_line(text, "f.jsonl", "line", [&](nlohmann::json& j, long line, std::size_t e) {
    values.push_back(j);
    lines.push_back(line);
    ends.push_back(e);
  });
  EXPECT_EQ(values, (std::vector<nlohmann::json>{{{"a", 1}}, {2, 3}}));
  EXPECT_EQ(lines, (std::vector<long>{1, 2}));
  EXPECT_EQ(ends, (std::vector<std::size_t>{8, 14}));
  EXPECT_EQ(end, 14u);
  EXPECT_EQ(text.substr(end), "{\"cut\":");
  EXPECT_EQ(for_each_json_line("", "f.jsonl", "line", [](nlohmann::json&, long, std::size_t) { FAIL(); }), 0u);
}

TEST(JsonLines, ABadLineOrAVisitorErrorNamesFileAndLine) {
  try {
    for_each_json_line("{}\n{oops}\n{}\n", "run/journal.jsonl", "record (an edited or damaged journal)",
                       [](nlohmann::json&, long, std::size_t) {});
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("run/journal.jsonl:2: ", 0), 0u) << what;
    EXPECT_NE(what.find("malformed JSON record (an edited or damaged journal)"), std::string::npos) << what;
  }
  try {
    for_each_json_line("{}\n{}\n{\"x\":1}\n", "k.jsonl", "line", [](nlohmann::json& j, long, std::size_t) {
      if (j.contains("x")) throw Error("x: unknown field");
    });
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("k.jsonl:3: ", 0), 0u) << what;
    EXPECT_NE(what.find("x: unknown field"), std::string::npos) << what;
  }
}

TEST(JsonLines, ANumberTooLargeForADoubleIsAMalformedLineNotACrash) {
  // nlohmann::json reports 1e999 as out_of_range.406, not as a parse_error: found by fuzz_checkpoint
  // in CI (an uncaught exception, std::terminate). It is malformed input like any other.
  for (const std::string bad : {"{\"generation\":1e999}", "[88888888888888888888888888888888888888e400]", "-1e999"}) {
    SCOPED_TRACE(bad);
    try {
      for_each_json_line("{}\n" + bad + "\n", "h.jsonl", "line", [](nlohmann::json&, long, std::size_t) {});
      FAIL() << "no error";
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind("h.jsonl:2: malformed JSON line", 0), 0u) << what;
      EXPECT_NE(what.find("number overflow"), std::string::npos) << what;
    }
  }
}

}  // namespace
}  // namespace pelnas
