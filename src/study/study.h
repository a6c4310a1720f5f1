#pragma once
// An ask/tell study: a search (pelnas with either operator, rea, nsga2, random) runs on a worker
// thread over a Problem whose Evaluator takes the values it cannot look up from the caller:
//
//   auto study = Study::create(options, "runs/my-study");
//   while (true) {
//     auto batch = study->ask();           // waits for the search's next batch; empty = finished
//     if (batch.empty()) break;
//     for (auto& c : batch) study->tell(c.id, {my_accuracy(c.arch), my_latency(c.arch)});
//   }
//
// One batch is what the search evaluates together (PEL-NAS: the seeding, then each generation's
// children of every niche), so a generation is asked only once the previous one is told. The
// search never sees anything but the told values, in its own order, so the same seed and the same
// told values give the same asks; that is also how a study resumes: Study::resume replays the
// search from its run directory's tells.jsonl and asks again only what was pending.
//
// The run directory is the CLI's format (config.json with a "study" block, events.jsonl,
// metrics.csv, archive.csv, front.csv, summary.json, stats.json; docs/RUN_DIRECTORY.md), so
// `pelnas report`, `export` and `runs` read a finished study; HV/IGD are scored (true test
// accuracy against the true front) whenever the cost is a device's table.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "study/study_options.h"
#include "study/tell_bridge.h"

namespace pelnas {

class Study {
 public:
  // A new study in run_dir (created; must not exist or be empty). Bad options, dataset, device,
  // signal or budget throw pelnas::Error before anything is written.
  static std::unique_ptr<Study> create(const StudyOptions& options, const std::string& run_dir);
  // Continues the study in run_dir from its config.json and tells.jsonl (a finished study only
  // reports that it is finished). Takes the directory's lock: a second process is refused.
  static std::unique_ptr<Study> resume(const std::string& run_dir);
  ~Study();  // close()

  // The candidates to evaluate: every asked and untold one; waits for the next batch when there
  // are none; empty once the search has finished. Rethrows the search's error. `poll` runs every
  // 50 ms while waiting and may throw (Python: Ctrl-C).
  std::vector<Candidate> ask(const std::function<void()>& poll = {});
  // Records the told values (told_names() order) or a failure of candidate `id`. Throws
  // pelnas::Error for an unknown or already told id, a wrong count, a non-finite value.
  void tell(std::int64_t id, const std::vector<double>& values);
  void tell_failed(std::int64_t id, const std::string& reason);
  // Stops the search (if it is waiting for tells) and waits for it; the run directory stays
  // resumable. Safe to call twice.
  void close();

  bool finished() const { return bridge_->finished(); }
  const StudyOptions& options() const { return options_; }
  const std::string& run_dir() const { return run_dir_; }
  const std::vector<std::string>& told_names() const { return bridge_->names(); }
  // summary.json of a finished study (empty object before).
  nlohmann::json summary() const;

  struct Impl;  // what the worker needs (data, sources, protocol, files)

 private:
  Study();
  void start();
  StudyOptions options_;
  std::string run_dir_;
  std::shared_ptr<TellBridge> bridge_;
  std::unique_ptr<Impl> impl_;
  std::thread worker_;
};

}  // namespace pelnas
