#include "distributed/proxy_batches.h"

#include <fmt/format.h>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <thread>

#include "common/error.h"
#include "common/json_fields.h"
#include "data/enums.h"
#include "distributed/distributed_proxies.h"

namespace pelnas::distributed {

std::string proxy_options_to_json(const ProxyOptions& o) {
  return nlohmann::json{{"dataset", to_string(o.dataset)}, {"batch_size", o.batch_size}, {"seed", o.seed},
                        {"images_path", o.images_path}, {"data_dir", o.data_dir},
                        {"allow_noise_fallback", o.allow_noise_fallback}, {"proxies", o.proxies}}
      .dump();
}

ProxyOptions proxy_options_from_json(const std::string& text) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    ProxyOptions o;
    o.dataset = dataset_from_string(j.at("dataset").get<std::string>());
    o.batch_size = json_fields::get_integral<int>(j.at("batch_size"));
    o.seed = json_fields::get_integral<std::uint64_t>(j.at("seed"));
    o.images_path = j.at("images_path").get<std::string>();
    o.data_dir = j.at("data_dir").get<std::string>();
    o.allow_noise_fallback = j.at("allow_noise_fallback").get<bool>();
    o.proxies = j.at("proxies").get<std::vector<std::string>>();
    return o;
  } catch (...) {  // a library error or an integer that does not fit; anything else passes through
    throw Error(std::string("proxy settings from rank 0 are malformed: ") + json_fields::malformed_document_message());
  }
}

ProxyBatchFarm::ProxyBatchFarm(WorkFarm& farm, int threads, std::string threads_note, std::string data_dir)
    : farm_(farm), threads_(threads), threads_note_(std::move(threads_note)), data_dir_(std::move(data_dir)) {
  per_rank_.assign(static_cast<std::size_t>(farm_.size()), 0);
}

ProxyBatchFarm::~ProxyBatchFarm() {
  try {
    if (farm_.coordinator()) close();
  } catch (...) {
  }
}

FarmJob ProxyBatchFarm::make_job(const ProxyOptions& rank0_options) {
  // The settings a rank computes with: rank 0's (from `setup` on the other ranks), its own threads
  // and, when it has one, its own data directory.
  auto options = std::make_shared<ProxyOptions>(rank0_options);
  auto local = [this](ProxyOptions& o) {
    o.threads = threads_;
    if (!data_dir_.empty()) o.data_dir = data_dir_;
  };
  local(*options);
  // A computer per working thread (torch's thread count is per OS thread), made on first need.
  auto mu = std::make_shared<std::mutex>();
  auto computers = std::make_shared<std::map<std::thread::id, std::unique_ptr<ProxyComputer>>>();
  FarmJob job;
  job.name = "search proxies";
  job.slots = 1;  // a rank's threads go to torch's intra-op parallelism
  job.threads_note = threads_note_;
  // An empty setup is the closing job of the chain: nothing to compute, nothing to compare.
  auto closing = std::make_shared<bool>(false);
  job.setup = proxy_options_to_json(rank0_options);
  job.on_setup = [options, local, closing](const std::string& text) {
    *closing = text.empty();
    if (*closing) return;
    *options = proxy_options_from_json(text);
    local(*options);
  };
  job.fingerprint = [this, options, closing]() -> std::string {
    if (*closing) return "";
    const std::string key = proxy_options_to_json(*options);
    if (key != fingerprint_options_) {
      fingerprint_ = proxy_fingerprint(*options, *make_proxy_computer(*options));
      fingerprint_options_ = key;
    }
    return fingerprint_;
  };
  job.work = [options, mu, computers](const std::string& payload) {
    ProxyComputer* c = nullptr;
    {
      std::lock_guard lock(*mu);
      auto& slot = (*computers)[std::this_thread::get_id()];
      if (!slot) slot = make_proxy_computer(*options);
      c = slot.get();
    }
    return proxy_values_to_json(c->compute(Arch::parse(payload)));
  };
  job.announce = jobs_ == 0;
  return job;
}

void ProxyBatchFarm::compute(const ProxyOptions& options, const std::vector<Arch>& archs,
                             const std::function<void(std::size_t, ProxyValues)>& done) {
  if (!open_) throw Error("search proxies: the chain of farm jobs was closed already");
  FarmJob job = make_job(options);
  for (const Arch& a : archs) job.payloads.push_back(a.str());
  job.describe = [&archs](std::size_t i) { return "arch " + archs[i].str(); };
  job.on_result = [&](std::size_t i, const std::string& text) { done(i, proxy_values_from_json(text)); };
  job.more_follow = true;
  ++jobs_;
  FarmStats stats;
  try {
    stats = farm_.run(job);
  } catch (...) {
    open_ = false;  // a failed job ended the chain on every rank
    throw;
  }
  computed_ += static_cast<std::int64_t>(stats.items);
  for (std::size_t r = 0; r < stats.per_rank.size() && r < per_rank_.size(); ++r) per_rank_[r] += stats.per_rank[r];
}

void ProxyBatchFarm::close() {
  if (!open_ || !farm_.coordinator()) return;
  open_ = false;
  FarmJob last = make_job(ProxyOptions{});
  last.setup.clear();         // the closing job (see make_job)
  last.fingerprint = nullptr;  // nothing to compute: no images to compare
  last.announce = false;
  farm_.run(last);
  if (farm_.size() > 1 && jobs_ > 0) {
    std::string per;
    for (std::size_t r = 0; r < per_rank_.size(); ++r) per += fmt::format("{}{}", r ? ", " : "", per_rank_[r]);
    spdlog::info("search proxies: {} arch(s) computed in {} batch(es) on {} ranks; per rank: {}", computed_, jobs_,
                 farm_.size(), per);
  }
}

void ProxyBatchFarm::serve() {
  for (;;) {
    FarmJob job = make_job(ProxyOptions{});
    const FarmStats stats = farm_.run(job);
    if (!stats.more) return;
  }
}

}  // namespace pelnas::distributed
