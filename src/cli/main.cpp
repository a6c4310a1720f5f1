// pelnas: the command-line front end. Thin: parse options, call the library, print.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "cli/suggest.h"
#include "common/error.h"
#include "common/progress_line.h"
#include "evaluate/objective_list.h"
#include "distributed/launch.h"
#include "distributed/mpi_plugin.h"
#include "predictor/non_finite_proxies.h"

namespace pelnas::cli {

std::vector<std::pair<int, CommandSetup>>& CommandRegistry::setups() {
  static std::vector<std::pair<int, CommandSetup>> s;
  return s;
}

bool CommandRegistry::add(int order, CommandSetup setup) {
  setups().emplace_back(order, std::move(setup));
  return true;
}

void add_data_option(CLI::App* cmd, DataOptions& opts) {
  cmd->add_option("--data", opts.data_dir,
                  "benchmark data directory (default: $PELNAS_DATA, else ./data, else ../shared/data, else the "
                  "build's source tree/../shared/data)");
}

void add_json_flag(CLI::App* cmd, bool& json) {
  cmd->add_flag("--json", json, "print one JSON document on stdout instead of a table");
}

void add_objectives_option(CLI::App* cmd, std::vector<std::string>& objectives) {
  cmd->add_option("--objectives", objectives,
                  "objectives, comma-separated: accuracy then one or more device costs (latency, energy), e.g. "
                  "accuracy,latency,energy (default: accuracy and --metric)")
      ->delimiter(',');
}

void apply_objectives(const std::vector<std::string>& objectives, bool metric_given, std::string& metric,
                      std::vector<std::string>& extra_metrics) {
  const ObjectiveList list = ObjectiveList::from_names(objectives, "--objectives");
  const std::string first(to_string(list.costs.front()));
  if (metric_given && metric != first)
    throw Error("--metric " + metric + " contradicts --objectives " + list.str() +
                " (the first cost is the metric); give one of them");
  metric = first;
  extra_metrics.clear();
  for (std::size_t k = 1; k < list.costs.size(); ++k) extra_metrics.emplace_back(to_string(list.costs[k]));
}

}  // namespace pelnas::cli

namespace {
// One line at the end instead of a warning per non-finite proxy value (predictor/non_finite_proxies.h).
void report_non_finite_proxies(const std::string& where) {
  if (const std::string s = pelnas::non_finite_proxy_summary(); !s.empty()) spdlog::warn("{}{}", s, where);
}
}  // namespace

int main(int argc, char** argv) {
  // LibTorch and XGBoost (and the OpenMP under them) are opened on first use, not here, so commands
  // that need neither start in milliseconds; see predictor/torch_plugin.h.
  // Under an MPI launcher: the MPI plugin is opened and MPI initialised before anything else
  // (LibTorch is opened later); alone, MPI's libraries are never loaded.
  pelnas::distributed::start_mpi_if_launched();
  namespace dist = pelnas::distributed;
  const dist::Launch launch = dist::launch();
  CLI::App app{"pelnas: hardware-aware neural architecture search (PEL-NAS) on NAS-Bench-201"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("pelnas ") + PELNAS_VERSION);
  bool verbose = false;
  // Every option of every subcommand shows its default in --help (subcommands inherit this).
  app.option_defaults()->always_capture_default();
  app.add_flag("-v,--verbose", verbose, "debug logging on stderr");
  // Subcommands created from here on pass options they do not know to their parent, so global
  // flags (-v) are accepted anywhere on the line.
  app.fallthrough();
  auto& setups = pelnas::cli::CommandRegistry::setups();
  std::stable_sort(setups.begin(), setups.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : setups) setup(app);
  // Logs go to stderr so stdout stays clean for tables and --json documents.
  // Log lines are printed above a progress line, never into it (common/progress_line.h).
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("pelnas", pelnas::make_progress_aware_sink()));
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  spdlog::set_level(spdlog::level::info);
  // Under mpirun only commands that distribute their work may run on several ranks. The check
  // depends only on the command line and the job size, so every rank reaches the same verdict.
  app.parse_complete_callback([&] {
    if (verbose) spdlog::set_level(spdlog::level::debug);
    std::string path;
    for (const CLI::App* sub = &app; !sub->get_subcommands().empty();) {
      sub = sub->get_subcommands().front();
      path += (path.empty() ? "" : " ") + sub->get_name();
    }
    dist::check_command_allowed(path);
  });
  // Errors every rank hits alike (command line, refusal) are printed by rank 0 only; others name
  // the rank and host, since they may be that rank's alone.
  const bool several = launch.size > 1;
  const std::string where = several ? " (rank " + std::to_string(launch.rank) + " on " + launch.host + ")" : "";
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = e.get_exit_code();
    if (launch.rank == 0) {
      // Name the unknown word and its closest spelling rather than CLI11's generic message.
      const std::string unknown =
          code != 0 ? pelnas::cli::explain_unknown_word(app, std::vector<std::string>(argv + 1, argv + argc)) : "";
      if (!unknown.empty())
        std::cerr << "pelnas: error: " << unknown << "\nRun with --help for more information.\n";
      else
        code = app.exit(e);
    }
    dist::exit_after_error(code == 0 ? 0 : 2, true);
  } catch (const pelnas::Error& e) {
    pelnas::ProgressLine::instance().finish();  // the message on its own line
    report_non_finite_proxies(where);
    std::fflush(stdout);
    const bool consistent = dynamic_cast<const dist::SingleProcessError*>(&e) != nullptr || dist::farm_ended();
    if (launch.rank == 0 || !consistent) std::cerr << "pelnas: error" << where << ": " << e.what() << "\n";
    dist::exit_after_error(2, consistent);
  } catch (const std::exception& e) {
    pelnas::ProgressLine::instance().finish();
    report_non_finite_proxies(where);
    std::fflush(stdout);
    std::cerr << "pelnas: internal error" << where << ": " << e.what() << "\n";
    dist::exit_after_error(3, dist::farm_ended());
  }
  pelnas::ProgressLine::instance().finish();
  report_non_finite_proxies(where);
  if (auto* r = dist::runtime()) r->finalize();
  return 0;
}
