#include "experiment/space_benchmark_grid.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <set>
#include <sstream>

#include "common/csv.h"
#include "common/error.h"
#include "common/json_fields.h"
#include "experiment/benchmark_grid.h"
#include "metrics/igd.h"
#include "metrics/non_dominated_sort.h"
#include "run/run_directory.h"
#include "space/search_space.h"

namespace pelnas {

namespace fs = std::filesystem;

namespace {

std::string file_safe(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  return out;
}

// Minimised, normalised coordinates of (signal, costs...) points.
std::vector<ObjectiveVector> normalised(const std::vector<SpacePoint>& pts, const SpaceHvNormalisation& n) {
  std::vector<ObjectiveVector> out;
  for (const auto& p : pts) out.push_back(n.normalised(p));
  return out;
}

std::string signal_column(const SpaceGridOptions& o) { return o.signal.accuracy == kScoreSignal ? "score" : "accuracy"; }
std::string signal_label(const SpaceGridOptions& o) {
  return o.signal.accuracy == kScoreSignal ? TrainingFreeScore::kLabel : "accuracy (external evaluator)";
}

}  // namespace

void SpaceGridOptions::validate() const {
  if (devices.empty()) throw Error("bench --space: devices: give at least one device");
  if (algorithms.empty()) throw Error("bench --space: algos: give at least one algorithm");
  if (seeds < 1 || seeds > 1000) throw Error(fmt::format("bench --space: seeds must be in [1, 1000], got {}", seeds));
  if (budget < 1) throw Error(fmt::format("bench --space: budget must be >= 1, got {}", budget));
  std::set<std::string> seen;
  for (const auto& a : algorithms) {
    if (!seen.insert(a).second) throw Error("bench --space: algos: '" + a + "' is listed twice");
    for (const auto& d : devices) run_config(d, a, 0).validate();
  }
  // Every device has every cost objective (before any run starts).
  for (const auto& d : devices) make_space_run_costs(run_config(d, algorithms.front(), 0));
  if (std::set<std::string>(devices.begin(), devices.end()).size() != devices.size())
    throw Error("bench --space: devices: a device is listed twice");
}

SpaceRunConfig SpaceGridOptions::run_config(const std::string& device, const std::string& algorithm, int seed) const {
  const AlgorithmSpec spec = AlgorithmSpec::parse(algorithm, algorithm_options);
  SpaceRunConfig c = signal;
  c.space = space;
  c.dataset = dataset;
  c.device = device;
  c.metric = metric;
  c.extra_metrics = extra_metrics;
  c.algorithm = spec.search;
  c.algorithm_options = spec.options;
  c.budget = budget;
  c.seed = static_cast<std::uint64_t>(seed);
  return c;
}

nlohmann::json SpaceGridOptions::to_json() const {
  nlohmann::json s = signal.to_json();
  for (const char* k : {"space", "dataset", "device", "metric", "algorithm", "algorithm_options", "budget", "seed"}) s.erase(k);
  std::vector<std::string> objectives{"accuracy", metric};
  objectives.insert(objectives.end(), extra_metrics.begin(), extra_metrics.end());
  return {{"space", space},   {"dataset", dataset}, {"devices", devices},
          {"metric", metric}, {"objectives", objectives}, {"algorithms", algorithms}, {"algorithm_options", algorithm_options},
          {"seeds", seeds},   {"budget", budget},   {"signal", s}};
}

SpaceGridResult run_space_benchmark_grid(const SpaceGridOptions& o, const std::string& out_dir, const SpaceRunHooks& hooks,
                                         const std::function<void(int, int, const std::string&)>& progress) {
  o.validate();
  const auto start = std::chrono::steady_clock::now();
  SpaceGridResult res;
  res.options = o;
  const int total = static_cast<int>(o.devices.size() * o.algorithms.size()) * o.seeds;
  int i = 0;
  for (const auto& device : o.devices) {
    SpaceGridDevice dev;
    dev.device = device;
    std::vector<std::size_t> members;
    for (const auto& algorithm : o.algorithms) {
      for (int seed = 0; seed < o.seeds; ++seed) {
        const SpaceRunConfig cfg = o.run_config(device, algorithm, seed);
        const fs::path dir = fs::path(out_dir) / "runs" / file_safe(fmt::format("{}-{}-s{}", device, algorithm, seed));
        if (progress) progress(++i, total, dir.filename().string());
        SpaceGridRun run;
        run.device = device;
        run.algorithm = algorithm;
        run.seed = seed;
        run.dir = dir.string();
        if (fs::exists(dir / RunDirectory::kConfig)) {
          // A run of an earlier (killed or extended) grid: only with exactly this configuration.
          const auto recorded = SpaceRunConfig::from_json(RunDirectory::open(dir.string()).read_json(RunDirectory::kConfig));
          if (recorded.to_json() != cfg.to_json())
            throw Error(fmt::format("bench --space: {} holds a run with another configuration than this grid's ({} vs {}); "
                                    "use a new --out",
                                    dir.string(), recorded.to_json().dump(), cfg.to_json().dump()));
          if (fs::exists(dir / "summary.json")) {
            run.reused = true;
          } else {
            run.wall_seconds = resume_space_search(dir.string(), hooks).wall_seconds;
          }
        } else {
          run.wall_seconds = run_space_search(cfg, dir.string(), hooks).wall_seconds;
        }
        const auto summary = RunDirectory::open(dir.string()).read_json("summary.json");
        run.evaluations = json_fields::get_integral<int>(summary.at("evaluations"));
        run.front_size = json_fields::get_integral<int>(summary.at("front_size"));
        run.hv = summary.at("hv").get<double>();
        if (dev.cost_name.empty()) {
          dev.cost_name = summary.at("cost").get<std::string>();
          dev.cost_unit = summary.at("cost_unit").get<std::string>();
          dev.norm = SpaceHvNormalisation::from_json(summary.at("hv_normalisation"), dir.string() + "/summary.json: hv_normalisation");
          if (dev.norm.extra_costs.size() != o.extra_metrics.size())
            throw Error(fmt::format("{}/summary.json: hv_normalisation has {} cost objective(s), the grid {}", dir.string(),
                                    1 + dev.norm.extra_costs.size(), 1 + o.extra_metrics.size()));
        }
        const CsvTable front = CsvTable::read((dir / "front.csv").string());
        const auto cs = front.column(signal_column(o)), cc = front.column("cost"), ca = front.column("arch_str");
        std::vector<std::size_t> cx;  // the extra costs' columns, named by metric
        for (const auto& m : o.extra_metrics) cx.push_back(front.column(m));
        for (std::size_t r = 0; r < front.rows(); ++r) {
          SpacePoint p{front.number(r, cs), front.number(r, cc)};
          for (std::size_t c : cx) p.push_back(front.number(r, c));
          run.front.push_back(std::move(p));
          dev.union_archs.emplace_back(front.cell(r, ca));  // candidates for now; filtered below
          dev.union_found_by.push_back(fmt::format("{}:s{}", algorithm, seed));
          dev.union_front.push_back(run.front.back());
        }
        res.runs.push_back(std::move(run));
        members.push_back(res.runs.size() - 1);
      }
    }
    // The union front: the non-dominated points of every run's front; one entry per architecture,
    // naming every run that found it.
    const auto pos = non_dominated_positions(normalised(dev.union_front, dev.norm));
    std::map<std::string, std::size_t> first;
    std::vector<SpacePoint> uf;
    std::vector<std::string> ua, ub;
    for (std::size_t p : pos) {
      if (auto it = first.find(dev.union_archs[p]); it != first.end()) {
        ub[it->second] += " " + dev.union_found_by[p];
        continue;
      }
      first.emplace(dev.union_archs[p], uf.size());
      uf.push_back(dev.union_front[p]);
      ua.push_back(dev.union_archs[p]);
      ub.push_back(dev.union_found_by[p]);
    }
    std::vector<std::size_t> order(uf.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return uf[a][1] < uf[b][1] || (uf[a][1] == uf[b][1] && ua[a] < ua[b]); });
    dev.union_front.clear();
    dev.union_archs.clear();
    dev.union_found_by.clear();
    for (std::size_t k : order) {
      dev.union_front.push_back(uf[k]);
      dev.union_archs.push_back(ua[k]);
      dev.union_found_by.push_back(ub[k]);
    }
    dev.union_hv = dev.norm.hv(dev.union_front);
    const auto ref = normalised(dev.union_front, dev.norm);
    for (std::size_t m : members) {
      auto& run = res.runs[m];
      run.hv_ratio = dev.union_hv > 0 ? run.hv / dev.union_hv : 0.0;
      const auto found = normalised(run.front, dev.norm);
      if (!found.empty() && !ref.empty()) {
        run.igd = igd(found, ref);
        run.igd_plus = igd_plus(found, ref);
      }
    }
    res.devices.push_back(std::move(dev));
  }
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return res;
}

std::string SpaceGridResult::results_csv() const {
  std::ostringstream os;
  os.precision(17);
  os << "space,dataset,device,cost_metric,accuracy_signal,algorithm,seed,budget,evaluations,front_size,hv,"
        "hv_ratio_vs_union,igd_vs_union,igd_plus_vs_union,wall_seconds,reused,run_dir\n";
  for (const auto& r : runs) {
    const auto& d = *std::find_if(devices.begin(), devices.end(), [&](const SpaceGridDevice& x) { return x.device == r.device; });
    os << options.space << ',' << (options.dataset.empty() ? make_search_space(options.space, "")->dataset() : options.dataset)
       << ',' << r.device << ',' << d.cost_name << ',' << options.signal.accuracy << ',' << r.algorithm << ',' << r.seed << ','
       << options.budget << ',' << r.evaluations << ',' << r.front_size << ',' << r.hv << ',' << r.hv_ratio << ',' << r.igd
       << ',' << r.igd_plus << ',' << r.wall_seconds << ',' << (r.reused ? 1 : 0) << ',' << r.dir << '\n';
  }
  return os.str();
}

std::string SpaceGridResult::union_fronts_csv() const {
  std::ostringstream os;
  os.precision(17);
  os << "device,cost_metric,arch_str," << signal_column(options) << ",cost,";
  for (const auto& m : options.extra_metrics) os << m << ',';  // 3+ objectives: one column per further cost
  os << "found_by,reference\n";
  for (const auto& d : devices)
    for (std::size_t k = 0; k < d.union_front.size(); ++k) {
      os << d.device << ',' << d.cost_name << ',' << d.union_archs[k];
      for (double v : d.union_front[k]) os << ',' << v;
      os << ',' << d.union_found_by[k] << ",union of grid runs (not a true front)\n";
    }
  return os.str();
}

nlohmann::ordered_json SpaceGridResult::summary_json() const {
  nlohmann::ordered_json j;
  j["space"] = options.space;
  j["objectives"] = options.to_json()["objectives"];
  j["accuracy_signal"] = options.signal.accuracy;
  j["signal_label"] = signal_label(options);
  j["budget"] = options.budget;
  j["seeds"] = options.seeds;
  j["reference_front"] = std::string("union of grid runs, not a true front: the non-dominated set of every run's front "
                                     "on the device; hv_ratio and igd are ") + kUnionFrontLabel;
  j["options"] = options.to_json();
  j["devices"] = nlohmann::ordered_json::array();
  for (const auto& d : devices) {
    nlohmann::ordered_json dj;
    dj["device"] = d.device;
    dj["cost"] = d.cost_name;
    dj["cost_unit"] = d.cost_unit;
    if (!d.norm.extra_costs.empty()) {
      dj["extra_costs"] = nlohmann::ordered_json::array();
      for (const auto& b : d.norm.extra_costs) dj["extra_costs"].push_back({{"name", b.name}, {"unit", b.unit}});
    }
    dj["hv_normalisation"] = d.norm.to_json();
    dj["union_front_size"] = d.union_front.size();
    dj["union_front_hv"] = d.union_hv;
    dj["cells"] = nlohmann::ordered_json::array();
    for (const auto& a : options.algorithms) {
      std::vector<double> hv, ratio, ig, igp, ev, wall;
      for (const auto& r : runs)
        if (r.device == d.device && r.algorithm == a) {
          hv.push_back(r.hv);
          ratio.push_back(r.hv_ratio);
          ig.push_back(r.igd);
          igp.push_back(r.igd_plus);
          ev.push_back(r.evaluations);
          wall.push_back(r.wall_seconds);
        }
      auto ms = [](const std::vector<double>& v) {
        const Stat s = mean_and_std(v);
        return nlohmann::ordered_json{{"mean", s.mean}, {"std", s.std}};
      };
      dj["cells"].push_back({{"algorithm", a}, {"runs", hv.size()}, {"hv", ms(hv)}, {"hv_ratio_vs_union", ms(ratio)},
                             {"igd_vs_union", ms(ig)}, {"igd_plus_vs_union", ms(igp)}, {"evaluations", ms(ev)}});
    }
    j["devices"].push_back(dj);
  }
  j["wall_seconds"] = wall_seconds;
  return j;
}

std::string SpaceGridResult::text_table() const {
  std::string t = fmt::format("{:<10} {:<28} {:>5} {:>16} {:>22} {:>22}\n", "device", "algorithm", "runs", "HV (fixed norm)",
                              "HV ratio vs union", "IGD vs union");
  const auto j = summary_json();
  for (const auto& d : j["devices"])
    for (const auto& c : d["cells"])
      t += fmt::format("{:<10} {:<28} {:>5} {:>8.4f} ± {:<6.4f} {:>13.4f} ± {:<6.4f} {:>13.4f} ± {:<6.4f}\n",
                       d["device"].get<std::string>(), c["algorithm"].get<std::string>(), json_fields::get_integral<int>(c["runs"]),
                       c["hv"]["mean"].get<double>(), c["hv"]["std"].get<double>(), c["hv_ratio_vs_union"]["mean"].get<double>(),
                       c["hv_ratio_vs_union"]["std"].get<double>(), c["igd_vs_union"]["mean"].get<double>(),
                       c["igd_vs_union"]["std"].get<double>());
  return t;
}

std::string SpaceGridResult::summary_markdown() const {
  std::string m = fmt::format("# {} benchmark grid: budget {}, {} seed(s), signal: {}\n\n", options.space, options.budget,
                              options.seeds, signal_label(options));
  m += fmt::format("Reference front: **union of grid runs, not a true front** (the non-dominated set of every run's front on "
                   "the device). Objectives: {}. HV in the fixed normalisation of each device (signal {}..{}, each cost between "
                   "the space's exact minimum and maximum{}); HV ratio and IGD are {}.\n\n",
                   options.to_json()["objectives"].dump(), 0, 100,
                   options.extra_metrics.empty() ? "" : "; exact n-objective HV with pagmo2", kUnionFrontLabel);
  const auto j = summary_json();
  for (const auto& d : j["devices"]) {
    std::string costs = d["cost"].get<std::string>();
    if (d.contains("extra_costs"))
      for (const auto& x : d["extra_costs"]) costs += ", " + x["name"].get<std::string>();
    m += fmt::format("## {} ({}, union front: {} points, HV {:.4f})\n\n", d["device"].get<std::string>(), costs, json_fields::get_integral<std::size_t>(d["union_front_size"]), d["union_front_hv"].get<double>());
    m += "| algorithm | runs | HV (fixed normalisation) | HV ratio vs union of grid runs | IGD vs union of grid runs |\n|---|---|---|---|---|\n";
    for (const auto& c : d["cells"])
      m += fmt::format("| {} | {} | {:.4f} ± {:.4f} | {:.4f} ± {:.4f} | {:.4f} ± {:.4f} |\n", c["algorithm"].get<std::string>(),
                       json_fields::get_integral<int>(c["runs"]), c["hv"]["mean"].get<double>(), c["hv"]["std"].get<double>(),
                       c["hv_ratio_vs_union"]["mean"].get<double>(), c["hv_ratio_vs_union"]["std"].get<double>(),
                       c["igd_vs_union"]["mean"].get<double>(), c["igd_vs_union"]["std"].get<double>());
    m += "\n";
  }
  return m;
}

void SpaceGridResult::write(const std::string& dir) const {
  fs::create_directories(dir);
  auto put = [&](const std::string& name, const std::string& text) { write_file_atomic((fs::path(dir) / name).string(), text); };
  put("results.csv", results_csv());
  put("union_fronts.csv", union_fronts_csv());
  put("summary.json", summary_json().dump(2) + "\n");
  put("summary.md", summary_markdown());
}

}  // namespace pelnas
