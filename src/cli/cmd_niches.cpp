// `pelnas niches`: the niches of a partition (PEL-NAS part 1) on a dataset and device: each niche's
// rule, size and cost range; architectures in no niche or in two are reported (exit code 2).
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/error.h"
#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "hardware/cost_source.h"
#include "hardware/searchable_space.h"
#include "search/partition.h"

namespace pelnas::cli {

namespace {

struct NichesOptions {
  DataOptions data;
  std::string dataset = "cifar10", device = "fpga", metric = "latency", partition = "paper";
  bool json = false;
  bool include_degenerate = false;
};

void run_niches(const NichesOptions& o) {
  auto data = BenchmarkData::load(resolve_data_dir(o.data.data_dir));
  const Dataset dataset = dataset_from_string(o.dataset);
  auto cost = make_searchable_cost(data, dataset, CostSpec{o.device, hw_metric_from_string(o.metric)},
                                   SpaceOptions{o.include_degenerate});
  const Partition partition = Partition::load(o.partition);
  const PartitionContext ctx{data, dataset, cost.get()};
  const PartitionCoverage cov = partition.coverage(ctx);
  auto num = [](double v) { return std::isnan(v) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v); };
  if (o.json) {
    nlohmann::ordered_json j;
    j["partition"] = partition.name();
    j["dataset"] = o.dataset;
    j["cost"] = cost->name();
    j["unit"] = cost->unit();
    j["domain"] = cov.domain;
    j["excluded_degenerate"] = cost->excluded();
    auto arr = nlohmann::ordered_json::array();
    for (int k = 0; k < partition.size(); ++k) {
      const auto& r = partition.rules()[k];
      arr.push_back({{"niche", k}, {"name", r.name}, {"rule", r.rule_text()}, {"constraint", r.constraint},
                     {"size", cov.sizes[k]}, {"cost_min", num(cov.cost_min[k])}, {"cost_max", num(cov.cost_max[k])}});
    }
    j["niches"] = arr;
    j["uncovered"] = cov.uncovered.size();
    j["overlapping"] = cov.overlapping.size();
    j["ok"] = cov.ok();
    if (!cov.ok()) j["problem"] = cov.problem_summary(*data, partition.rules());
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("partition '{}' on {} / {} ({}), {} architectures with a cost\n\n", partition.name(), o.dataset,
                             cost->name(), cost->unit(), cov.domain);
    if (cost->excluded())
      std::cout << fmt::format("({} degenerate (zero-output) cells excluded; --include-degenerate counts them)\n\n",
                               cost->excluded());
    std::cout << fmt::format("{:<6}{:<16}{:>7}  {:>12}  {:>12}  {}\n", "niche", "name", "size", "cost min", "cost max", "rule");
    int total = 0;
    for (int k = 0; k < partition.size(); ++k) {
      const auto& r = partition.rules()[k];
      total += cov.sizes[k];
      std::cout << fmt::format("{:<6}{:<16}{:>7}  {:>12.6g}  {:>12.6g}  {}\n", k, r.name, cov.sizes[k], cov.cost_min[k],
                               cov.cost_max[k], r.rule_text());
    }
    std::cout << fmt::format("{:<6}{:<16}{:>7}\n", "", "total", total);
  }
  if (!cov.ok()) throw Error("partition '" + partition.name() + "' is not a partition: " + cov.problem_summary(*data, partition.rules()));
}

}  // namespace

PELNAS_REGISTER_COMMAND(40, [](CLI::App& root) {
  auto opts = std::make_shared<NichesOptions>();
  auto* cmd = root.add_subcommand("niches", "PEL-NAS niches of a partition: size and cost range of each on a device");
  add_data_option(cmd, opts->data);
  cmd->add_option("--dataset", opts->dataset, "cifar10, cifar100 or ImageNet16-120")->capture_default_str();
  cmd->add_option("--device", opts->device, "target device (see `pelnas data devices`)")->capture_default_str();
  cmd->add_option("--metric", opts->metric, "latency or energy")->capture_default_str();
  cmd->add_option("--partition", opts->partition,
                  "built-in partition (paper, conv3x3, none) or a CSV table name,rule,constraint (docs/RUN_DIRECTORY.md)")
      ->capture_default_str();
  cmd->add_flag("--include-degenerate", opts->include_degenerate,
                "count the 341 degenerate cells (zero output) too (the search excludes them by default)");
  add_json_flag(cmd, opts->json);
  cmd->callback([opts] { run_niches(*opts); });
});

}  // namespace pelnas::cli
