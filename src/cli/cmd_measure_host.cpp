// `pelnas data measure-host`: measures the batch-1 inference latency of NB201 networks on this
// machine with LibTorch and stores each value in the host latency cache the moment it is taken, so
// the command is resumable and incremental (cells already measured under the same key are skipped).
// The `host` device (src/host/host_cost.cpp) reads the cache.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/error.h"
#include "common/rng.h"
#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "host/host_latency_cache.h"
#include "predictor/torch_plugin.h"

namespace pelnas::cli {

namespace {

struct MeasureHostOptions {
  DataOptions data;
  std::string dataset = "cifar10";
  std::string archs_file, cache;
  bool all = false, remeasure = false, json = false;
  int sample = 0;
  int interleave = 16;
  std::uint64_t seed = 0;
  HostMeasurementDefaults m;
};

// The NB201 indices to measure, in index order.
std::vector<int> selection(const MeasureHostOptions& o, const BenchmarkData& data) {
  const int given = (o.all ? 1 : 0) + (o.sample > 0 ? 1 : 0) + (o.archs_file.empty() ? 0 : 1);
  if (given != 1) throw Error("measure-host: give exactly one of --all, --sample N, --archs FILE");
  std::vector<int> out;
  if (o.all) {
    for (int i = 0; i < data.size(); ++i) out.push_back(i);
  } else if (o.sample > 0) {
    std::vector<int> all(static_cast<std::size_t>(data.size()));
    for (int i = 0; i < data.size(); ++i) all[static_cast<std::size_t>(i)] = i;
    Rng rng(o.seed);
    rng.shuffle(all);
    out.assign(all.begin(), all.begin() + std::min<int>(o.sample, data.size()));
  } else {
    std::ifstream in(o.archs_file);
    if (!in) throw Error("--archs " + o.archs_file + ": cannot read the file");
    long line_no = 0;
    for (std::string line; std::getline(in, line);) {
      ++line_no;
      line.erase(0, line.find_first_not_of(" \t\r"));
      line.erase(line.find_last_not_of(" \t\r") + 1);
      if (line.empty() || line[0] == '#') continue;
      try {
        out.push_back(data.index_of(line));
      } catch (const Error& e) {
        throw InputError(o.archs_file, line_no, std::string("expected an NB201 arch string or index: ") + e.what());
      }
    }
    if (out.empty()) throw Error("--archs " + o.archs_file + ": no architecture in the file");
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void run(const MeasureHostOptions& o) {
  const auto data = BenchmarkData::load(resolve_data_dir(o.data.data_dir));
  const Dataset dataset = dataset_from_string(o.dataset);
  const auto todo = selection(o, *data);
  const HostLatencyKey key = host_latency_key(dataset, o.m.threads, o.m.batch);  // loads LibTorch or says it is needed
  const TorchPluginApi& torch = load_torch_plugin();
  HostLatencyCache cache(o.cache.empty() ? default_host_latency_cache_path() : o.cache);
  const auto stored = cache.load_all(key);
  spdlog::info("measure-host: {} cells of {} on {} ({} thread(s), batch {}, {} warm-up + {} timed runs), cache {}", todo.size(),
               o.dataset, key.fingerprint, o.m.threads, o.m.batch, o.m.warmup, o.m.runs, cache.path());
  LatencyRequest req{o.m.threads, o.m.batch, o.m.warmup, o.m.runs};
  int measured = 0, cached = 0;
  double wall_ms = 0, build_ms = 0;
  const auto start = std::chrono::steady_clock::now();
  auto last_report = start;
  // Cells not measured yet, in chunks whose runs are interleaved (predictor/latency.h); each chunk
  // is stored as soon as it is measured.
  std::vector<int> pending;
  for (int index : todo) {
    if (!o.remeasure && stored[static_cast<std::size_t>(index)]) ++cached;
    else pending.push_back(index);
  }
  for (std::size_t first = 0; first < pending.size(); first += static_cast<std::size_t>(o.interleave)) {
    const std::size_t n = std::min(pending.size() - first, static_cast<std::size_t>(o.interleave));
    std::vector<Arch> archs;
    std::vector<std::string> names;
    for (std::size_t k = 0; k < n; ++k) {
      archs.push_back(data->arch(pending[first + k]));
      names.push_back(archs.back().str());
    }
    std::vector<LatencyMeasurement> m(n);
    const auto t0 = std::chrono::steady_clock::now();
    torch.measure_latencies(archs.data(), static_cast<int>(n), dataset, req, m.data());
    wall_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::vector<HostLatencyRecord> records;
    for (std::size_t k = 0; k < n; ++k) {
      build_ms += m[k].build_ms;
      records.push_back({pending[first + k], m[k].median_ms, m[k].q1_ms, m[k].q3_ms, o.m.warmup, o.m.runs});
    }
    cache.store_many(records, names, key);
    measured += static_cast<int>(n);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_report > std::chrono::seconds(10)) {
      last_report = now;
      const double per = wall_ms / measured;
      spdlog::info("measured {} ({} already cached) of {}; {:.0f} ms per cell, ETA {:.0f} s", measured, cached, todo.size(), per,
                   per * static_cast<double>(pending.size() - first - n) / 1000);
    }
  }
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int complete = 0;
  for (const auto& r : cache.load_all(key)) complete += r.has_value();
  nlohmann::json j = {{"dataset", o.dataset}, {"fingerprint", key.fingerprint}, {"threads", o.m.threads}, {"batch", o.m.batch},
                      {"warmup", o.m.warmup}, {"runs", o.m.runs}, {"selected", todo.size()}, {"measured", measured},
                      {"already_cached", cached}, {"cache", cache.path()}, {"cells_in_cache", complete},
                      {"wall_seconds", total_s},
                      {"ms_per_measured_cell", measured ? wall_ms / measured : 0.0},
                      {"build_ms_per_measured_cell", measured ? build_ms / measured : 0.0}};
  if (o.json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("measured {} cells ({} already cached) in {:.1f} s: {:.0f} ms per measured cell ({:.0f} ms building "
                           "the network); the cache holds {} of {} cells of {} for this machine\n",
                           measured, cached, total_s, measured ? wall_ms / measured : 0.0, measured ? build_ms / measured : 0.0,
                           complete, data->size(), o.dataset);
}

void setup(CLI::App& root) {
  CLI::App* data = root.get_subcommand("data");
  auto o = std::make_shared<MeasureHostOptions>();
  auto* cmd = data->add_subcommand("measure-host",
                                   "measure NB201 inference latency on this machine (LibTorch) into the cache the `host` device reads");
  add_data_option(cmd, o->data);
  cmd->add_option("--dataset", o->dataset, "cifar10, cifar100 or ImageNet16-120")->capture_default_str();
  cmd->add_flag("--all", o->all, "every one of the 15,625 cells");
  cmd->add_option("--sample", o->sample, "a seeded random sample of N cells")->check(CLI::Range(1, kNumArchs));
  cmd->add_option("--seed", o->seed, "seed of --sample")->capture_default_str();
  cmd->add_option("--archs", o->archs_file, "a file of arch strings or NB201 indices, one a line (# comments)");
  cmd->add_option("--threads", o->m.threads, "torch threads (the `host` device reads 1)")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--batch", o->m.batch, "batch size (the `host` device reads 1)")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd->add_option("--warmup", o->m.warmup, "untimed forward passes first")->check(CLI::Range(0, 1000))->capture_default_str();
  cmd->add_option("--runs", o->m.runs, "timed forward passes (the median is kept, with the quartiles)")
      ->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--interleave", o->interleave,
                  "cells measured together, their runs interleaved so a burst of load spoils few runs of any one cell")
      ->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--cache", o->cache, "cache file (default $PELNAS_HOST_LATENCY_CACHE or ~/.cache/pelnas/host_latency.sqlite)");
  cmd->add_flag("--remeasure", o->remeasure, "measure cells already in the cache again (replacing their values)");
  add_json_flag(cmd, o->json);
  cmd->callback([o] { run(*o); });
}

}  // namespace

PELNAS_REGISTER_COMMAND(85, setup);

}  // namespace pelnas::cli
