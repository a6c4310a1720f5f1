#include "study/tell_bridge.h"

#include <chrono>
#include <fmt/format.h>

#include "common/error.h"

namespace pelnas {

TellBridge::TellBridge(std::vector<std::string> names, bool accuracy_told, bool cost_told)
    : names_(std::move(names)), accuracy_told_(accuracy_told), cost_told_(cost_told) {}

void TellBridge::set_generation(int g) {
  std::lock_guard lock(mu_);
  generation_ = g;
}

std::size_t TellBridge::unreplayed() const {
  std::lock_guard lock(mu_);
  return journal_ ? journal_->recorded().size() - replayed_ : 0;
}

void TellBridge::request(std::span<const int> indices, std::span<const Arch> archs) {
  if (names_.empty()) return;  // nothing is told: the wrapped sources answer alone
  std::unique_lock lock(mu_);
  std::vector<Candidate> ask;
  for (std::size_t i = 0; i < archs.size(); ++i) {
    if (told_.count(indices[i])) continue;
    Candidate c;
    c.id = ++next_id_;
    c.arch = archs[i];
    c.index = indices[i];
    c.niche = niche_of ? niche_of(ArchCode::from_nb201(archs[i])) : -1;
    c.generation = generation_;
    const std::string key = c.arch.str();
    if (journal_) {
      const auto it = journal_->recorded().find(key);
      if (it != journal_->recorded().end()) {  // replay: told before the process was killed
        told_[c.index] = it->second;
        ++replayed_;
        continue;
      }
    }
    ask.push_back(std::move(c));
  }
  if (ask.empty()) return;
  if (journal_ && replayed_ < journal_->recorded().size())
    throw Error(fmt::format("{}: the resumed study asks for {} that was never told while {} told architecture(s) were not "
                            "asked again: the run directory belongs to a different configuration, seed or pelnas version",
                            TellJournal::kFile, ask.front().arch.str(), journal_->recorded().size() - replayed_));
  pending_ = std::move(ask);
  pending_told_.assign(pending_.size(), 0);
  pending_left_ = pending_.size();
  cv_.notify_all();
  cv_.wait(lock, [&] { return pending_left_ == 0 || cancelled_; });
  if (cancelled_) throw StudyCancelled{};
  pending_.clear();
  pending_told_.clear();
}

std::optional<double> TellBridge::accuracy(int index) const {
  std::lock_guard lock(mu_);
  const auto it = told_.find(index);
  if (!accuracy_told_ || it == told_.end() || it->second.failed()) return std::nullopt;
  return it->second.values.front();
}

std::optional<double> TellBridge::cost(int index) const {
  std::lock_guard lock(mu_);
  const auto it = told_.find(index);
  if (!cost_told_ || it == told_.end() || it->second.failed()) return std::nullopt;
  return it->second.values.back();
}

std::vector<Candidate> TellBridge::ask(const std::function<void()>& poll) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (error_) std::rethrow_exception(error_);
    std::vector<Candidate> out;
    for (std::size_t i = 0; i < pending_.size(); ++i)
      if (!pending_told_[i]) out.push_back(pending_[i]);
    if (!out.empty() || finished_) return out;
    cv_.wait_for(lock, std::chrono::milliseconds(50));
    if (poll) {
      lock.unlock();
      poll();  // e.g. Python's signal check: may throw KeyboardInterrupt
      lock.lock();
    }
  }
}

void TellBridge::record(std::int64_t id, ToldValues t) {
  std::lock_guard lock(mu_);
  std::size_t at = pending_.size();
  for (std::size_t i = 0; i < pending_.size(); ++i)
    if (pending_[i].id == id) at = i;
  if (at == pending_.size()) {
    if (id >= 1 && id <= next_id_)
      throw Error(fmt::format("tell: candidate {} was already told (each candidate is told once)", id));
    throw Error(fmt::format("tell: unknown candidate id {} (ask() returns the candidates to tell; {} asked so far)", id,
                            next_id_));
  }
  if (pending_told_[at]) throw Error(fmt::format("tell: candidate {} was already told (each candidate is told once)", id));
  if (!t.failed()) check_told_values(t.values, names_, fmt::format("tell(candidate {})", id));
  const Candidate& c = pending_[at];
  if (journal_) journal_->append(c.arch.str(), t);
  told_[c.index] = std::move(t);
  pending_told_[at] = 1;
  if (--pending_left_ == 0) {
    // A tell survives the process being killed once written; syncing bounds what a machine crash
    // could lose to about a second of tells without paying an fdatasync per batch of one.
    const auto now = std::chrono::steady_clock::now();
    if (journal_ && now - last_sync_ > std::chrono::seconds(1)) {
      journal_->sync();
      last_sync_ = now;
    }
    cv_.notify_all();
  }
}

void TellBridge::tell(std::int64_t id, const std::vector<double>& values) { record(id, ToldValues{values, {}}); }

void TellBridge::tell_failed(std::int64_t id, const std::string& reason) {
  record(id, ToldValues{{}, reason.empty() ? std::string("failed") : reason});
}

void TellBridge::finish(std::exception_ptr error) {
  std::lock_guard lock(mu_);
  if (journal_) {
    try {
      journal_->sync();
    } catch (const Error&) {
      if (!error) error = std::current_exception();
    }
  }
  finished_ = true;
  error_ = error;
  cv_.notify_all();
}

void TellBridge::cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  cv_.notify_all();
}

bool TellBridge::cancelled() const {
  std::lock_guard lock(mu_);
  return cancelled_;
}

bool TellBridge::finished() const {
  std::lock_guard lock(mu_);
  return finished_;
}

TellAccuracy::TellAccuracy(std::shared_ptr<TellBridge> bridge, std::shared_ptr<AccuracySource> signal)
    : bridge_(std::move(bridge)), signal_(std::move(signal)) {}

std::string TellAccuracy::name() const { return signal_ ? signal_->name() : std::string(kToldSignal); }

std::optional<double> TellAccuracy::accuracy(int index, const Arch& arch) {
  bridge_->request(std::span<const int>(&index, 1), std::span<const Arch>(&arch, 1));
  return signal_ ? signal_->accuracy(index, arch) : bridge_->accuracy(index);
}

std::vector<std::optional<double>> TellAccuracy::accuracies(std::span<const int> indices, std::span<const Arch> archs) {
  bridge_->request(indices, archs);
  if (signal_) return signal_->accuracies(indices, archs);
  std::vector<std::optional<double>> out;
  out.reserve(indices.size());
  for (int i : indices) out.push_back(bridge_->accuracy(i));
  return out;
}

TellCost::TellCost(std::shared_ptr<TellBridge> bridge, std::shared_ptr<CostSource> domain, std::string name, std::string unit)
    : bridge_(std::move(bridge)), domain_(std::move(domain)), name_(std::move(name)), unit_(std::move(unit)) {}

}  // namespace pelnas
