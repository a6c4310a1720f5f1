// Reading results into plain Python structures: a run directory (pelnas._core.read_run) and the
// exact true front (pelnas._core.true_front). Tables come back as {column: list}; the Python layer
// turns numeric columns into NumPy arrays and offers to_pandas().
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "hardware/searchable_space.h"
#include "metrics/true_front.h"
#include "report/run_data.h"

namespace py = pybind11;

namespace {

py::object from_json(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

// Rows as {column: list}, one list per named field, in the order given.
template <class Row>
py::dict columns(const std::vector<Row>& rows, const std::vector<std::pair<const char*, py::object (*)(const Row&)>>& fields) {
  py::dict d;
  for (const auto& [name, field] : fields) {
    py::list values;
    for (const auto& r : rows) values.append(field(r));
    d[name] = values;
  }
  return d;
}

py::dict points(const std::vector<pelnas::report::RunPoint>& ps) {
  using P = pelnas::report::RunPoint;
  return columns<P>(ps, {{"order", [](const P& p) { return py::cast(p.order); }},
                         {"generation", [](const P& p) { return py::cast(p.generation); }},
                         {"niche", [](const P& p) { return py::cast(p.niche); }},
                         {"index", [](const P& p) { return py::cast(p.index); }},
                         {"arch", [](const P& p) { return py::cast(p.arch.str()); }},
                         {"seen_accuracy", [](const P& p) { return py::cast(p.seen_accuracy); }},
                         {"true_accuracy", [](const P& p) { return py::cast(p.true_accuracy); }},
                         {"cost", [](const P& p) { return py::cast(p.cost); }}});
}

py::dict metric_rows(const std::vector<pelnas::report::RunMetricRow>& rows) {
  using M = pelnas::report::RunMetricRow;
  return columns<M>(rows, {{"generation", [](const M& m) { return py::cast(m.generation); }},
                           {"evaluations", [](const M& m) { return py::cast(m.evaluations); }},
                           {"hv_ratio", [](const M& m) { return py::cast(m.hv_ratio); }},
                           {"igd", [](const M& m) { return py::cast(m.igd); }},
                           {"igd_plus", [](const M& m) { return py::cast(m.igd_plus); }},
                           {"hv", [](const M& m) { return py::cast(m.hv); }},
                           {"front_size", [](const M& m) { return py::cast(m.front_size); }}});
}

}  // namespace

void bind_runs(py::module_& m) {
  m.def(
      "read_run",
      [](const std::string& dir) {
        pelnas::report::RunData r;
        {
          py::gil_scoped_release release;
          r = pelnas::report::RunData::load(dir);
        }
        py::dict d;
        d["dir"] = r.dir;
        d["state"] = std::string(pelnas::to_string(r.state));
        d["finished"] = r.finished;
        d["config"] = from_json(r.config);
        d["summary"] = from_json(r.summary);
        d["stats"] = from_json(r.stats);
        d["archive"] = points(r.archive);
        d["front"] = points(r.front);
        d["metrics"] = metric_rows(r.metrics);
        return d;
      },
      py::arg("dir"));

  m.def(
      "true_front",
      [](const std::string& dataset, const std::string& device, const std::string& metric, bool include_degenerate,
         const std::optional<std::string>& data_dir) {
        pelnas::Dataset ds{};
        pelnas::TrueFront front;
        std::vector<int> rank, index;
        std::vector<std::string> arch;
        std::vector<double> accuracy, costs;
        {
          py::gil_scoped_release release;
          ds = pelnas::dataset_from_string(dataset);
          auto data = pelnas::BenchmarkData::load(pelnas::resolve_data_dir(data_dir));
          const auto cost = pelnas::make_searchable_cost(data, ds, {device, pelnas::hw_metric_from_string(metric)},
                                                         pelnas::SpaceOptions{include_degenerate});
          front = pelnas::compute_true_front(*data, ds, *cost);
          for (const auto& e : front.entries) {
            rank.push_back(e.rank);
            index.push_back(e.index);
            arch.push_back(data->arch(e.index).str());
            accuracy.push_back(e.accuracy);
            costs.push_back(e.cost);
          }
        }
        py::dict d;
        d["dataset"] = std::string(pelnas::to_string(ds));
        d["cost_name"] = front.cost_name;
        d["cost_unit"] = front.cost_unit;
        d["complete"] = front.complete;
        d["n_candidates"] = front.n_candidates;
        d["excluded_degenerate"] = front.excluded;
        d["rank"] = rank;
        d["index"] = index;
        d["arch"] = arch;
        d["accuracy"] = accuracy;
        d["cost"] = costs;
        return d;
      },
      py::arg("dataset") = "cifar10", py::arg("device") = "fpga", py::arg("metric") = "latency",
      py::arg("include_degenerate") = false, py::arg("data_dir") = std::nullopt);
}
