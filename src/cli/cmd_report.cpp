// `pelnas report RUN_DIR [-o report.html] [--watch]`, `pelnas report A B C... -o cmp.html` and
// `pelnas report BENCH_DIR`: self-contained HTML pages (inline SVG and CSS) of a run (finished or
// not), of several runs compared, or of a `pelnas bench` directory.
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <glob.h>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "common/error.h"
#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "report/bench_report.h"
#include "report/compare_report.h"
#include "report/run_data.h"
#include "report/run_report.h"
#include "report/space_run_report.h"
#include "run/run_directory.h"
#include "run/run_progress.h"

namespace pelnas::cli {

namespace {

namespace fs = std::filesystem;

struct ReportCliOptions {
  DataOptions data;
  std::vector<std::string> dirs;
  std::string out;
  bool watch = false;
  double watch_interval = 2.0;   // seconds between looks at the run directory
  double watch_timeout = 86400;  // seconds: a watch always ends
};

// Arguments holding * ? [ that name no existing path are expanded (sorted); a pattern that matches
// nothing is an error naming it.
std::vector<std::string> expand_dirs(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    if (fs::exists(a) || a.find_first_of("*?[") == std::string::npos) {
      out.push_back(a);
      continue;
    }
    glob_t g{};
    const int rc = ::glob(a.c_str(), GLOB_ONLYDIR, nullptr, &g);
    std::vector<std::string> matched;
    if (rc == 0)
      for (std::size_t i = 0; i < g.gl_pathc; ++i)
        if (fs::is_directory(g.gl_pathv[i])) matched.emplace_back(g.gl_pathv[i]);
    ::globfree(&g);
    if (matched.empty()) throw Error("report: the pattern '" + a + "' matches no directory");
    out.insert(out.end(), matched.begin(), matched.end());
  }
  return out;
}

std::shared_ptr<const BenchmarkData> load_data(const DataOptions& d, const report::RunData& run) {
  std::optional<std::string> data_flag = d.data_dir;
  if (!data_flag && !run.data_dir().empty() && fs::is_directory(run.data_dir())) data_flag = run.data_dir();
  return BenchmarkData::load(resolve_data_dir(data_flag));
}

void write_report(const std::string& out, const std::string& html, const std::string& what) {
  write_file_atomic(out, html);
  std::cout << fmt::format("wrote {} ({} KiB){}\n", out, (html.size() + 1023) / 1024, what) << std::flush;
}

// What changes when a run writes a generation (metrics.csv, checkpoint.json) or finishes (summary.json).
std::string run_stamp(const std::string& dir) {
  std::string s;
  for (const char* f : {RunDirectory::kMetrics, RunDirectory::kCheckpoint, RunDirectory::kSummary}) {
    std::error_code ec;
    const fs::path p = fs::path(dir) / f;
    const auto t = fs::last_write_time(p, ec);
    s += ec ? "-;" : fmt::format("{}:{};", t.time_since_epoch().count(), fs::file_size(p, ec));
  }
  return s;
}

// Re-renders the run's report whenever it writes a generation, until it finishes, stops running
// (its lock is free) or the timeout passes. Pages written while the run goes on reload themselves.
void watch_run(const ReportCliOptions& o, const std::string& dir, const std::string& out) {
  report::RunData run = report::RunData::load(dir);
  auto data = load_data(o.data, run);
  const auto start = std::chrono::steady_clock::now();
  const auto interval = std::chrono::duration<double>(o.watch_interval);
  std::string stamp;
  for (;;) {
    const std::string now = run_stamp(dir);
    if (now != stamp) {
      // A read that meets the run between two writes (e.g. a journal being compacted) is tried
      // again at the next look; the page written before stays.
      bool loaded = false;
      try {
        run = report::RunData::load(dir);
        stamp = now;
        loaded = true;
      } catch (const Error& e) {
        std::cerr << "note: " << e.what() << " (trying again)\n";
      }
      const int refresh = run.finished ? 0 : std::max(1, static_cast<int>(std::ceil(o.watch_interval)));
      if (loaded)
        write_report(out, report::render_run_report(run, data, refresh),
                     run.finished ? ": the run has finished"
                                  : fmt::format(": generation {}, {} evaluations, {}", run.checkpoint_generation, run.archive.size(),
                                                to_string(run.state)));
    }
    if (run.finished) return;
    if (run.state == RunStatus::Killed) {
      std::cout << fmt::format("{}: the run is not running (stopped or killed); stopped watching\n", dir);
      return;
    }
    if (std::chrono::steady_clock::now() - start > std::chrono::duration<double>(o.watch_timeout)) {
      std::cout << fmt::format("{}: still not finished after {} s (--watch-timeout); stopped watching\n", dir, o.watch_timeout);
      return;
    }
    std::this_thread::sleep_for(interval);
    run.state = run_status(dir);
  }
}

void run_report(const ReportCliOptions& o) {
  const std::vector<std::string> dirs = expand_dirs(o.dirs);
  if (o.watch && dirs.size() != 1) throw Error("report --watch: give exactly one run directory");
  if (dirs.size() > 1) {
    std::vector<report::RunData> runs;
    for (const auto& d : dirs) {
      if (report::is_bench_dir(d) && !fs::exists(fs::path(d) / "config.json"))
        throw Error(d + ": a `pelnas bench` directory; report it on its own (`pelnas report " + d + "`)");
      runs.push_back(report::RunData::load(d));
    }
    auto data = load_data(o.data, runs.front());
    const std::string html = report::render_compare_report(runs, data);
    write_report(o.out.empty() ? std::string("compare.html") : o.out, html, fmt::format(": {} runs", runs.size()));
    return;
  }
  const std::string& dir = dirs.front();
  const std::string out = o.out.empty() ? (fs::path(dir) / "report.html").string() : o.out;
  if (report::is_bench_dir(dir) && !fs::exists(fs::path(dir) / "config.json")) {
    if (o.watch) throw Error("report --watch: " + dir + " is a `pelnas bench` directory, not a run directory");
    // The tables give the median-front charts their true front; a bench report does not need them.
    std::shared_ptr<const BenchmarkData> data;
    try {
      data = BenchmarkData::load(resolve_data_dir(o.data.data_dir));
    } catch (const Error& e) {
      if (o.data.data_dir) throw;
      std::cerr << "note: no benchmark tables (" << e.what() << "): the front charts have no true front\n";
    }
    write_report(out, report::render_bench_report(dir, data.get()), "");
    return;
  }
  if (report::is_space_run_dir(dir)) {  // `pelnas search --space fbnet`: no NB201 tables, no true front
    if (o.watch) throw Error("report --watch: " + dir + " is a run on another space than nb201; report it when it has finished");
    write_report(out, report::render_space_run_report(dir), fs::exists(fs::path(dir) / "summary.json") ? "" : ": the run has not finished");
    return;
  }
  if (o.watch) return watch_run(o, dir, out);
  const report::RunData run = report::RunData::load(dir);
  auto data = load_data(o.data, run);
  write_report(out, report::render_run_report(run, data), run.finished ? "" : ": the run is " + run.state_text());
}

void setup(CLI::App& root) {
  auto o = std::make_shared<ReportCliOptions>();
  auto* cmd = root.add_subcommand("report",
                                  "write a self-contained HTML report (inline SVG plots) of a run (finished or not), of several "
                                  "runs compared, or of a `pelnas bench` directory");
  cmd->add_option("dirs", o->dirs,
                  "run directory written by `pelnas search` (several, or a quoted glob such as 'runs/*', compare the runs on "
                  "one page), or an output directory of `pelnas bench`")
      ->required();
  cmd->add_option("-o,--out", o->out, "output HTML file (default: DIR/report.html; compare.html for several runs)");
  cmd->add_flag("--watch", o->watch,
                "rewrite the report every time the run writes a generation, until it finishes or stops running (the page "
                "reloads itself meanwhile)");
  cmd->add_option("--watch-interval", o->watch_interval, "seconds between looks at the run directory (default 2)")
      ->check(CLI::Range(0.01, 3600.0));
  cmd->add_option("--watch-timeout", o->watch_timeout, "stop watching after this many seconds (default 86400)")
      ->check(CLI::Range(0.0, 1e7));
  add_data_option(cmd, o->data);
  cmd->callback([o] { run_report(*o); });
}

PELNAS_REGISTER_COMMAND(75, setup);

}  // namespace

}  // namespace pelnas::cli
