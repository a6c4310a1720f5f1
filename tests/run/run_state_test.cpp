// The saved state of a run (checkpoint.json snapshot + journal.jsonl records): every field of a
// hand-edited or corrupted state is refused on --resume with exit code 2 and a message naming the
// file, the field and what was expected; checksums catch edits and damage; a torn last journal
// record (a kill mid-write) is dropped and the run still ends as the uninterrupted one; a second
// process resuming the same directory is refused; --resume refuses the options it cannot apply.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "common/checksum.h"
#include "run/run_directory.h"
#include "run/run_state_store.h"
#include "run/search_run.h"
#include "test_support.h"

namespace pelnas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

RunConfig config(std::uint64_t seed = 3) {
  RunConfig c;
  c.seed = seed;
  c.data_dir = test::data_dir();
  return c;
}

// A run stopped after generation 4 whose whole state is in checkpoint.json (journal compacted).
std::string stopped_run(const std::string& dir) {
  RunHooks stop;
  stop.stop_after_generation = 4;
  start_search_run(config(), dir, stop);
  auto d = RunDirectory::open(dir);
  RunStateStore store(d);
  store.compact(store.load());
  return dir;
}

json read_json(const std::string& path) { return json::parse(test::read_file(path)); }

// Writes a snapshot with a recomputed checksum: what a buggy writer (not a damaged disk) would leave.
void write_resealed(const std::string& dir, json doc) {
  doc["sha256"] = sha256_hex(doc["state"].dump());
  test::write_file(dir + "/checkpoint.json", doc.dump());
}

struct Edit {
  std::string name;
  std::function<void(json& state)> apply;
  std::string field;     // the message names it
  std::string expected;  // and says what was expected
};

std::vector<Edit> edits() {
  return {
      {"negative_generation", [](json& st) { st["search"]["generation"] = -2; }, "state.search.generation", "expected an integer >= 0"},
      {"generation_beyond_plan", [](json& st) { st["search"]["generation"] = 50; }, "search.generation", "expected a completed generation in [0, 30]"},
      {"member_index_zero", [](json& st) { st["search"]["niches"][0]["members"][0] = 0; }, "state.search.niches[0].members[0]",
       "expected an integer in [1, 15625]"},
      {"member_index_out_of_range", [](json& st) { st["search"]["niches"][1]["members"][0] = 18000; }, "state.search.niches[1].members[0]",
       "expected an integer in [1, 15625]"},
      {"member_beyond_archive", [](json& st) { st["search"]["niches"][1]["members"].back() = 1000; }, "search.niches[1].members",
       "expected an archive order in [1, 144]"},
      {"child_index_out_of_range", [](json& st) { st["search"]["niches"][2]["last_children"][0] = 500; }, "search.niches[2].last_children[0]",
       "expected an archive order in [1, 144]"},
      {"null_accuracy", [](json& st) { st["search"]["archive"][3]["accuracy"] = nullptr; }, "state.search.archive[3].accuracy",
       "expected a finite number"},
      {"string_counter", [](json& st) { st["search"]["counters"]["proposed"] = "5"; }, "state.search.counters.proposed",
       "expected an integer >= 0"},
      {"object_for_array", [](json& st) { st["search"]["niches"] = json{{"0", st["search"]["niches"][0]}}; }, "state.search.niches",
       "expected a JSON array"},
      {"duplicated_archive_entry",
       [](json& st) {
         auto& a = st["search"]["archive"];
         json dup = a[4];
         dup["order"] = 6;
         a[5] = dup;
       },
       "search.archive[5].arch", "appears twice"},
      {"big_niche_index", [](json& st) { st["search"]["archive"][2]["niche"] = 99; }, "search.archive[2].niche", "expected a niche in [0, 5]"},
      {"wrong_niche_index", [](json& st) { st["search"]["archive"][2]["niche"] = (st["search"]["archive"][2]["niche"].get<int>() + 1) % 6; },
       "search.archive[2].niche", "expected"},
      {"negative_event_count", [](json& st) { st["events"] = -1; }, "state.events", "expected an integer >= 0"},
      {"event_count_beyond_log", [](json& st) { st["events"] = 999; }, "state.events", "expected at most"},
      {"negative_operator_counter", [](json& st) { st["search"]["operator_stats"]["counters"]["calls"] = -3; },
       "state.search.operator_stats.counters.calls", "expected an integer >= 0"},
      {"empty_archive", [](json& st) { st["search"]["archive"] = json::array(); }, "search.archive", "got an empty archive"},
      {"all_zero_rng",
       [](json& st) {
         st["search"]["niches"][0]["rng"] =
             "0000000000000003:0000000000000000:0000000000000000:0000000000000000:0000000000000000";
       },
       "state.search.niches[0].rng", "all zero"},
      {"wrong_arch_index", [](json& st) { st["search"]["archive"][0]["index"] = (st["search"]["archive"][0]["index"].get<int>() + 1) % 15625; },
       "search.archive[0].index", "the NB201 index of"},
      {"wrong_cost", [](json& st) { st["search"]["archive"][0]["cost"] = 123.0; }, "search.archive[0].cost", "the device's cost"},
      {"missing_metric_row", [](json& st) { st["metrics"].erase(st["metrics"].size() - 1); }, "state.metrics", "one row per completed generation"},
      {"knowledge_round_in_future",
       [](json& st) {
         st["search"]["niches"][0]["knowledge"]["positive"] = json::array({{{"text", "x"}, {"evidence", json::array()}, {"round", 99}}});
       },
       "knowledge.positive[0].round", "expected a generation in [0, 4]"},
      {"unknown_field", [](json& st) { st["search"]["surprise"] = 1; }, "state.search.surprise", "unknown field"},
  };
}

TEST(RunState, EveryEditedFieldIsRefusedNamingFileFieldAndExpectation) {
  const std::string base = test::temp_dir("edits");
  const std::string original = stopped_run(base + "/original");
  for (const auto& edit : edits()) {
    SCOPED_TRACE(edit.name);
    const std::string dir = base + "/" + edit.name;
    fs::copy(original, dir, fs::copy_options::recursive);
    json doc = read_json(dir + "/checkpoint.json");
    edit.apply(doc["state"]);
    write_resealed(dir, doc);
    const std::string before = test::read_file(dir + "/checkpoint.json");
    const auto events_before = test::read_file(dir + "/events.jsonl");
    auto r = test::run_cli({"search", "--resume", dir});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(dir + "/checkpoint.json"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(edit.field), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(edit.expected), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    // Nothing was lost or changed: the refused state is still there, the log untouched.
    EXPECT_EQ(test::read_file(dir + "/checkpoint.json"), before);
    EXPECT_EQ(test::read_file(dir + "/events.jsonl"), events_before);
    EXPECT_FALSE(fs::exists(dir + "/summary.json"));
  }
}

TEST(RunState, ResumeChecksEveryObjectiveNotOnlyTheFirstCost) {
  // A 3-objective run (eyeriss latency and energy): an archive entry whose second cost differs from
  // the device's, or a state whose entries carry another number of costs than the run's objectives,
  // is refused naming the field and the objective.
  const std::string base = test::temp_dir("edits-objectives");
  RunConfig c = config();
  c.device = "eyeriss";
  c.extra_metrics = {"energy"};
  RunHooks stop;
  stop.stop_after_generation = 2;
  start_search_run(c, base + "/original", stop);
  {
    auto d = RunDirectory::open(base + "/original");
    RunStateStore store(d);
    store.compact(store.load());
  }
  struct ObjectiveEdit {
    std::string name;
    std::function<void(json& doc, json& config)> apply;
    std::string field, expected;
  };
  const std::vector<ObjectiveEdit> cases = {
      {"wrong_energy", [](json& doc, json&) { doc["state"]["search"]["archive"][0]["extra_costs"][0] = 123.0; },
       "search.archive[0].extra_costs[0] (eyeriss_energy)", "the device's eyeriss_energy of"},
      {"energy_missing",
       [](json& doc, json&) {
         for (auto& e : doc["state"]["search"]["archive"]) e.erase("extra_costs");
       },
       "search.archive[0].extra_costs", "expected 1 value(s) after the first cost (this run's objectives: eyeriss_energy), got 0"},
      {"config_without_energy",
       [](json&, json& config) {
         config["objectives"] = json::array({"accuracy", "latency"});
         config["hv_reference"] = nullptr;
       },
       "search.archive[0].extra_costs", "this run's objectives have none), got 1"},
  };
  for (const auto& edit : cases) {
    SCOPED_TRACE(edit.name);
    const std::string dir = base + "/" + edit.name;
    fs::copy(base + "/original", dir, fs::copy_options::recursive);
    json doc = read_json(dir + "/checkpoint.json");
    json cfg = read_json(dir + "/config.json");
    edit.apply(doc, cfg);
    write_resealed(dir, doc);
    test::write_file(dir + "/config.json", cfg.dump(2));
    auto r = test::run_cli({"search", "--resume", dir});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(edit.field), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(edit.expected), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir + "/summary.json"));
  }
  // Untouched, the same state resumes to the end.
  const auto ok = test::run_cli({"search", "--resume", base + "/original", "--json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(RunState, ChecksumsCatchEditsAndDamage) {
  const std::string base = test::temp_dir("checksum");
  const std::string original = stopped_run(base + "/original");
  auto copy = [&](const std::string& name) {
    fs::copy(original, base + "/" + name, fs::copy_options::recursive);
    return base + "/" + name;
  };
  // A plausible single-field edit without a new checksum.
  std::string dir = copy("edited");
  json doc = read_json(dir + "/checkpoint.json");
  doc["state"]["search"]["archive"][0]["accuracy"] = 99.5;
  test::write_file(dir + "/checkpoint.json", doc.dump());
  auto r = test::run_cli({"search", "--resume", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir + "/checkpoint.json: checksum mismatch"), std::string::npos) << r.err;
  // A torn snapshot (cannot happen through the atomic rename, but a copy can cut it).
  dir = copy("torn");
  const std::string text = test::read_file(dir + "/checkpoint.json");
  test::write_file(dir + "/checkpoint.json", text.substr(0, text.size() / 2));
  r = test::run_cli({"search", "--resume", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir + "/checkpoint.json: malformed JSON"), std::string::npos) << r.err;
  // A snapshot of an older format (no checksum) is refused by name, not trusted.
  dir = copy("legacy");
  doc = read_json(dir + "/checkpoint.json");
  test::write_file(dir + "/checkpoint.json", doc["state"].dump());
  r = test::run_cli({"search", "--resume", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("format: expected \"pelnas-run-state\""), std::string::npos) << r.err;
}

TEST(RunState, JournalRecordsAreCheckedAndATornLastRecordIsDropped) {
  const std::string base = test::temp_dir("journal");
  start_search_run(config(), base + "/full");
  RunHooks stop;
  stop.stop_after_generation = 6;
  start_search_run(config(), base + "/part", stop);
  const std::string journal = base + "/part/journal.jsonl";
  const std::string text = test::read_file(journal);
  ASSERT_FALSE(text.empty()) << "generations after the last snapshot go to the journal";
  const int snapshot = read_json(base + "/part/checkpoint.json")["state"]["search"]["generation"].get<int>();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 6 - snapshot);  // one record per generation since
  // An edited record (one digit of an accuracy) is refused, naming the journal and its line.
  fs::copy(base + "/part", base + "/edited", fs::copy_options::recursive);
  std::string edited = text;
  const auto at = edited.find("\"accuracy\":") + 12;
  edited[at] = edited[at] == '9' ? '8' : '9';
  test::write_file(base + "/edited/journal.jsonl", edited);
  auto r = test::run_cli({"search", "--resume", base + "/edited"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(base + "/edited/journal.jsonl:1: checksum mismatch"), std::string::npos) << r.err;
  // A record cut by a kill mid-write: dropped (its generation is redone), the end result unchanged.
  const auto last_start = text.rfind('\n', text.size() - 2) + 1;
  test::write_file(journal, text.substr(0, last_start + (text.size() - last_start) / 2));
  const RunSummary done = resume_search_run(base + "/part");
  EXPECT_TRUE(done.finished);
  for (const char* f : {"archive.csv", "front.csv", "metrics.csv", "knowledge/history.jsonl"})
    EXPECT_EQ(test::read_file(base + "/part/" + f), test::read_file(base + "/full/" + f)) << f;
  const auto sa = read_json(base + "/full/stats.json"), sb = read_json(base + "/part/stats.json");
  EXPECT_EQ(sa["search"], sb["search"]);
  EXPECT_EQ(sa["operator_stats"], sb["operator_stats"]);
}

TEST(RunState, ANumberTooLargeForADoubleInAnyStateFileIsRefusedByName) {
  // 1e999 is valid JSON syntax that nlohmann::json refuses with out_of_range.406 rather than a
  // parse_error (fuzz_checkpoint found it in CI as an uncaught exception). In every file --resume
  // reads it is malformed input: exit 2 naming the file, nothing changed.
  const std::string base = test::temp_dir("overflow");
  RunHooks stop;
  stop.stop_after_generation = 6;
  start_search_run(config(), base + "/part", stop);
  for (const std::string file : {"checkpoint.json", "journal.jsonl", "config.json", "knowledge/history.jsonl"}) {
    SCOPED_TRACE(file);
    const std::string dir = base + "/" + fs::path(file).filename().string();
    fs::copy(base + "/part", dir, fs::copy_options::recursive);
    std::string text = test::read_file(dir + "/" + file);
    ASSERT_FALSE(text.empty());
    ASSERT_EQ(text[0], '{');
    text.insert(1, "\"x\":1e999,");  // the first line (or the whole document)
    test::write_file(dir + "/" + file, text);
    const auto r = test::run_cli({"search", "--resume", dir});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(dir + "/" + file), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("number overflow"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_EQ(test::read_file(dir + "/" + file), text);
    EXPECT_FALSE(fs::exists(dir + "/summary.json"));
  }
}

TEST(RunState, ConfigFieldsAreCheckedOnResume) {
  const std::string base = test::temp_dir("config_edits");
  const std::string original = stopped_run(base + "/original");
  const std::vector<std::tuple<std::string, std::function<void(json&)>, std::string>> cases = {
      {"string_seed", [](json& c) { c["seed"] = "abc"; }, "seed: expected an unsigned 64-bit integer"},
      {"negative_budget", [](json& c) { c["budget"] = -1; }, "budget: expected an integer in [0, 15625]"},
      {"object_search", [](json& c) { c["search"] = json::array(); }, "search: expected a JSON object"},
      {"bad_generations", [](json& c) { c["search"]["generations"] = "ten"; }, "generations"},
      {"null_device", [](json& c) { c["device"] = nullptr; }, "device: expected a non-empty string"},
      {"short_hv_reference", [](json& c) { c["hv_reference"] = json::array({1.0}); }, "hv_reference: expected one number per objective"},
  };
  for (const auto& [name, apply, expected] : cases) {
    SCOPED_TRACE(name);
    const std::string dir = base + "/" + name;
    fs::copy(original, dir, fs::copy_options::recursive);
    json c = read_json(dir + "/config.json");
    apply(c);
    test::write_file(dir + "/config.json", c.dump(2));
    auto r = test::run_cli({"search", "--resume", dir});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(dir + "/config.json: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
  }
}

TEST(RunState, ASecondResumeOfTheSameDirectoryIsRefused) {
  const std::string dir = stopped_run(test::temp_dir("lock") + "/r");
  {
    RunDirectoryLock held(dir);  // as a running `pelnas search --resume` holds it
    auto r = test::run_cli({"search", "--resume", dir});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("run directory " + dir + " is in use by another pelnas search (pid " + std::to_string(::getpid()) + ")"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(dir + "/summary.json"));
  }
  // Released (as by the holder's exit, kill -9 included): the resume goes ahead.
  auto r = test::run_cli({"search", "--resume", dir, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir + "/summary.json"));
}

TEST(RunState, ResumeRefusesOptionsItCannotApplyByName) {
  const std::string dir = stopped_run(test::temp_dir("resume_flags") + "/r");
  for (const std::vector<std::string>& extra : {std::vector<std::string>{"--seed", "5"}, {"--generations", "20"}, {"--device", "edgegpu"},
                                               {"--operator", "llm"}, {"--budget", "100"}, {"--out", dir + "x"}}) {
    std::vector<std::string> args = {"search", "--resume", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << extra[0];
    EXPECT_NE(r.err.find(extra[0] + " cannot be given with --resume"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--llm-base-url"), std::string::npos) << r.err;  // lists what is allowed
  }
  // An LLM connection setting for a run without a model is refused too, saying why.
  auto r = test::run_cli({"search", "--resume", dir, "--llm-base-url", "http://127.0.0.1:9/v1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("uses the 'evolution' operator"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/summary.json"));
}

// Compaction: the journal is folded into a new snapshot once it reaches kJournalPerSnapshot times
// the snapshot (and kMinJournalBytes), never later; the snapshot then holds the generation just saved.
TEST(RunState, JournalIsCompactedAtItsThresholdAndNotBefore) {
  const std::string dir = test::temp_dir("compaction") + "/r";
  RunConfig c = config();
  c.search.generations = 40;
  c.search.children_per_call = 2;
  std::size_t snapshot = 0, journal = 0, compactions = 0;
  RunHooks hooks;
  hooks.after_generation = [&](int g) {
    const std::size_t s = fs::file_size(dir + "/checkpoint.json");
    const std::size_t j = fs::exists(dir + "/" + RunStateStore::kJournal) ? fs::file_size(dir + "/" + RunStateStore::kJournal) : 0;
    const std::size_t threshold = std::max(RunStateStore::kJournalPerSnapshot * snapshot, RunStateStore::kMinJournalBytes);
    if (g > 0 && j == 0) {  // compacted after this generation: the journal before it had reached the threshold
      EXPECT_GE(journal, threshold) << "generation " << g;
      EXPECT_EQ(json::parse(test::read_file(dir + "/checkpoint.json"))["state"]["search"]["generation"], g);
      ++compactions;
    } else if (g > 0) {
      EXPECT_LT(journal, threshold) << "generation " << g;  // appended: the journal before it was below
      EXPECT_GT(j, journal);
    }
    snapshot = s;
    journal = j;
  };
  ASSERT_TRUE(start_search_run(c, dir, hooks).finished);
  EXPECT_GE(compactions, 1u);
}

}  // namespace
}  // namespace pelnas
