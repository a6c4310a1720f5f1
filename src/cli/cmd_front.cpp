// `pelnas front`: the exact true Pareto front (max test accuracy, min cost, or several costs with
// --objectives) of one (dataset, device).
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/error.h"
#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "common/text_table.h"
#include "hardware/searchable_space.h"
#include "metrics/true_front.h"

namespace pelnas::cli {

namespace {

struct FrontOptions {
  DataOptions data;
  std::string dataset = "cifar10";
  std::string device = "fpga";
  std::string metric = "latency";
  std::vector<std::string> objectives;  // empty = accuracy and --metric
  bool metric_given = false;
  bool json = false;
  bool csv = false;
  bool include_degenerate = false;
};

constexpr const char* kTolerance = "dominance tested on values rounded to 10 significant digits; exact ties all listed";

// The coverage fields both JSON forms (two objectives, n objectives) share.
template <typename Front>
void put_front_coverage(nlohmann::ordered_json& j, const Front& front) {
  j["complete"] = front.complete;
  j["n_candidates"] = front.n_candidates;
  j["excluded_degenerate"] = front.excluded;
  j["front_size"] = front.entries.size();
  j["tolerance"] = kTolerance;
}

// Three or more objectives: accuracy and one column per cost (named by the cost source).
void print_front_nd(const BenchmarkData& data, Dataset dataset, const TrueFront& front, const FrontOptions& o) {
  std::vector<std::string> names{front.cost_name}, units{front.cost_unit};
  names.insert(names.end(), front.extra_cost_names.begin(), front.extra_cost_names.end());
  units.insert(units.end(), front.extra_cost_units.begin(), front.extra_cost_units.end());
  auto costs_of = [](const TrueFrontEntry& e) {
    std::vector<double> c{e.cost};
    c.insert(c.end(), e.extra_costs.begin(), e.extra_costs.end());
    return c;
  };
  if (o.csv) {
    std::cout << "dataset,accuracy_metric,complete,n_candidates,front_size,rank,index,arch_str,accuracy";
    for (const auto& n : names) std::cout << ',' << n;
    std::cout << '\n';
    for (const auto& e : front.entries) {
      std::cout << fmt::format("{},{}_test_acc,{},{},{},{},{},{},{}", to_string(dataset), short_name(dataset),
                               front.complete ? 1 : 0, front.n_candidates, front.entries.size(), e.rank, e.index,
                               data.arch(e.index).str(), e.accuracy);
      for (double c : costs_of(e)) std::cout << fmt::format(",{}", c);
      std::cout << '\n';
    }
    return;
  }
  if (o.json) {
    nlohmann::ordered_json j;
    j["dataset"] = to_string(dataset);
    j["objectives"] = nlohmann::ordered_json::array({"accuracy"});
    for (const auto& n : names) j["objectives"].push_back(n);
    j["cost_metrics"] = names;
    j["cost_units"] = units;
    j["accuracy_metric"] = "test";
    put_front_coverage(j, front);
    auto& arr = j["front"] = nlohmann::ordered_json::array();
    for (const auto& e : front.entries) {
      nlohmann::ordered_json row = {{"rank", e.rank}, {"index", e.index}, {"arch_str", data.arch(e.index).str()},
                                    {"accuracy", e.accuracy}};
      const auto c = costs_of(e);
      for (std::size_t k = 0; k < names.size(); ++k) row[names[k]] = c[k];
      arr.push_back(row);
    }
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::string objective_text = "max test accuracy %";
  for (std::size_t k = 0; k < names.size(); ++k) objective_text += ", min " + names[k] + " (" + units[k] + ")";
  std::cout << fmt::format("True Pareto front of {} ({}): {} architectures of {} candidates{}{}.\n({})\n\n",
                           to_string(dataset), objective_text, front.entries.size(), front.n_candidates,
                           front.complete ? "" : " (partial coverage: only the architectures with every cost)",
                           front.excluded ? fmt::format("; {} degenerate (zero-output) cells excluded, "
                                                        "--include-degenerate keeps them", front.excluded)
                                          : std::string(),
                           kTolerance);
  std::vector<std::string> header{"rank", "index", "arch_str", "accuracy"};
  for (std::size_t k = 0; k < names.size(); ++k) header.push_back(names[k] + " (" + units[k] + ")");
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : front.entries) {
    std::vector<std::string> row{std::to_string(e.rank), std::to_string(e.index), data.arch(e.index).str(),
                                 fmt::format("{:.4f}", e.accuracy)};
    for (double c : costs_of(e)) row.push_back(fmt::format("{:.6g}", c));
    rows.push_back(std::move(row));
  }
  std::cout << format_text_table(header, rows);
}

void run_front(const FrontOptions& o) {
  if (o.json && o.csv) throw Error("front: --json and --csv are exclusive; choose one output format");
  const Dataset dataset = dataset_from_string(o.dataset);
  auto data = BenchmarkData::load(resolve_data_dir(o.data.data_dir));
  std::string metric = o.metric;
  std::vector<std::string> extra_metrics;
  if (!o.objectives.empty()) apply_objectives(o.objectives, o.metric_given, metric, extra_metrics);
  const auto cost = make_searchable_cost(data, dataset, {o.device, hw_metric_from_string(metric)},
                                        SpaceOptions{o.include_degenerate});
  std::vector<std::shared_ptr<CostSource>> extras;
  std::vector<const CostSource*> extra_ptrs;
  for (const auto& m : extra_metrics) {
    extras.push_back(make_searchable_cost(data, dataset, {o.device, hw_metric_from_string(m)}, SpaceOptions{o.include_degenerate}));
    extra_ptrs.push_back(extras.back().get());
  }
  const TrueFront front = compute_true_front(*data, dataset, *cost, extra_ptrs);
  if (!extras.empty()) {
    print_front_nd(*data, dataset, front, o);
    return;
  }
  if (o.csv) {
    // The layout of ../shared/data/nb201_pareto_fronts.csv, so the two can be compared directly.
    std::cout << "dataset,cost_metric,cost_unit,accuracy_metric,complete,n_candidates,front_size,rank,index,arch_str,"
                 "accuracy,cost\n";
    for (const auto& e : front.entries)
      std::cout << fmt::format("{},{},{},{}_test_acc,{},{},{},{},{},{},{},{}\n", to_string(dataset), front.cost_name,
                               front.cost_unit, short_name(dataset), front.complete ? 1 : 0, front.n_candidates,
                               front.entries.size(), e.rank, e.index, data->arch(e.index).str(), e.accuracy, e.cost);
    return;
  }
  if (o.json) {
    nlohmann::ordered_json j;
    j["dataset"] = to_string(dataset);
    j["cost_metric"] = front.cost_name;
    j["cost_unit"] = front.cost_unit;
    j["cost_provenance"] = cost->provenance();
    j["accuracy_metric"] = "test";
    put_front_coverage(j, front);
    auto& arr = j["front"] = nlohmann::ordered_json::array();
    for (const auto& e : front.entries)
      arr.push_back({{"rank", e.rank}, {"index", e.index}, {"arch_str", data->arch(e.index).str()},
                     {"accuracy", e.accuracy}, {"cost", e.cost}});
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("True Pareto front of {} / {} (max test accuracy %, min {} in {}): {} architectures of {} "
                           "candidates{}{}.\n({})\n\n",
                           to_string(dataset), front.cost_name, front.cost_name, front.cost_unit, front.entries.size(),
                           front.n_candidates,
                           front.complete ? "" : fmt::format(" (partial coverage: only the {} architectures with a value)",
                                                             front.n_candidates),
                           front.excluded ? fmt::format("; {} degenerate (zero-output) cells excluded, "
                                                        "--include-degenerate keeps them", front.excluded)
                                          : std::string(),
                           kTolerance);
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : front.entries)
    rows.push_back({std::to_string(e.rank), std::to_string(e.index), data->arch(e.index).str(),
                    fmt::format("{:.4f}", e.accuracy), fmt::format("{:.6g}", e.cost)});
  std::cout << format_text_table({"rank", "index", "arch_str", "accuracy", "cost (" + front.cost_unit + ")"}, rows);
}

void setup(CLI::App& root) {
  auto o = std::make_shared<FrontOptions>();
  auto* cmd = root.add_subcommand("front", "print the exact true Pareto front (max test accuracy, min cost)");
  cmd->add_option("--dataset", o->dataset, "cifar10 | cifar100 | ImageNet16-120")->capture_default_str();
  cmd->add_option("--device", o->device, "cost device: HW-NAS-Bench device, HELP device, flops or params (see `pelnas data devices`)")
      ->capture_default_str();
  cmd->add_option("--metric", o->metric, "latency | energy | arithmetic_intensity")->capture_default_str();
  add_objectives_option(cmd, o->objectives);
  cmd->add_flag("--csv", o->csv, "print CSV in the layout of nb201_pareto_fronts.csv");
  cmd->add_flag("--include-degenerate", o->include_degenerate,
                "keep the 341 degenerate cells (zero output) as candidates, as nb201_pareto_fronts.csv does (excluded "
                "by default, as in search scoring)");
  add_json_flag(cmd, o->json);
  add_data_option(cmd, o->data);
  cmd->callback([o, cmd] {
    o->metric_given = cmd->get_option("--metric")->count() > 0;
    run_front(*o);
  });
}

}  // namespace

PELNAS_REGISTER_COMMAND(20, setup);

}  // namespace pelnas::cli
