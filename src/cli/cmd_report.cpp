// `pelnas report RUN_DIR [-o report.html]`: one self-contained HTML page (inline SVG and CSS) that
// shows a finished run at a glance.
#include <filesystem>
#include <fmt/format.h>
#include <iostream>

#include "cli/command.h"
#include "common/error.h"
#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "report/bench_report.h"
#include "report/run_data.h"
#include "report/run_report.h"
#include "run/run_directory.h"

namespace pelnas::cli {

namespace {

struct ReportCliOptions {
  DataOptions data;
  std::string dir, out;
};

void run_report(const ReportCliOptions& o) {
  namespace fs = std::filesystem;
  if (report::is_bench_dir(o.dir) && !fs::exists(fs::path(o.dir) / "config.json")) {
    const std::string html = report::render_bench_report(o.dir);
    const std::string out = o.out.empty() ? (fs::path(o.dir) / "report.html").string() : o.out;
    write_file_atomic(out, html);
    std::cout << fmt::format("wrote {} ({} KiB)\n", out, (html.size() + 1023) / 1024);
    return;
  }
  const report::RunData run = report::RunData::load(o.dir);
  std::optional<std::string> data_flag = o.data.data_dir;
  if (!data_flag && !run.data_dir().empty() && fs::is_directory(run.data_dir())) data_flag = run.data_dir();
  auto data = BenchmarkData::load(resolve_data_dir(data_flag));
  const std::string html = report::render_run_report(run, data);
  const std::string out = o.out.empty() ? (fs::path(o.dir) / "report.html").string() : o.out;
  write_file_atomic(out, html);
  std::cout << fmt::format("wrote {} ({} KiB)\n", out, (html.size() + 1023) / 1024);
}

void setup(CLI::App& root) {
  auto o = std::make_shared<ReportCliOptions>();
  auto* cmd = root.add_subcommand("report", "write a self-contained HTML report (inline SVG plots) of a finished run or a `pelnas bench` directory");
  cmd->add_option("dir", o->dir, "run directory written by `pelnas search`, or an output directory of `pelnas bench`")->required();
  cmd->add_option("-o,--out", o->out, "output HTML file (default: DIR/report.html)");
  add_data_option(cmd, o->data);
  cmd->callback([o] { run_report(*o); });
}

PELNAS_REGISTER_COMMAND(75, setup);

}  // namespace

}  // namespace pelnas::cli
