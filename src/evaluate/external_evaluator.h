#pragma once
// The accuracy signal `external`: a user's program, started once per search process with
// `pelnas search --evaluator 'CMD ARGS'`, scores the candidates over a JSON-lines protocol on its
// stdin/stdout (docs/EVALUATOR.md). Each batch of the search (PEL-NAS: the seeds, then each
// generation's children of all niches) goes out as one line; the program answers one line per
// candidate with its accuracy or an error. Every answer is appended to the run directory's
// evaluator_results.jsonl as it arrives, so a crash, timeout or protocol error loses nothing and
// `--resume` never asks the program twice about one architecture. The program's stderr goes to the
// run directory's evaluator.log. Any space: candidates go out as the space's canonical strings
// (FBNet: 22 block names), keyed and journalled by that string.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "evaluate/evaluator.h"

namespace pelnas {

class LineProcess;

inline constexpr const char* kExternalSignal = "external";
inline constexpr const char* kEvaluatorResultsFile = "evaluator_results.jsonl";
inline constexpr const char* kEvaluatorLogFile = "evaluator.log";
inline constexpr const char* kEvaluatorProtocol = "pelnas-evaluator/1";

struct ExternalEvaluatorOptions {
  std::string command;             // run with /bin/sh -c, as the user typed it
  std::string working_dir;         // absolute; the directory pelnas search was started in
  double timeout_seconds = 600;    // for one whole batch
  std::string run_dir;             // results journal and stderr log (set by the run, not recorded)

  void validate() const;  // throws pelnas::Error naming the field
  nlohmann::json to_json() const;  // command, working_dir, timeout_seconds
  static ExternalEvaluatorOptions from_json(const nlohmann::json& j);
};

class ExternalAccuracy : public AccuracySource {
 public:
  ExternalAccuracy(ExternalEvaluatorOptions options, Dataset dataset);  // the NB201 space of `dataset`
  ExternalAccuracy(ExternalEvaluatorOptions options, std::shared_ptr<const SearchSpace> space);
  ~ExternalAccuracy() override;
  std::string name() const override { return kExternalSignal; }
  std::optional<double> accuracy(int index, const Arch& arch) override;
  std::vector<std::optional<double>> accuracies(std::span<const int> indices, std::span<const Arch> archs) override;
  // Codes of this evaluator's space (throws for another space or dataset).
  std::vector<std::optional<double>> code_accuracies(const SearchSpace& space, std::span<const ArchCode> codes) override;
  std::int64_t paid_evaluations() const override { return asked_; }

 private:
  struct Answer {
    std::optional<double> accuracy;  // nullopt: the program reported an error for it
  };
  struct Item {
    std::string arch;          // canonical string: the key
    std::optional<int> index;  // NB201 index (sent and journalled for NB201 only)
  };
  // Asks the program about the items not answered yet (one batch), then returns every item's answer.
  std::vector<std::optional<double>> ask(const std::vector<Item>& items);
  void load_journal();
  void append_journal(const Item& item, const Answer& a, const std::string& error);
  [[noreturn]] void fail(const std::string& what);
  std::string run_hint() const;

  ExternalEvaluatorOptions options_;
  std::shared_ptr<const SearchSpace> space_;
  std::map<std::string, Answer> answers_;  // by canonical arch string: the journal and this process's answers
  std::unique_ptr<LineProcess> process_;
  std::int64_t next_id_ = 1, batches_ = 0, asked_ = 0;
  int consecutive_errors_ = 0;
  static constexpr int kMaxConsecutiveErrors = 100;
  int journal_fd_ = -1;
};

}  // namespace pelnas
