// `pelnas runs [DIR] [--json]`: list the run directories under DIR (default runs/) with their
// setting, progress and state (finished, running, killed).
#include <iostream>

#include "cli/command.h"
#include "report/run_list.h"

namespace pelnas::cli {

namespace {

struct RunsCliOptions {
  std::string dir = "runs";
  int depth = 3;
  bool json = false;
};

void run_runs(const RunsCliOptions& o) {
  const auto runs = report::list_runs(o.dir, o.depth);
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : runs) j.push_back(r.to_json());
    std::cout << j.dump(2) << "\n";
    return;
  }
  if (runs.empty()) {
    std::cout << "no run directories under " << o.dir << "\n";
    return;
  }
  std::cout << report::runs_text_table(runs);
}

void setup(CLI::App& root) {
  auto o = std::make_shared<RunsCliOptions>();
  auto* cmd = root.add_subcommand(
      "runs", "list run directories: dataset, device, operator, accuracy signal, seed, evaluations, HV ratio, state");
  cmd->add_option("dir", o->dir, "directory to search for run directories (default: runs)");
  cmd->add_option("--depth", o->depth, "how many levels below DIR to look (default 3)")->check(CLI::Range(0, 16));
  add_json_flag(cmd, o->json);
  cmd->callback([o] { run_runs(*o); });
}

PELNAS_REGISTER_COMMAND(76, setup);

}  // namespace

}  // namespace pelnas::cli
