// knowledge/history.jsonl (run/knowledge_log.h): what readers get back is what the search held at
// every generation; resume drops later lines; older runs' knowledge/gen_<ggg>.json still read and
// reported the same; a damaged line is an error naming file and line.
#include "run/knowledge_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fmt/format.h>

#include "common/error.h"
#include "report/run_data.h"
#include "report/run_report.h"
#include "run/run_directory.h"
#include "run/run_state_store.h"
#include "run/search_run.h"
#include "search/operator.h"
#include "search/pelnas_checkpoint.h"
#include "test_support.h"

namespace pelnas {
namespace {

namespace fs = std::filesystem;

RunConfig config() {
  RunConfig c;
  c.seed = 5;
  c.data_dir = test::data_dir();
  return c;
}

// The knowledge bases the saved state holds after generation `g` (a run stopped there): read back
// from checkpoint.json + journal.jsonl, independently of the history file.
std::vector<KnowledgeBase> held_after(int g, const std::string& dir) {
  RunHooks stop;
  stop.stop_after_generation = g;
  start_search_run(config(), dir, stop);
  auto d = RunDirectory::open(dir);
  RunStateStore store(d);
  std::vector<KnowledgeBase> out;
  for (const auto& n : store.load(false).search.niches) out.push_back(n.knowledge);
  return out;
}

std::vector<KnowledgeBase> knowledge_of(const KnowledgeSnapshot& snap) {
  std::vector<KnowledgeBase> out;
  for (const auto& n : snap) out.push_back(KnowledgeBase::from_json(n->at("knowledge")));
  return out;
}

// What an older pelnas wrote: knowledge/gen_<ggg>.json with every niche at every generation.
void rewrite_as_old_format(const std::string& dir) {
  for (const auto& [g, snap] : read_knowledge_history(dir)) {
    nlohmann::json niches = nlohmann::json::array();
    for (const auto& n : snap) niches.push_back(*n);
    test::write_file(dir + fmt::format("/knowledge/gen_{:03}.json", g),
                     nlohmann::json{{"generation", g}, {"niches", niches}}.dump(2) + "\n");
  }
  fs::remove(dir + "/" + KnowledgeLog::kFile);
}

std::string report_html(const std::string& dir) {
  std::string html = report::render_run_report(report::RunData::load(dir), test::data());
  for (auto p = html.find(dir); p != std::string::npos; p = html.find(dir, p)) html.replace(p, dir.size(), "RUN");
  return html;
}

std::string knowledge_section(const std::string& html) {
  const auto from = html.find("<section class=\"knowledge\"");
  const auto to = html.find("</section>", from);
  return from == std::string::npos || to == std::string::npos ? std::string() : html.substr(from, to - from);
}

TEST(KnowledgeLog, WritesChangedNichesOnlyAndReadersCarryTheOthersForward) {
  const std::string path = test::temp_dir("khist_unit") + "/r";
  const auto dir = RunDirectory::create(path);
  KnowledgeLog log(dir);
  log.keep_until(-1, 0);
  std::vector<NicheDescription> descs(3);
  for (int k = 0; k < 3; ++k) {
    descs[k].name = "n" + std::to_string(k);
    descs[k].constraint = "c" + std::to_string(k);
  }
  std::vector<NicheRecord> niches(3);
  EXPECT_EQ(log.append(0, descs, niches), 3u);  // the first line: every niche, empty or not
  EXPECT_EQ(log.append(1, descs, niches), 0u);  // nothing changed: no line
  niches[1].knowledge.positive.push_back({"edge 1<-0: prefer skip_connect (3 of 4)", {"|a|"}, 2});
  EXPECT_EQ(log.append(2, descs, niches), 1u);
  niches[1].knowledge.positive[0].round = 3;  // any field counts as a change
  niches[2].knowledge.negative.push_back({"edge 2<-1: avoid none", {}, 3});
  EXPECT_EQ(log.append(3, descs, niches), 2u);
  const auto lines = parse_knowledge_log(test::read_file(path + "/" + KnowledgeLog::kFile), "h");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].generation, 2);
  EXPECT_EQ(lines[1].niches[0]["niche"], 1);
  EXPECT_EQ(lines[1].niches[0]["name"], "n1");
  EXPECT_EQ(lines[1].niches[0]["constraint"], "c1");
  const auto history = read_knowledge_history(path, 5);  // the run went on to generation 5
  ASSERT_EQ(history.size(), 6u);
  std::vector<std::vector<KnowledgeBase>> expect(6, std::vector<KnowledgeBase>(3));
  expect[2][1].positive.push_back({"edge 1<-0: prefer skip_connect (3 of 4)", {"|a|"}, 2});
  for (int g = 3; g <= 5; ++g) {
    expect[g][1].positive.push_back({"edge 1<-0: prefer skip_connect (3 of 4)", {"|a|"}, 3});
    expect[g][2].negative.push_back({"edge 2<-1: avoid none", {}, 3});
  }
  for (int g = 0; g <= 5; ++g) EXPECT_EQ(knowledge_of(history.at(g)), expect[g]) << g;
  EXPECT_EQ(history.at(5)[0], history.at(0)[0]);  // an unchanged niche's object is shared, not copied
  // Resuming after generation 2 drops generation 3's line; the writer then knows the file's state.
  KnowledgeLog resumed(dir);
  resumed.keep_until(2, 3);
  EXPECT_EQ(parse_knowledge_log(test::read_file(path + "/" + KnowledgeLog::kFile), "h").size(), 2u);
  niches[1].knowledge.positive[0].round = 2;
  niches[2].knowledge.negative.clear();
  EXPECT_EQ(resumed.append(3, descs, niches), 0u);
}

TEST(KnowledgeLog, HistoryEqualsWhatTheSearchHeldAtEveryGeneration) {
  const std::string base = test::temp_dir("khist_roundtrip");
  start_search_run(config(), base + "/full");
  const auto history = read_knowledge_history(base + "/full");
  ASSERT_EQ(history.size(), 11u);  // generations 0-10
  for (int g = 0; g <= 10; ++g) {
    SCOPED_TRACE(g);
    const auto held = held_after(g, base + "/stop" + std::to_string(g));
    ASSERT_EQ(held.size(), 6u);
    EXPECT_EQ(knowledge_of(history.at(g)), held);
  }
  // Each line holds exactly the niches that changed since the line before (the first: all).
  const auto lines = parse_knowledge_log(test::read_file(base + "/full/" + KnowledgeLog::kFile), "history");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front().generation, 0);
  EXPECT_EQ(lines.front().niches.size(), 6u);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto before = knowledge_of(history.at(lines[i].generation - 1));
    const auto after = knowledge_of(history.at(lines[i].generation));
    std::size_t changed = 0;
    for (std::size_t k = 0; k < after.size(); ++k) changed += !(before[k] == after[k]);
    EXPECT_EQ(lines[i].niches.size(), changed) << "generation " << lines[i].generation;
    EXPECT_GT(changed, 0u);
  }
  for (int g = 1; g <= 10; ++g) {  // a generation without a line changed nothing
    bool has_line = false;
    for (const auto& l : lines) has_line |= l.generation == g;
    if (!has_line) { EXPECT_EQ(knowledge_of(history.at(g)), knowledge_of(history.at(g - 1))); }
  }
}

TEST(KnowledgeLog, ResumeDropsLinesAfterTheCheckpointAndATornLine) {
  const std::string base = test::temp_dir("khist_resume");
  start_search_run(config(), base + "/full");
  RunHooks stop;
  stop.stop_after_generation = 4;
  start_search_run(config(), base + "/part", stop);
  const std::string file = base + "/part/" + KnowledgeLog::kFile;
  // As if killed after writing generation 5's line (before its checkpoint) and midway through 6's.
  const std::string full = test::read_file(base + "/full/" + KnowledgeLog::kFile);
  std::string text = test::read_file(file);
  text += R"({"generation":5,"niches":[{"niche":0,"name":"x","constraint":"y","knowledge":{"positive":[],"negative":[]}}]})" "\n";
  text += R"({"generation":6,"niches":[{"niche":0,"na)";
  test::write_file(file, text);
  EXPECT_EQ(read_knowledge_history(base + "/part").rbegin()->first, 5);  // a reader skips the torn line
  EXPECT_TRUE(resume_search_run(base + "/part").finished);
  EXPECT_EQ(test::read_file(file), full);
}

TEST(KnowledgeLog, MalformedLineIsAnErrorNamingFileAndLine) {
  const std::string base = test::temp_dir("khist_malformed");
  RunHooks stop;
  stop.stop_after_generation = 4;
  start_search_run(config(), base + "/run", stop);
  const std::string file = base + "/run/" + KnowledgeLog::kFile;
  const auto lines = test::lines_of(test::read_file(file));
  ASSERT_GE(lines.size(), 3u);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"generation\":1,\"niches\":[", "malformed JSON line"},
      {R"({"generation":"one","niches":[]})", "generation: expected an integer"},
      {R"({"generation":1,"niches":[{"niche":0,"name":"a","constraint":"b","knowledge":{"positive":7}}]})", "niches[0].knowledge"},
      {R"({"generation":0,"niches":[]})", "generation: expected more than 0"},
      {R"({"generation":1,"niches":[{"niche":2147483647,"name":"a","constraint":"b","knowledge":{}}]})", ""},
  };
  for (const auto& [bad, message] : cases) {
    SCOPED_TRACE(bad);
    std::string text = lines[0] + "\n" + bad + "\n";
    for (std::size_t i = 2; i < lines.size(); ++i) text += lines[i] + "\n";
    test::write_file(file, text);
    const std::string expect = file + ":2: ";
    if (!message.empty()) {  // a line a reader accepts (a niche index it does not check) ...
      const std::string read_error = test::error_of([&] { report::RunData::load(base + "/run"); });
      EXPECT_NE(read_error.find(expect), std::string::npos) << read_error;
      EXPECT_NE(read_error.find(message), std::string::npos) << read_error;
    }
    // ... but not a resume, which knows the run's 6 niches.
    const std::string resume_error = test::error_of([&] { resume_search_run(base + "/run"); });
    EXPECT_NE(resume_error.find(expect), std::string::npos) << resume_error;
    EXPECT_NE(resume_error.find(message.empty() ? "niches[0].niche: expected a niche index in [0, 6), got 2147483647" : message),
              std::string::npos) << resume_error;
    EXPECT_THROW(resume_search_run(base + "/run"), InputError);
    EXPECT_EQ(test::read_file(file), text);  // nothing dropped by the refused resume
  }
}

TEST(KnowledgeLog, OlderRunsWithGenerationFilesAreReportedTheSame) {
  const std::string base = test::temp_dir("khist_old");
  start_search_run(config(), base + "/new");
  fs::copy(base + "/new", base + "/old", fs::copy_options::recursive);
  rewrite_as_old_format(base + "/old");
  ASSERT_TRUE(fs::exists(base + "/old/knowledge/gen_010.json"));
  ASSERT_FALSE(fs::exists(base + "/old/" + std::string(KnowledgeLog::kFile)));
  const auto a = read_knowledge_history(base + "/new"), b = read_knowledge_history(base + "/old");
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [g, snap] : a) EXPECT_EQ(knowledge_of(snap), knowledge_of(b.at(g))) << g;
  const std::string html = report_html(base + "/new");
  ASSERT_NE(knowledge_section(html).find("since generation"), std::string::npos);
  EXPECT_TRUE(report_html(base + "/old") == html);  // the whole page, byte for byte

  // An older run stopped after generation 4 and resumed by this version: gen_000-004.json, then
  // the history file from generation 5 (its first line holding every niche); read as one history.
  RunHooks stop;
  stop.stop_after_generation = 4;
  start_search_run(config(), base + "/mixed", stop);
  rewrite_as_old_format(base + "/mixed");
  test::write_file(base + "/mixed/knowledge/gen_005.json", "{\"generation\": 5}");  // written after the checkpoint
  EXPECT_TRUE(resume_search_run(base + "/mixed").finished);
  EXPECT_FALSE(fs::exists(base + "/mixed/knowledge/gen_005.json"));
  const auto lines = parse_knowledge_log(test::read_file(base + "/mixed/" + KnowledgeLog::kFile), "history");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front().generation, 5);
  EXPECT_EQ(lines.front().niches.size(), 6u);
  const auto c = read_knowledge_history(base + "/mixed");
  ASSERT_EQ(c.size(), a.size());
  for (const auto& [g, snap] : a) EXPECT_EQ(knowledge_of(snap), knowledge_of(c.at(g))) << g;
  // The same knowledge history shown (the wall time of a resumed run differs).
  EXPECT_TRUE(knowledge_section(report_html(base + "/mixed")) == knowledge_section(html));
}

}  // namespace
}  // namespace pelnas
