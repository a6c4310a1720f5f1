#include "predictor/proxy_features.h"

#include <spdlog/spdlog.h>

#include "common/error.h"

namespace pelnas {

ProxyFeatureSource::ProxyFeatureSource(ProxyKey key, std::shared_ptr<const ProxyTable> table,
                                       const std::string& cache_path, std::string data_dir, int threads,
                                       ComputerFactory factory, std::vector<std::string> proxies)
    : key_(std::move(key)), table_(std::move(table)) {
  if (table_) {
    const ProxyKey& t = table_->key;
    if (t.dataset != key_.dataset || t.batch_size != key_.batch_size || t.seed != key_.seed || t.input != key_.input ||
        t.code_version != key_.code_version) {
      spdlog::warn("proxy table {} was computed under other settings (dataset/batch/seed/input/code version); "
                   "not using it", table_->path);
      table_.reset();
    }
  }
  cache_ = std::make_shared<ProxyCache>(cache_path.empty() ? std::string(":memory:") : cache_path);
  ProxyOptions options;
  options.dataset = key_.dataset;
  options.batch_size = key_.batch_size;
  options.seed = key_.seed;
  options.images_path = key_.input;
  options.data_dir = std::move(data_dir);
  options.threads = threads;
  options.proxies = proxies;
  options_ = options;
  if (!factory) factory = [](const ProxyOptions& o) { return make_proxy_computer(o); };
  cached_ = std::make_unique<CachedProxyComputer>(cache_, key_, [factory, options] { return factory(options); },
                                                  std::move(proxies));
}

std::vector<ProxyValues> ProxyFeatureSource::get(const std::vector<Arch>& archs,
                                                 const std::function<void(int, int)>& progress) {
  std::vector<ProxyValues> out(archs.size());
  std::vector<Arch> rest;
  std::vector<std::size_t> rest_pos;
  for (std::size_t i = 0; i < archs.size(); ++i) {
    if (table_) {
      if (const ProxyValues* v = table_->find(archs[i])) {
        out[i] = *v;
        ++table_hits_;
        continue;
      }
    }
    rest.push_back(archs[i]);
    rest_pos.push_back(i);
  }
  if (!rest.empty()) {
    auto computed = cached_->compute_many(rest, 8, progress);
    for (std::size_t k = 0; k < rest.size(); ++k) out[rest_pos[k]] = std::move(computed[k]);
  }
  return out;
}

void ProxyFeatureSource::set_remote(RemoteCompute remote) {
  if (!remote) {
    cached_->set_batch_backend({});
    return;
  }
  cached_->set_batch_backend([remote = std::move(remote), options = options_](
                                 const std::vector<Arch>& archs, const std::function<void(std::size_t, ProxyValues)>& done) {
    remote(options, archs, done);
  });
}

ProxyKey ProxyFeatureSource::backend_key(const ProxyOptions& options) {
  return ProxyKey::from(options, make_proxy_computer(options)->code_version());
}

}  // namespace pelnas
