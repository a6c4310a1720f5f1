// Ask/tell studies: told table values reproduce the table search exactly (one loop), same seed +
// same told values = same asks, PEL-NAS generation semantics, resume asks only what was pending,
// bad tells are clear errors, and the run directory is readable by the CLI.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "common/csv.h"
#include "common/error.h"
#include "hardware/searchable_space.h"
#include "metrics/hypervolume.h"
#include "run/search_run.h"
#include "study/study.h"
#include "test_support.h"

namespace pelnas {
namespace {

namespace fs = std::filesystem;

StudyOptions options(const std::string& algorithm = "pelnas", std::uint64_t seed = 3) {
  StudyOptions o;
  o.algorithm = algorithm;
  o.seed = seed;
  o.data_dir = test::data_dir();
  return o;
}

// What a user's evaluator would measure: here the tables' values (CIFAR-10 validation accuracy,
// FPGA latency), so a study can be compared with the table-driven search.
struct TableEvaluator {
  std::shared_ptr<const BenchmarkData> data = test::data();
  std::shared_ptr<CostSource> fpga = make_searchable_cost(data, Dataset::Cifar10, CostSpec{"fpga", HwMetric::Latency});
  std::vector<double> operator()(const Candidate& c, const std::vector<std::string>& names) const {
    std::vector<double> v;
    for (const auto& n : names)
      v.push_back(n == "accuracy" ? *data->accuracy(c.index, Dataset::Cifar10, AccuracyMetric::Valid) : *fpga->cost(c.index));
    return v;
  }
};

struct AskRecord {
  std::int64_t id;
  std::string arch;
  int niche, generation;
  bool operator==(const AskRecord&) const = default;
};

// Runs a study to the end, telling table values; returns every ask (batch by batch).
std::vector<std::vector<AskRecord>> drive(Study& s, const TableEvaluator& ev) {
  std::vector<std::vector<AskRecord>> asks;
  for (auto batch = s.ask(); !batch.empty(); batch = s.ask()) {
    asks.emplace_back();
    for (const auto& c : batch) {
      asks.back().push_back({c.id, c.arch.str(), c.niche, c.generation});
      s.tell(c.id, ev(c, s.told_names()));
    }
  }
  return asks;
}

// archive.csv without the columns that name the run (device, which is "told" for a told cost).
std::vector<std::string> archive_rows(const std::string& dir) {
  const auto t = CsvTable::read(dir + "/archive.csv");
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    std::string r;
    for (const char* c : {"order", "generation", "niche", "index", "arch_str", "seen_accuracy", "cost", "true_accuracy"})
      r += std::string(t.cell(i, t.column(c))) + ",";
    rows.push_back(r);
  }
  return rows;
}

TEST(Study, ToldTableValuesGiveExactlyTheTableSearch) {
  // The CLI's search (table values looked up) and a study told the same accuracies: one loop, same run.
  const std::string root = test::temp_dir("study-one-loop");
  RunConfig cfg;
  cfg.seed = 3;
  cfg.data_dir = test::data_dir();
  ASSERT_TRUE(start_search_run(cfg, root + "/cli").finished);
  StudyOptions o = options();
  o.cost = "fpga";
  auto study = Study::create(o, root + "/study");
  EXPECT_EQ(study->told_names(), std::vector<std::string>{"accuracy"});
  drive(*study, TableEvaluator{});
  ASSERT_TRUE(study->finished());
  const auto cli = archive_rows(root + "/cli");
  ASSERT_EQ(cli.size(), 324u);
  EXPECT_EQ(archive_rows(root + "/study"), cli);
  EXPECT_DOUBLE_EQ(study->summary()["hv_ratio"].get<double>(),
                   nlohmann::json::parse(test::read_file(root + "/cli/summary.json"))["hv_ratio"].get<double>());
  // A study with nothing told is the same search again (no asks at all).
  StudyOptions looked_up = o;
  looked_up.accuracy = "valid";
  auto table = Study::create(looked_up, root + "/table");
  EXPECT_TRUE(table->ask().empty());
  EXPECT_EQ(archive_rows(root + "/table"), cli);
  // Both values told: searches that use nothing but the evaluated values (REA, random) run
  // exactly as on the tables. (PEL-NAS's evolution operator also screens children by their free
  // table cost, which a told cost cannot offer before it is told, so it proposes differently.)
  for (const std::string algorithm : {"rea", "random"}) {
    StudyOptions both = options(algorithm);
    both.budget = 100;
    auto told = Study::create(both, root + "/told-" + algorithm);
    EXPECT_EQ(told->told_names(), (std::vector<std::string>{"accuracy", "latency"}));
    drive(*told, TableEvaluator{});
    both.accuracy = "valid";
    both.cost = "fpga";
    auto tab = Study::create(both, root + "/tab-" + algorithm);
    EXPECT_TRUE(tab->ask().empty());
    EXPECT_EQ(archive_rows(root + "/told-" + algorithm), archive_rows(root + "/tab-" + algorithm)) << algorithm;
    EXPECT_TRUE(told->summary()["hv_ratio"].is_null());  // told cost: no true front, not scored
  }
}

TEST(Study, PelnasAsksOneGenerationAtATime) {
  auto study = Study::create(options(), test::temp_dir("study-gen") + "/s");
  const TableEvaluator ev;
  int generation = 0, batches = 0;
  std::int64_t next_id = 1;
  for (auto batch = study->ask(); !batch.empty(); batch = study->ask()) {
    // A batch belongs to one generation; generations follow one another; ids follow the ask order.
    EXPECT_TRUE(batch[0].generation == generation || batch[0].generation == generation + 1) << batch[0].generation;
    generation = batch[0].generation;
    for (const auto& c : batch) {
      EXPECT_EQ(c.generation, generation);
      EXPECT_EQ(c.id, next_id++);
      EXPECT_GE(c.niche, 0);
      EXPECT_LT(c.niche, 6);
    }
    if (batches++ == 0) { EXPECT_EQ(batch.size(), 24u); }  // the seeding: 6 niches x 4 cells, one batch
    // Until the last candidate is told, ask() returns the untold ones, never the next generation.
    for (std::size_t i = 0; i + 1 < batch.size(); ++i) study->tell(batch[i].id, ev(batch[i], study->told_names()));
    const auto rest = study->ask();
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest[0].id, batch.back().id);
    study->tell(rest[0].id, ev(rest[0], study->told_names()));
  }
  EXPECT_EQ(generation, 10);  // the default plan: the seeding + 10 generations
  EXPECT_GE(batches, 11);
  EXPECT_EQ(study->summary()["evaluations"], 324);
}

TEST(Study, SameSeedAndSameToldValuesGiveTheSameAsks) {
  const std::string root = test::temp_dir("study-determinism");
  for (const std::string algorithm : {"rea", "nsga2", "random", "pelnas"}) {
    StudyOptions o = options(algorithm);
    o.budget = 48;
    auto a = Study::create(o, root + "/" + algorithm + "-a");
    auto b = Study::create(o, root + "/" + algorithm + "-b");
    const auto asks_a = drive(*a, TableEvaluator{});
    const auto asks_b = drive(*b, TableEvaluator{});
    EXPECT_EQ(asks_a, asks_b) << algorithm;
    EXPECT_EQ(a->summary()["evaluations"], 48) << algorithm;
    o.seed = 4;
    auto c = Study::create(o, root + "/" + algorithm + "-c");
    EXPECT_NE(drive(*c, TableEvaluator{}), asks_a) << algorithm << ": another seed should ask differently";
  }
}

TEST(Study, ResumeAsksOnlyWhatWasPendingAndLosesNothing) {
  const std::string root = test::temp_dir("study-resume");
  const TableEvaluator ev;
  StudyOptions o = options();
  o.budget = 60;
  auto whole = Study::create(o, root + "/whole");
  const auto all_asks = drive(*whole, ev);
  ASSERT_GE(all_asks.size(), 3u);

  {
    auto s = Study::create(o, root + "/cut");
    {
      auto first = s->ask();
      for (const auto& c : first) s->tell(c.id, ev(c, s->told_names()));
      auto second = s->ask();
      ASSERT_EQ(second.size(), all_asks[1].size());
      for (std::size_t i = 0; i < second.size() / 2; ++i) s->tell(second[i].id, ev(second[i], s->told_names()));
    }
    s->close();  // as if killed: the tells are in tells.jsonl
  }
  auto resumed = Study::resume(root + "/cut");
  const auto pending = resumed->ask();
  // Only the untold half of generation 1, with the ids it had.
  std::vector<AskRecord> expected(all_asks[1].begin() + static_cast<long>(all_asks[1].size() / 2), all_asks[1].end());
  ASSERT_EQ(pending.size(), expected.size());
  for (std::size_t i = 0; i < pending.size(); ++i) EXPECT_EQ(pending[i].id, expected[i].id);
  for (const auto& c : pending) resumed->tell(c.id, ev(c, resumed->told_names()));
  const auto rest = drive(*resumed, ev);
  EXPECT_EQ(rest, std::vector<std::vector<AskRecord>>(all_asks.begin() + 2, all_asks.end()));
  EXPECT_EQ(archive_rows(root + "/cut"), archive_rows(root + "/whole"));
  // A finished study resumes as finished.
  resumed.reset();
  EXPECT_TRUE(Study::resume(root + "/cut")->ask().empty());
  // `pelnas search --resume` refuses a study instead of running a table search in it.
  EXPECT_NE(test::error_of([&] { resume_search_run(root + "/cut"); }).find("ask/tell study"), std::string::npos);
}

TEST(Study, BadTellsAreClearErrors) {
  auto s = Study::create(options("random"), test::temp_dir("study-bad") + "/s");
  const auto batch = s->ask();
  ASSERT_GE(batch.size(), 2u);
  const auto id = batch[0].id;
  auto err = [&](std::int64_t i, std::vector<double> v) { return test::error_of([&] { s->tell(i, v); }); };
  EXPECT_NE(err(99999, {90, 1}).find("unknown candidate id 99999"), std::string::npos);
  EXPECT_NE(err(id, {90}).find("expected 2 values (accuracy, latency), got 1"), std::string::npos);
  EXPECT_NE(err(id, {std::nan(""), 1}).find("value 'accuracy' is nan: expected a finite number"), std::string::npos);
  EXPECT_NE(err(id, {90, std::numeric_limits<double>::infinity()}).find("value 'latency' is inf"), std::string::npos);
  EXPECT_NE(err(id, {150, 1}).find("expected a percentage in [0, 100]"), std::string::npos);
  EXPECT_NE(err(id, {90, -1}).find("expected a cost >= 0"), std::string::npos);
  s->tell(id, {90, 1});  // nothing above was recorded
  EXPECT_NE(err(id, {90, 1}).find("already told"), std::string::npos);
  s->tell_failed(batch[1].id, "out of memory");
  EXPECT_EQ(s->ask().size(), batch.size() - 2);
  // Bad options fail before the run directory exists.
  StudyOptions o = options("bogus");
  const std::string dir = test::temp_dir("study-bad-options") + "/s";
  EXPECT_NE(test::error_of([&] { Study::create(o, dir); }).find("'algorithm' must be one of"), std::string::npos);
  o = options();
  o.cost = "no-such-device";
  EXPECT_NE(test::error_of([&] { Study::create(o, dir); }).find("no-such-device"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir));
}

TEST(Study, AFailedCandidateIsNotEvaluatedAndNotAskedAgain) {
  StudyOptions o = options("random");
  o.budget = 20;
  auto s = Study::create(o, test::temp_dir("study-failed") + "/s");
  const TableEvaluator ev;
  std::set<std::string> failed, asked;
  int n = 0;
  for (auto batch = s->ask(); !batch.empty(); batch = s->ask())
    for (const auto& c : batch) {
      EXPECT_TRUE(asked.insert(c.arch.str()).second) << "asked twice: " << c.arch.str();
      if (n++ % 3 == 0) {
        failed.insert(c.arch.str());
        s->tell_failed(c.id, "diverged");
      } else {
        s->tell(c.id, ev(c, s->told_names()));
      }
    }
  const auto t = CsvTable::read(s->run_dir() + "/archive.csv");
  EXPECT_EQ(t.rows(), 20u);  // the budget counts evaluated architectures only
  for (std::size_t i = 0; i < t.rows(); ++i) EXPECT_FALSE(failed.count(std::string(t.cell(i, t.column("arch_str")))));
}

// (seen accuracy, cost) of every row of a study's CSV, as minimised objectives (error %, cost).
std::vector<ObjectiveVector> told_objectives(const std::string& file) {
  const auto t = CsvTable::read(file);
  std::vector<ObjectiveVector> out;
  for (std::size_t i = 0; i < t.rows(); ++i)
    out.push_back({100.0 - t.number(i, t.column("seen_accuracy")), t.number(i, t.column("cost"))});
  return out;
}

TEST(Study, AToldCostIsScoredByItsHypervolumeAgainstAStatedReferencePoint) {
  // Both values told: no table knows the cost, so there is no true front, no HV ratio and no IGD;
  // the HV in the objectives' own units against a reference point derived from the archive.
  StudyOptions o = options("rea");
  o.budget = 60;
  o.cost_name = "energy_mj";
  o.cost_unit = "mJ";
  const std::string root = test::temp_dir("study-told-hv");
  auto s = Study::create(o, root + "/derived");
  drive(*s, TableEvaluator{});
  ASSERT_TRUE(s->finished());
  const auto sum = s->summary();
  EXPECT_TRUE(sum["hv_ratio"].is_null());
  EXPECT_TRUE(sum["igd"].is_null());
  EXPECT_TRUE(sum["igd_plus"].is_null());
  EXPECT_EQ(sum["hv_scoring"], "reference_point");
  EXPECT_EQ(sum["hv_reference_source"], "archive");
  EXPECT_EQ(sum["hv_units"], "error % x mJ");
  EXPECT_NE(sum["protocol"].get<std::string>().find("no HV ratio, IGD or IGD+"), std::string::npos);
  // Recomputed here from archive.csv and front.csv: worst value + 10 % of the range, exact 2-D HV.
  const auto evaluated = told_objectives(root + "/derived/archive.csv");
  const auto front = told_objectives(root + "/derived/front.csv");
  ASSERT_EQ(evaluated.size(), 60u);
  Point2 lo{1e300, 1e300}, hi{-1e300, -1e300};
  for (const auto& p : evaluated)
    for (int k = 0; k < 2; ++k) lo[k] = std::min(lo[k], p[k]), hi[k] = std::max(hi[k], p[k]);
  const Point2 ref{hi[0] + 0.1 * (hi[0] - lo[0]), hi[1] + 0.1 * (hi[1] - lo[1])};
  std::vector<Point2> pts;
  for (const auto& p : front) pts.push_back({p[0], p[1]});
  const double expected = hypervolume_2d(pts, ref);
  EXPECT_GT(expected, 0.0);
  EXPECT_NEAR(sum["hv"].get<double>(), expected, 1e-9 * expected);
  EXPECT_NEAR(sum["hv_reference_point"]["accuracy"].get<double>(), 100.0 - ref[0], 1e-9);
  EXPECT_NEAR(sum["hv_reference_point"]["energy_mj"].get<double>(), ref[1], 1e-9);
  // The report says the same: no ratio, the HV and its reference point.
  const auto report = test::run_cli({"report", root + "/derived", "--out", root + "/report.html"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const std::string html = test::read_file(root + "/report.html");
  EXPECT_NE(html.find("summary-hv-reference"), std::string::npos);
  EXPECT_NE(html.find("not defined: no true front"), std::string::npos);
  EXPECT_NE(html.find("derived from the run&#39;s archive"), std::string::npos);

  // A reference point given by the user (accuracy %, cost): used as given, and said so.
  o.reference_point = std::vector<double>{85.0, 2 * ref[1]};
  auto g = Study::create(o, root + "/given");
  drive(*g, TableEvaluator{});
  const auto gs = g->summary();
  EXPECT_EQ(gs["hv_reference_source"], "user");
  EXPECT_DOUBLE_EQ(gs["hv_reference_point"]["accuracy"].get<double>(), 85.0);
  EXPECT_NEAR(gs["hv"].get<double>(), hypervolume_2d(pts, {15.0, 2 * ref[1]}), 1e-9 * expected);
  EXPECT_NE(gs["protocol"].get<std::string>().find("given by the user"), std::string::npos);

  // It applies only to a told cost, and a true front's normalised reference does not mix with it.
  StudyOptions bad = options();
  bad.cost = "fpga";
  bad.reference_point = std::vector<double>{85.0, 3.0};
  EXPECT_NE(test::error_of([&] { Study::create(bad, root + "/bad"); }).find("'reference_point' scores a told cost"),
            std::string::npos);
  bad = options();
  bad.reference_point = std::vector<double>{85.0};
  EXPECT_NE(test::error_of([&] { Study::create(bad, root + "/bad"); }).find("'reference_point' must be two finite"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(root + "/bad"));
}

TEST(Study, TheCliReadsAFinishedStudy) {
  StudyOptions o = options();
  o.cost = "fpga";  // accuracy told, cost from the table: scored against the true front
  o.budget = 40;
  const std::string dir = test::temp_dir("study-cli") + "/s";
  auto s = Study::create(o, dir);
  EXPECT_EQ(s->told_names(), std::vector<std::string>{"accuracy"});
  drive(*s, TableEvaluator{});
  EXPECT_GT(s->summary()["hv_ratio"].get<double>(), 0.0);
  const auto runs = test::run_cli({"runs", fs::path(dir).parent_path().string(), "--json"});
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_NE(runs.out.find("finished"), std::string::npos);
  const auto report = test::run_cli({"report", dir, "--out", dir + "/report.html"});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_TRUE(fs::exists(dir + "/report.html"));
  const auto exported = test::run_cli({"export", dir});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
}

}  // namespace
}  // namespace pelnas

namespace pelnas {
namespace {

TEST(StudyOptions, RoundTripsAndNamesBadFields) {
  StudyOptions o;
  o.algorithm = "rea";
  o.algorithm_options = {{"population", 20}};
  o.cost = "fpga";
  o.seed = 7;
  o.budget = 50;
  o.hv_reference = std::vector<double>{1.1, 1.1};
  EXPECT_EQ(StudyOptions::from_json(o.to_json()).to_json(), o.to_json());
  EXPECT_EQ(o.told_names(), std::vector<std::string>{"accuracy"});
  auto bad = o.to_json();
  bad["bugdet"] = 3;
  EXPECT_NE(test::error_of([&] { StudyOptions::from_json(bad); }).find("study.bugdet: unknown field"), std::string::npos);
  bad = o.to_json();
  bad["budget"] = -1;
  EXPECT_NE(test::error_of([&] { StudyOptions::from_json(bad); }).find("study.budget"), std::string::npos);
  bad = o.to_json();
  bad["cost"] = "tell";
  bad["cost_name"] = "accuracy";
  EXPECT_NE(test::error_of([&] { StudyOptions::from_json(bad); }).find("'cost_name'"), std::string::npos);
}

TEST(TellJournal, DropsATornLastLineAndRefusesABadOne) {
  const std::string dir = test::temp_dir("tell-journal");
  const std::string path = dir + "/tells.jsonl";
  test::write_file(path, "{\"arch\":\"a\",\"values\":[90,1]}\n{\"arch\":\"b\",\"failed\":\"oom\"}\n{\"arch\":\"c\",\"val");
  {
    TellJournal j(path, 2);
    EXPECT_EQ(j.recorded().size(), 2u);
    EXPECT_EQ(j.recorded().at("a").values, (std::vector<double>{90, 1}));
    EXPECT_TRUE(j.recorded().at("b").failed());
    j.append("c", ToldValues{{91, 2}, {}});
  }
  EXPECT_EQ(TellJournal(path, 2).recorded().size(), 3u);  // the torn line is gone, the new one is whole
  test::write_file(path, "{\"arch\":\"a\",\"values\":[90]}\n");
  EXPECT_NE(test::error_of([&] { TellJournal(path, 2); }).find("tells.jsonl:1: values: expected 2 values"), std::string::npos);
  test::write_file(path, "{\"arch\":\"a\",\"values\":[90,1]}\nnot json\n");
  EXPECT_NE(test::error_of([&] { TellJournal(path, 2); }).find("tells.jsonl:2: not a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace pelnas
