#include "search/niche_history.h"

#include <algorithm>
#include <cmath>

namespace pelnas {

namespace {

// Folds entry `pos` into the statistics.
void fold(NicheHistory::Stats& s, std::size_t pos, const EvaluatedArch& e) {
  const int L = s.length();
  const auto P = static_cast<std::size_t>(s.features);
  s.accuracy.push_back(e.accuracy);
  s.duplicates = !s.codes.insert(e.code).second || s.duplicates;
  s.extra_costs = s.extra_costs || !e.extra_costs.empty();
  s.non_finite = s.non_finite || !std::isfinite(e.accuracy) || !std::isfinite(e.cost);
  bool fits = e.code.size() == L;
  for (int p = 0; fits && p < L; ++p) fits = e.code[p] < s.choices[static_cast<std::size_t>(p)];
  s.misshapen = s.misshapen || !fits;
  if (s.counts_exact()) {
    const std::size_t first = s.feature_of.size();
    for (int p = 0; p < L; ++p) {
      const int f = s.offset[static_cast<std::size_t>(p)] + e.code[p];
      s.feature_of.push_back(static_cast<std::uint16_t>(f));
      s.positions[static_cast<std::size_t>(f)].push_back(static_cast<std::uint32_t>(pos));
    }
    for (std::size_t i = first; i < s.feature_of.size(); ++i)
      for (std::size_t j = first; j < s.feature_of.size(); ++j) ++s.pairs[s.feature_of[i] * P + s.feature_of[j]];
  }
  if (s.front_exact()) {
    s.sorted_accuracy.insert(std::upper_bound(s.sorted_accuracy.begin(), s.sorted_accuracy.end(), e.accuracy), e.accuracy);
    s.front.add(pos, e);
  }
}

}  // namespace

std::vector<std::size_t> NicheHistory::Stats::front_positions() const {
  auto ids = front.ids();
  std::sort(ids.begin(), ids.end());
  return ids;
}

NicheHistory::Data::Data(const Data& other) : entries(other.entries) {
  std::lock_guard lock(other.mutex);
  if (other.stats) stats = std::make_unique<Stats>(*other.stats);
}

NicheHistory::NicheHistory() : data_(std::make_shared<Data>()) {}

NicheHistory::NicheHistory(std::vector<EvaluatedArch> entries) : data_(std::make_shared<Data>()) {
  data_->entries = std::move(entries);
}

NicheHistory::NicheHistory(std::initializer_list<EvaluatedArch> entries) : data_(std::make_shared<Data>()) {
  data_->entries.assign(entries.begin(), entries.end());
}

void NicheHistory::push_back(const EvaluatedArch& entry) {
  if (data_.use_count() > 1) data_ = std::make_shared<Data>(*data_);  // copy on write
  data_->entries.push_back(entry);                                    // the statistics follow in stats()
}

const NicheHistory::Stats& NicheHistory::stats(const SearchSpace& space) const {
  std::lock_guard lock(data_->mutex);
  auto& s = data_->stats;
  std::vector<int> choices;
  for (const auto& p : space.positions()) choices.push_back(static_cast<int>(p.choices.size()));
  if (!s || s->choices != choices) {
    s = std::make_unique<Stats>();
    s->choices = choices;
    for (int c : choices) {
      s->offset.push_back(s->features);
      s->features += c;
    }
    s->positions.resize(static_cast<std::size_t>(s->features));
    s->pairs.assign(static_cast<std::size_t>(s->features) * static_cast<std::size_t>(s->features), 0);
  }
  const auto& entries = data_->entries;
  for (; s->fed < entries.size(); ++s->fed) fold(*s, s->fed, entries[s->fed]);
  return *s;
}

}  // namespace pelnas
