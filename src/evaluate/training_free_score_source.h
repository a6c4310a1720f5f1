#pragma once
// The accuracy signal `score` of a space without trained accuracies (FBNet): the training-free
// score (evaluate/training_free_score.h) of each architecture, from zero-cost proxies computed on
// the space's real network by the LibTorch back end (make_space_proxy_computer, through the plugin)
// and kept in the proxy cache under a space-aware key (space_cache_arch: "fbnet:<22 blocks>", code
// version "torch-fbnet-v1"), so a proxy is never computed twice across runs or processes. Only the
// score's proxies are computed (jacov and synflow by default; a value does not depend on which
// other proxies are computed with it).
//
// The reference sample the ranks are taken against is TrainingFreeScore::reference_sample (seeded,
// fixed by the options): its proxies come from the same cache, so an architecture's score depends
// only on its own proxies and the options, never on the archive or the order of evaluation.
// Batches: code_accuracies() looks a whole batch up with one query and computes the missing ones
// together (a PEL-NAS generation, a random-search draw).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "evaluate/evaluator.h"
#include "evaluate/training_free_score.h"
#include "predictor/proxy_cache.h"

namespace pelnas {

inline constexpr const char* kScoreSignalName = "score";

class TrainingFreeScoreSource final : public AccuracySource {
 public:
  using ComputerFactory = std::function<std::unique_ptr<SpaceProxyComputer>(const ProxyOptions&)>;
  // `proxy`: dataset, batch, seed, images and threads of the proxies (its `proxies` is set to the
  // score's); `cache_path`: the SQLite proxy cache ("" = in memory, this process only). `factory`
  // (tests): builds the proxy computer; default make_space_proxy_computer (the LibTorch plugin),
  // created on the first architecture whose proxies are not cached.
  TrainingFreeScoreSource(std::shared_ptr<const SearchSpace> space, TrainingFreeScoreOptions score, ProxyOptions proxy,
                          const std::string& cache_path, ComputerFactory factory = {});

  std::string name() const override { return kScoreSignalName; }
  std::optional<double> accuracy(int index, const Arch& arch) override;  // refused: NB201 has tables
  std::vector<std::optional<double>> code_accuracies(const SearchSpace& space, std::span<const ArchCode> codes) override;
  std::int64_t paid_evaluations() const override { return computed_; }

  // The proxies of these architectures (from the cache, the missing ones computed and stored).
  std::vector<ProxyValues> proxies(const std::vector<Encoding>& encodings);
  // The score (builds the reference on first use).
  const TrainingFreeScore& score();
  const ProxyKey& key();          // the cache key (asks the back end for its code version)
  std::int64_t cache_hits() const { return hits_; }

 private:
  std::shared_ptr<const SearchSpace> space_;
  TrainingFreeScoreOptions score_options_;
  ProxyOptions proxy_options_;
  std::shared_ptr<ProxyCache> cache_;
  ComputerFactory factory_;
  std::unique_ptr<SpaceProxyComputer> computer_;
  std::optional<ProxyKey> key_;
  std::optional<TrainingFreeScore> score_;
  std::int64_t computed_ = 0, hits_ = 0;

  SpaceProxyComputer& computer();
};

}  // namespace pelnas
