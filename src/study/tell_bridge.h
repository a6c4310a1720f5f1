#pragma once
// Where a search running on a worker thread meets the caller of ask()/tell(). The search
// evaluates through its Evaluator as always (Problem::evaluate_many / prefetch hand whole batches
// to AccuracySource::accuracies); the study's Evaluator has a TellAccuracy and a TellCost, which
// hand each batch to this bridge: it publishes the candidates for ask(), blocks until every one is
// told (or failed), and returns the values. An objective not told (a signal, a device) is looked up
// by the wrapped source as in a CLI search, so a study with nothing told is exactly that search.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "evaluate/evaluator.h"
#include "space/arch_code.h"
#include "study/tell_journal.h"

namespace pelnas {

struct Candidate {
  std::int64_t id = 0;  // position in the study's ask order (stable across resumes)
  Arch arch;
  int index = -1;       // NB201 index
  int niche = -1;       // PEL-NAS niche, -1 for searches without niches
  int generation = 0;   // the search's generation (PEL-NAS: 0 = the seeding)
};

// Thrown in the worker when the study is closed while it waits for tells.
struct StudyCancelled {};

// The accuracy_signal name of a told accuracy (config, summaries, reports).
inline constexpr const char* kToldSignal = "told";

class TellBridge {
 public:
  // names: the told values in order.
  TellBridge(std::vector<std::string> names, bool accuracy_told, bool cost_told);
  // Where tells are recorded and replayed from (before the search starts).
  void attach(TellJournal* journal) { journal_ = journal; }

  // --- worker side ---
  // Asks for (or answers from the journal) the told values of `archs`; returns when all are known.
  void request(std::span<const int> indices, std::span<const Arch> archs);
  std::optional<double> accuracy(int index) const;  // told accuracy (after request)
  std::optional<double> cost(int index) const;      // told cost (after request)
  void set_generation(int g);
  std::function<int(const ArchCode&)> niche_of;         // set before the search starts
  // Journal entries the replay has not asked for again (0 when replay is complete).
  std::size_t unreplayed() const;

  // --- caller side ---
  // The candidates asked and not told yet; waits (calling `poll` every 50 ms, which may throw) until
  // there are some or the search ended (then returns none). Rethrows the worker's error.
  std::vector<Candidate> ask(const std::function<void()>& poll);
  void tell(std::int64_t id, const std::vector<double>& values);
  void tell_failed(std::int64_t id, const std::string& reason);
  void finish(std::exception_ptr error);  // worker: the search ended (error = why, or null)
  void cancel();                          // caller: wake and stop the worker
  bool finished() const;
  bool cancelled() const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  bool accuracy_told_, cost_told_;
  TellJournal* journal_ = nullptr;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<int, ToldValues> told_;  // by NB201 index
  std::vector<Candidate> pending_;            // the batch being asked
  std::vector<char> pending_told_;
  std::size_t pending_left_ = 0;
  std::int64_t next_id_ = 0;
  std::size_t replayed_ = 0;
  int generation_ = 0;
  bool finished_ = false, cancelled_ = false;
  std::exception_ptr error_;
  std::chrono::steady_clock::time_point last_sync_{};

  void record(std::int64_t id, ToldValues t);
};

// The accuracy the study's search sees: told, or the wrapped signal's (after the batch's other
// told values are in, so told costs and table accuracies arrive together).
class TellAccuracy : public AccuracySource {
 public:
  TellAccuracy(std::shared_ptr<TellBridge> bridge, std::shared_ptr<AccuracySource> signal);
  std::string name() const override;
  std::optional<double> accuracy(int index, const Arch& arch) override;
  std::vector<std::optional<double>> accuracies(std::span<const int> indices, std::span<const Arch> archs) override;
  std::int64_t paid_evaluations() const override { return signal_ ? signal_->paid_evaluations() : 0; }

 private:
  std::shared_ptr<TellBridge> bridge_;
  std::shared_ptr<AccuracySource> signal_;  // null = told
};

// A told cost: the value told for an evaluated architecture; `domain` says which architectures may
// be proposed (the searchable NB201 space) and is never read as a cost.
class TellCost : public CostSource {
 public:
  TellCost(std::shared_ptr<TellBridge> bridge, std::shared_ptr<CostSource> domain, std::string name, std::string unit);
  std::string name() const override { return name_; }
  std::string unit() const override { return unit_; }
  std::string provenance() const override { return "told by the user (ask/tell study)"; }
  std::optional<double> cost(int index) const override { return bridge_->cost(index); }
  bool covers(int index) const override { return domain_->covers(index); }
  int coverage() const override { return domain_->coverage(); }
  int excluded() const override { return domain_->excluded(); }

 private:
  std::shared_ptr<TellBridge> bridge_;
  std::shared_ptr<CostSource> domain_;
  std::string name_, unit_;
};

}  // namespace pelnas
