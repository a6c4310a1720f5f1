#include "distributed/distributed_proxies.h"

#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/error.h"
#include "data/enums.h"
#include "distributed/fingerprint.h"
#include "predictor/images.h"

namespace pelnas::distributed {

std::string proxy_values_to_json(const ProxyValues& v) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : v) j[name] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  return j.dump();  // shortest text that reads back to the same double
}

ProxyValues proxy_values_from_json(const std::string& s) {
  const nlohmann::json j = nlohmann::json::parse(s, nullptr, false);
  if (!j.is_object()) throw Error("proxy result from a worker is not a JSON object: " + s.substr(0, 80));
  ProxyValues v;
  for (const auto& [name, value] : j.items()) {
    if (value.is_null())
      v.emplace(name, std::nullopt);
    else if (value.is_number())
      v.emplace(name, value.get<double>());
    else
      throw Error("proxy result from a worker: '" + name + "' is not a number or null");
  }
  return v;
}

std::string proxy_fingerprint(const ProxyOptions& o, const ProxyComputer& computer) {
  // The same file the back end reads (proxies_torch.cpp): --images, else the default sample.
  std::string path = o.images_path;
  if (path.empty() && !o.data_dir.empty()) path = o.data_dir + "/images/" + default_image_file(o.dataset);
  const bool images = !path.empty() && (!o.images_path.empty() || std::filesystem::exists(path));
  const std::string settings = fmt::format("dataset={}; batch={}; seed={}; proxy code={}", to_string(o.dataset),
                                           o.batch_size, o.seed, computer.code_version());
  if (!images) return "images=noise; " + settings;
  return fingerprint_files({{"images " + std::filesystem::path(path).filename().string(), path}}, settings);
}

namespace {

bool complete(const ProxyValues& v) {
  for (auto name : kProxyNames)
    if (v.find(name) == v.end()) return false;
  return true;
}

}  // namespace

ProxyJobResult compute_proxies(WorkFarm& farm, const ProxyJob& pj) {
  // Torch's thread count is per OS thread (OpenMP), so the computer that works is made on the
  // thread that works, on first need; a probe on this thread answers the key and fingerprint.
  const ProxyOptions options = pj.options;
  auto mu = std::make_shared<std::mutex>();
  auto computers = std::make_shared<std::map<std::thread::id, std::unique_ptr<ProxyComputer>>>();
  auto thread_computer = [mu, computers, options]() -> ProxyComputer& {
    std::lock_guard lock(*mu);
    auto& c = (*computers)[std::this_thread::get_id()];
    if (!c) c = make_proxy_computer(options);
    return *c;
  };
  std::unique_ptr<ProxyComputer> probe;
  auto get_probe = [&]() -> ProxyComputer& {
    if (!probe) probe = make_proxy_computer(options);
    return *probe;
  };

  ProxyJobResult out;
  FarmJob job;
  job.name = "proxies";
  job.slots = 1;  // a rank's threads go to torch's intra-op parallelism
  job.threads_note = pj.threads_note;
  job.fingerprint = [&] { return proxy_fingerprint(options, get_probe()); };
  job.work = [thread_computer](const std::string& payload) {
    return proxy_values_to_json(thread_computer().compute(Arch::parse(payload)));
  };

  std::shared_ptr<ProxyCache> cache;
  std::vector<std::size_t> missing;  // positions in pj.archs
  if (farm.coordinator()) {
    out.values.resize(pj.archs.size());
    if (!pj.archs.empty()) {
      out.key = ProxyKey::from(options, get_probe().code_version());
      out.input_description = get_probe().input_description();
    }
    if (!pj.cache_path.empty() && !pj.archs.empty()) {
      cache = std::make_shared<ProxyCache>(pj.cache_path);
      const auto cached = cache->lookup_many(pj.archs, out.key);
      for (std::size_t i = 0; i < pj.archs.size(); ++i) {
        if (complete(cached[i])) {
          out.values[i] = cached[i];
          ++out.cache_hits;
        } else {
          missing.push_back(i);
        }
      }
    } else {
      for (std::size_t i = 0; i < pj.archs.size(); ++i) missing.push_back(i);
    }
    // The same arch twice in the list is computed once.
    std::map<Arch, std::vector<std::size_t>> positions;
    std::vector<Arch> todo;
    for (std::size_t i : missing) {
      auto& p = positions[pj.archs[i]];
      if (p.empty()) todo.push_back(pj.archs[i]);
      p.push_back(i);
    }
    for (const auto& a : todo) job.payloads.push_back(a.str());
    job.describe = [todo](std::size_t i) { return "arch " + todo[i].str(); };
    const int total = static_cast<int>(todo.size());
    job.on_result = [&, todo, positions, total](std::size_t i, const std::string& text) {
      ProxyValues v = proxy_values_from_json(text);
      if (cache) cache->store(todo[i], v, out.key);  // stored before anything else: a later crash keeps it
      for (std::size_t pos : positions.at(todo[i])) out.values[pos] = v;
      ++out.computed;
      if (pj.progress) pj.progress(static_cast<int>(out.computed), total);
    };
  }
  farm.run(job);
  return out;
}

}  // namespace pelnas::distributed
