// pelnas proxies: zero-cost proxies of untrained NB201 networks (LibTorch back end).
//   pelnas proxies --dataset cifar10 (--archs FILE | --sample N) [--seed S] [--batch-size 64]
//                  [--images PATH] [--threads 2] [--json] [--data DIR]
//   pelnas proxies --check-params      every arch: torch parameter count vs the table
//   pelnas proxies --compare-zc [--limit N]   Spearman vs NAS-Bench-Suite-Zero and vs accuracy
// The computation sits behind ProxyComputer, so a cache can wrap it without touching this file's
// printing.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "common/error.h"
#include "common/progress_line.h"
#include "common/rng.h"
#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "distributed/distributed_proxies.h"
#include "distributed/launch.h"
#include "predictor/nb201_network.h"
#include "predictor/proxy_checks.h"
#include "predictor/proxy_computer.h"
#include "predictor/torch_plugin.h"

namespace pelnas::cli {

namespace {

struct ProxiesArgs {
  DataOptions data;
  std::string dataset = "cifar10";
  std::optional<std::string> archs_file;
  std::optional<int> sample;
  std::uint64_t seed = 0;
  int batch_size = 64;
  int threads = 2;
  bool threads_given = false;
  std::string cache;
  std::string images;
  bool json = false;
  bool check_params = false;
  bool compare_zc = false;
  std::optional<int> limit;
};

// Progress of a batch of proxy computations: the line appears at once (0/N; the first arch can take
// many seconds), log lines print above it, and without a terminal every tenth is logged.
class Progress {
 public:
  Progress(std::size_t total, std::string what) : total_(total), what_(std::move(what)), start_(clock::now()) {
    if (ProgressLine::instance().enabled())
      draw(0);
    else
      spdlog::info("{}: {} to compute", what_, total_);
  }
  void done(std::size_t n) {
    if (ProgressLine::instance().enabled()) {
      draw(n);
      if (n == total_) ProgressLine::instance().finish();
    } else if (n == total_ || n * 10 / std::max<std::size_t>(total_, 1) != (n - 1) * 10 / std::max<std::size_t>(total_, 1)) {
      spdlog::info("{}: {}/{} done, {:.1f}s elapsed, ETA {}", what_, n, total_, elapsed(), eta(n));
    }
  }

 private:
  using clock = std::chrono::steady_clock;
  double elapsed() const { return std::chrono::duration<double>(clock::now() - start_).count(); }
  std::string eta(std::size_t n) const {
    return n > 0 ? fmt::format("{:.0f}s", elapsed() / static_cast<double>(n) * static_cast<double>(total_ - n)) : "?";
  }
  void draw(std::size_t n) const {
    const int width = 30;
    const int filled = total_ ? static_cast<int>(width * n / total_) : width;
    ProgressLine::instance().show(fmt::format("{} [{}{}] {}/{}  {:.1f}s elapsed, ETA {}", what_,
                                              std::string(static_cast<std::size_t>(filled), '#'),
                                              std::string(static_cast<std::size_t>(width - filled), '.'), n, total_,
                                              elapsed(), eta(n)));
  }
  std::size_t total_;
  std::string what_;
  clock::time_point start_;
};

std::vector<Arch> read_arch_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, 0, "cannot open the architecture file (expected one NB201 arch string per line)");
  std::vector<Arch> archs;
  std::string line;
  for (long n = 1; std::getline(in, line); ++n) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto last = line.find_last_not_of(" \t\r");
    try {
      archs.push_back(Arch::parse(std::string_view(line).substr(first, last - first + 1)));
    } catch (const Error& e) {
      throw InputError(path, n, e.what());
    }
  }
  if (archs.empty()) throw InputError(path, 0, "no architectures in the file");
  return archs;
}

std::vector<Arch> sample_archs(int n, std::uint64_t seed) {
  if (n < 1 || n > kNumArchs) throw Error(fmt::format("--sample must be in 1..{} (got {})", kNumArchs, n));
  std::vector<int> codes(kNumArchs);
  for (int i = 0; i < kNumArchs; ++i) codes[static_cast<std::size_t>(i)] = i;
  Rng rng = Rng(seed).split(0x70726f78);  // "prox": independent of the minibatch stream
  rng.shuffle(codes);
  std::vector<Arch> archs;
  for (int i = 0; i < n; ++i) archs.push_back(Arch::from_lex_code(codes[static_cast<std::size_t>(i)]));
  return archs;
}

ProxyOptions proxy_options(const ProxiesArgs& a, Dataset d, const std::string& data_dir) {
  ProxyOptions o;
  o.dataset = d;
  o.batch_size = a.batch_size;
  o.seed = a.seed;
  o.images_path = a.images;
  o.data_dir = data_dir;
  o.threads = a.threads;
  return o;
}

std::vector<ProxyValues> compute_all(ProxyComputer& pc, const std::vector<Arch>& archs) {
  std::vector<ProxyValues> out;
  out.reserve(archs.size());
  Progress progress(archs.size(), "proxies");
  for (const auto& a : archs) {
    out.push_back(pc.compute(a));
    progress.done(out.size());
  }
  return out;
}

nlohmann::json value_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

void run_compute(const ProxiesArgs& a, Dataset d, const BenchmarkData& data) {
  if (a.archs_file.has_value() == a.sample.has_value())
    throw Error("pelnas proxies needs exactly one of --archs FILE or --sample N");
  // Under mpirun every rank runs this; rank 0 hands archs out to whichever rank is free and alone
  // prints (and, with --cache, stores each result as it arrives, so a rerun computes only the rest).
  auto farm = distributed::make_work_farm();
  distributed::ProxyJob job;
  job.options = proxy_options(a, d, data.dir());
  job.options.threads = distributed::resolve_threads(a.threads_given, a.threads, 2, &job.threads_note);
  if (farm->coordinator()) {
    job.archs = a.archs_file ? read_arch_file(*a.archs_file) : sample_archs(*a.sample, a.seed);
    job.cache_path = a.cache;
    auto progress = std::make_shared<Progress>(job.archs.size(), "proxies");
    job.progress = [progress](int done, int) { progress->done(static_cast<std::size_t>(done)); };
  }
  const auto result = distributed::compute_proxies(*farm, job);
  if (!farm->coordinator()) return;
  const auto& archs = job.archs;
  const auto& values = result.values;
  spdlog::info("{} archs on {}; input: {}; {} computed, {} from the cache", archs.size(), to_string(d),
               result.input_description, result.computed, result.cache_hits);
  if (a.json) {
    nlohmann::json results = nlohmann::json::array();
    for (std::size_t i = 0; i < archs.size(); ++i) {
      nlohmann::json o;
      o["arch"] = archs[i].str();
      o["index"] = data.index_of(archs[i]);
      for (const auto& [name, v] : values[i]) o[name] = value_json(v);
      results.push_back(std::move(o));
    }
    nlohmann::json doc{{"dataset", std::string(to_string(d))}, {"batch_size", a.batch_size}, {"seed", a.seed},
                       {"input", result.input_description}, {"code_version", result.key.code_version},
                       {"results", std::move(results)}};
    std::cout << doc.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("{:>6} ", "index");
  for (auto name : kProxyNames) std::cout << fmt::format("{:>11} ", name);
  std::cout << " arch\n";
  for (std::size_t i = 0; i < archs.size(); ++i) {
    std::cout << fmt::format("{:>6} ", data.index_of(archs[i]));
    for (auto name : kProxyNames) {
      const auto it = values[i].find(name);
      std::cout << (it != values[i].end() && it->second ? fmt::format("{:>11.5g} ", *it->second)
                                                        : fmt::format("{:>11} ", "missing"));
    }
    std::cout << " " << archs[i].str() << "\n";
  }
}

void run_check_params(const ProxiesArgs& a, Dataset d, const BenchmarkData& data) {
  distributed::require_single_process("pelnas proxies --check-params");
  const auto torch_param_count = load_torch_plugin().param_count;  // throws when the back end is missing
  int torch_ok = 0, analytic_ok = 0, flops_ok = 0;
  std::vector<std::string> bad;
  Progress progress(static_cast<std::size_t>(data.size()), "params");
  for (int i = 0; i < data.size(); ++i) {
    const Arch& arch = data.arch(i);
    const double table = data.params(i, d);
    const auto t = torch_param_count(arch, d);
    const auto an = nb201_param_count(arch, d);
    // The table stores millions with 6 decimals: a count matches when it rounds to that value.
    const bool t_match = std::abs(static_cast<double>(t) / 1e6 - table) < 5e-7;
    torch_ok += t_match;
    analytic_ok += std::abs(static_cast<double>(an) / 1e6 - table) < 5e-7;
    flops_ok += std::abs(static_cast<double>(nb201_flop_count(arch, d)) / 1e6 - data.flops(i, d)) < 5e-6;
    if (!t_match && bad.size() < 10) bad.push_back(fmt::format("index {}: torch {} vs table {}M", i, t, table));
    progress.done(static_cast<std::size_t>(i + 1));
  }
  if (a.json) {
    std::cout << nlohmann::json{{"dataset", std::string(to_string(d))}, {"archs", data.size()},
                                {"torch_params_match", torch_ok}, {"analytic_params_match", analytic_ok},
                                {"analytic_flops_match", flops_ok}, {"mismatches", bad}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << fmt::format("{}: {} archs\n  torch module parameters == params_{}: {}\n"
                             "  analytic parameters == table: {}\n  analytic FLOPs == flops_{}: {}\n",
                             to_string(d), data.size(), short_name(d), torch_ok, analytic_ok, short_name(d), flops_ok);
    for (const auto& b : bad) std::cout << "  mismatch " << b << "\n";
  }
  if (torch_ok != data.size()) throw Error(fmt::format("{} architectures do not match the table", data.size() - torch_ok));
}

void run_compare_zc(const ProxiesArgs& a, Dataset d, const BenchmarkData& data) {
  distributed::require_single_process("pelnas proxies --compare-zc");
  auto rows = read_zc_subset(data.dir() + "/nb201_zc_subset.csv", d, data);
  if (a.limit) {
    if (*a.limit < 3) throw Error("--limit must be >= 3");
    Rng rng = Rng(a.seed).split(0x7a63);
    rng.shuffle(rows);
    if (rows.size() > static_cast<std::size_t>(*a.limit)) rows.resize(static_cast<std::size_t>(*a.limit));
  }
  std::vector<Arch> archs;
  for (const auto& r : rows) archs.push_back(r.arch);
  auto pc = make_proxy_computer(proxy_options(a, d, data.dir()));
  spdlog::info("{} reference archs on {}; input: {}", archs.size(), to_string(d), pc->input_description());
  const auto values = compute_all(*pc, archs);
  const auto agreement = compare_with_reference(rows, values, d, data);
  auto opt = [](const std::optional<double>& v) { return v ? fmt::format("{:.3f}", *v) : std::string("-"); };
  if (a.json) {
    nlohmann::json doc{{"dataset", std::string(to_string(d))}, {"archs", archs.size()},
                       {"input", pc->input_description()}, {"proxies", nlohmann::json::array()}};
    for (const auto& g : agreement)
      doc["proxies"].push_back({{"proxy", g.proxy}, {"n_reference", g.n_reference},
                                {"spearman_vs_reference", value_json(g.spearman_reference)},
                                {"n_accuracy", g.n_accuracy}, {"spearman_vs_accuracy", value_json(g.spearman_accuracy)},
                                {"reference_spearman_vs_accuracy", value_json(g.reference_accuracy)}});
    std::cout << doc.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("{} archs of nb201_zc_subset.csv on {} ({})\n", archs.size(), to_string(d),
                           pc->input_description());
  std::cout << fmt::format("{:<10} {:>5} {:>14} {:>14} {:>18}\n", "proxy", "n", "rho(ours,NBSZ)", "rho(ours,acc)",
                           "rho(NBSZ,acc)");
  for (const auto& g : agreement)
    std::cout << fmt::format("{:<10} {:>5} {:>14} {:>14} {:>18}\n", g.proxy, g.n_accuracy, opt(g.spearman_reference),
                             opt(g.spearman_accuracy), opt(g.reference_accuracy));
}

void setup(CLI::App& root) {
  auto args = std::make_shared<ProxiesArgs>();
  auto* cmd = root.add_subcommand("proxies", "zero-cost proxies of untrained NB201 networks (LibTorch)");
  add_data_option(cmd, args->data);
  add_json_flag(cmd, args->json);
  cmd->add_option("--dataset", args->dataset, "cifar10, cifar100 or ImageNet16-120")->capture_default_str();
  auto* archs = cmd->add_option("--archs", args->archs_file, "file of NB201 arch strings, one per line");
  auto* sample = cmd->add_option("--sample", args->sample, "N architectures drawn uniformly (seeded)");
  archs->excludes(sample);
  cmd->add_option("--seed", args->seed, "seed for weights, minibatch and sampling")->capture_default_str();
  cmd->add_option("--batch-size", args->batch_size, "images per minibatch")->capture_default_str();
  cmd->add_option("--images", args->images,
                  "CIFAR-10/100 or ImageNet16 binary record file (default: <data>/images sample)");
  auto* threads = cmd->add_option("--threads", args->threads,
                                  "torch intra-op threads per process (default: $OMP_NUM_THREADS, else 2)");
  cmd->add_option("--cache", args->cache,
                  "SQLite proxy cache: archs stored there are not recomputed, new results are stored as they "
                  "finish (default: none)");
  cmd->add_flag("--check-params", args->check_params,
                "check the torch network's parameter count against the table for all 15,625 archs");
  cmd->add_flag("--compare-zc", args->compare_zc,
                "Spearman of our proxies vs NAS-Bench-Suite-Zero (nb201_zc_subset.csv) and vs test accuracy");
  cmd->add_option("--limit", args->limit, "with --compare-zc: a seeded subsample of this many archs");
  distributed::declare_distributed_command("proxies");
  cmd->callback([args, threads] {
    args->threads_given = threads->count() > 0;
    const Dataset d = dataset_from_string(args->dataset);
    const auto data = BenchmarkData::load(resolve_data_dir(args->data.data_dir));
    if (args->check_params) return run_check_params(*args, d, *data);
    if (args->compare_zc) return run_compare_zc(*args, d, *data);
    run_compute(*args, d, *data);
  });
}

PELNAS_REGISTER_COMMAND(60, setup);

}  // namespace

}  // namespace pelnas::cli
