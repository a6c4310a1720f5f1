#include "evaluate/training_free_score_source.h"

#include <fmt/format.h>
#include <map>
#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/progress_line.h"

namespace pelnas {

TrainingFreeScoreSource::TrainingFreeScoreSource(std::shared_ptr<const SearchSpace> space, TrainingFreeScoreOptions score,
                                                 ProxyOptions proxy, const std::string& cache_path, ComputerFactory factory)
    : space_(std::move(space)), score_options_(std::move(score)), proxy_options_(std::move(proxy)),
      cache_(std::make_shared<ProxyCache>(cache_path.empty() ? std::string(":memory:") : cache_path)),
      factory_(factory ? std::move(factory) : ComputerFactory(&make_space_proxy_computer)) {
  score_options_.validate();
  proxy_options_.proxies = score_options_.proxies;
}

std::optional<double> TrainingFreeScoreSource::accuracy(int, const Arch&) {
  throw Error("accuracy signal 'score' (the training-free score) scores spaces without accuracy tables (--space fbnet); "
              "NB201 searches use its tables or --accuracy predictor");
}

SpaceProxyComputer& TrainingFreeScoreSource::computer() {
  if (!computer_) {
    computer_ = factory_(proxy_options_);
    const std::string v = computer_->code_version(*space_);
    if (key_ && key_->code_version != v)
      throw Error(fmt::format("proxy code version mismatch: the cache key is '{}' but the proxy back end is '{}'",
                              key_->code_version, v));
  }
  return *computer_;
}

const ProxyKey& TrainingFreeScoreSource::key() {
  if (!key_) key_ = ProxyKey::from(proxy_options_, computer().code_version(*space_));
  return *key_;
}

std::vector<ProxyValues> TrainingFreeScoreSource::proxies(const std::vector<Encoding>& encodings) {
  std::vector<std::string> keys;
  keys.reserve(encodings.size());
  for (const auto& e : encodings) keys.push_back(space_cache_arch(*space_, e));
  std::vector<ProxyValues> out = cache_->lookup_many(keys, key());
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < encodings.size(); ++i) {
    bool all = true;
    for (const auto& p : score_options_.proxies) all = all && out[i].contains(p);
    if (all) ++hits_;
    else missing.push_back(i);
  }
  if (missing.empty()) return out;
  // A batch may repeat an architecture: compute it once.
  std::vector<std::pair<std::string, ProxyValues>> pending;
  std::map<std::string, std::size_t, std::less<>> done;
  int n = 0;
  for (std::size_t i : missing) {
    if (auto it = done.find(keys[i]); it != done.end()) {
      out[i] = out[it->second];
      continue;
    }
    ProxyValues v = computer().compute(*space_, encodings[i]);
    for (const auto& p : score_options_.proxies)
      if (!v.contains(p)) v.emplace(p, std::nullopt);  // absent = missing, stored as NULL
    for (const auto& [name, value] : out[i]) v.emplace(name, value);  // cached extras stay
    ++computed_;
    out[i] = v;
    done.emplace(keys[i], i);
    pending.emplace_back(keys[i], std::move(v));
    if (pending.size() >= 8) {  // an interrupted run keeps what it finished
      cache_->store(pending, key());
      pending.clear();
    }
    ProgressLine::instance().show(fmt::format("training-free score: proxies of {}/{} {} networks", ++n, missing.size(),
                                                space_->name()));
  }
  cache_->store(pending, key());
  ProgressLine::instance().finish();
  return out;
}

const TrainingFreeScore& TrainingFreeScoreSource::score() {
  if (!score_) {
    const auto sample = TrainingFreeScore::reference_sample(*space_, score_options_);
    const auto values = proxies(sample);
    score_.emplace(score_options_, values);
    if (score_->dropped() > 0)
      spdlog::warn("training-free score: {} reference proxy values were not finite and are left out of the reference",
                   score_->dropped());
  }
  return *score_;
}

std::vector<std::optional<double>> TrainingFreeScoreSource::code_accuracies(const SearchSpace& space,
                                                                           std::span<const ArchCode> codes) {
  if (space.name() != space_->name() || space.dataset() != space_->dataset())
    throw Error(fmt::format("training-free score set up for the {} space on {}, asked about the {} space on {}", space_->name(),
                            space_->dataset(), space.name(), space.dataset()));
  const TrainingFreeScore& s = score();
  std::vector<Encoding> encodings;
  encodings.reserve(codes.size());
  for (const ArchCode& c : codes) encodings.push_back(c.encoding());
  const auto values = proxies(encodings);
  std::vector<std::optional<double>> out;
  out.reserve(values.size());
  for (const auto& v : values) out.push_back(s.score(v));
  return out;
}

}  // namespace pelnas
