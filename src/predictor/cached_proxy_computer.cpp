// CachedProxyComputer: proxies from the cache where it has them, computed (and stored) where not.
#include "predictor/proxy_cache.h"

#include "common/error.h"

namespace pelnas {

CachedProxyComputer::CachedProxyComputer(std::shared_ptr<ProxyCache> cache, ProxyKey key, InnerFactory inner,
                                         std::vector<std::string> required)
    : cache_(std::move(cache)), key_(std::move(key)), inner_factory_(std::move(inner)), required_(std::move(required)) {
  if (required_.empty()) required_.assign(kProxyNames.begin(), kProxyNames.end());
}

std::unique_ptr<CachedProxyComputer> CachedProxyComputer::with_backend(std::shared_ptr<ProxyCache> cache,
                                                                       const ProxyOptions& options) {
  auto computer = std::shared_ptr<ProxyComputer>(make_proxy_computer(options));
  ProxyKey key = ProxyKey::from(options, computer->code_version());
  // Hand the already-built computer over on first need instead of building a second one.
  auto holder = std::make_shared<std::shared_ptr<ProxyComputer>>(std::move(computer));
  struct Forward : ProxyComputer {
    std::shared_ptr<ProxyComputer> c;
    ProxyValues compute(const Arch& a) override { return c->compute(a); }
    std::string code_version() const override { return c->code_version(); }
    std::string input_description() const override { return c->input_description(); }
  };
  return std::make_unique<CachedProxyComputer>(std::move(cache), std::move(key), [holder, options] {
    auto f = std::make_unique<Forward>();
    f->c = *holder ? std::move(*holder) : std::shared_ptr<ProxyComputer>(make_proxy_computer(options));
    return f;
  }, options.proxies);
}

ProxyComputer& CachedProxyComputer::inner() {
  if (!inner_) {
    if (!inner_factory_) throw Error("proxy cache " + cache_->path() + ": proxies are missing and no proxy computer is available");
    inner_ = inner_factory_();
    if (inner_->code_version() != key_.code_version)
      throw Error("proxy code version mismatch: the cache key / model expects '" + key_.code_version +
                  "' but the proxy back end is '" + inner_->code_version() +
                  "'; recompute the proxy table and retrain the predictor");
  }
  return *inner_;
}

std::string CachedProxyComputer::input_description() const {
  return (inner_ ? inner_->input_description() : std::string("(not computed yet)")) + ", cache " + cache_->path();
}

ProxyValues CachedProxyComputer::compute(const Arch& arch) { return compute_many({arch}, 1).front(); }

ProxyValues CachedProxyComputer::complete_computed(ProxyValues v, const ProxyValues& cached) {
  for (const auto& name : required_)
    if (!v.contains(name)) v.emplace(name, std::nullopt);  // absent = missing, stored as NULL
  for (auto it = cached.begin(); it != cached.end(); ++it) v.emplace(it->first, it->second);  // cached extras
  ++computed_;
  return v;
}

std::vector<ProxyValues> CachedProxyComputer::compute_many(const std::vector<Arch>& archs, int store_every,
                                                          const std::function<void(int, int)>& progress) {
  std::vector<ProxyValues> out = cache_->lookup_many(archs, key_);
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < archs.size(); ++i) {
    bool all = true;
    for (const auto& name : required_) all = all && out[i].contains(name);
    if (all)
      ++hits_;
    else
      missing.push_back(i);
  }
  int done = 0;
  if (batch_backend_ && !missing.empty()) {
    (void)inner();  // the code-version check of local computation (the remote ranks' is their fingerprint)
    std::vector<Arch> todo;
    for (std::size_t i : missing) todo.push_back(archs[i]);
    batch_backend_(todo, [&](std::size_t k, ProxyValues v) {
      if (k >= missing.size()) throw Error("proxy batch back end: result for item " + std::to_string(k) + " of " +
                                           std::to_string(missing.size()));
      const std::size_t i = missing[k];
      out[i] = complete_computed(std::move(v), out[i]);
      cache_->store(archs[i], out[i], key_);  // as it arrives: a job that dies keeps it
      if (progress) progress(++done, static_cast<int>(missing.size()));
    });
    return out;
  }
  std::vector<ProxyCache::Entry> pending;
  for (std::size_t i : missing) {
    ProxyValues v = complete_computed(inner().compute(archs[i]), out[i]);
    out[i] = v;
    pending.push_back({archs[i], std::move(v)});
    if (static_cast<int>(pending.size()) >= std::max(1, store_every)) {
      cache_->store(pending, key_);
      pending.clear();
    }
    ++done;
    if (progress) progress(done, static_cast<int>(missing.size()));
  }
  cache_->store(pending, key_);
  return out;
}

}  // namespace pelnas
