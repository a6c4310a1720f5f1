// Zero-cost proxies and the accuracy predictor from Python (pelnas._core.proxies / .predicted_accuracy).
// The module stays torch-free: both reach LibTorch through the core's plugin interface
// (predictor/torch_plugin.h), which opens libpelnas_torch.so on the first call, as the CLI does;
// without the plugin the call raises pelnas.Error naming the paths tried.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "data/benchmark_data.h"
#include "data/data_dir.h"
#include "evaluate/accuracy_sources.h"
#include "predictor/proxy_computer.h"

#include <algorithm>

namespace py = pybind11;

namespace {

std::vector<pelnas::Arch> parse_archs(const std::vector<std::string>& archs, const pelnas::BenchmarkData& data) {
  std::vector<pelnas::Arch> out;
  for (const auto& a : archs) out.push_back(data.arch(data.index_of(a)));  // arch string or NB201 index
  return out;
}

}  // namespace

void bind_proxies(py::module_& m) {
  m.def(
      "proxies",
      [](const std::vector<std::string>& archs, const std::string& dataset, int batch_size, std::uint64_t seed,
         const std::vector<std::string>& names, const std::optional<std::string>& data_dir, int threads) {
        std::vector<pelnas::ProxyValues> values;
        std::vector<std::string> columns;
        {
          py::gil_scoped_release release;
          pelnas::ProxyOptions o;
          o.dataset = pelnas::dataset_from_string(dataset);
          o.batch_size = batch_size;
          o.seed = seed;
          o.data_dir = pelnas::resolve_data_dir(data_dir);
          o.threads = threads;
          o.proxies = names;
          const auto data = pelnas::BenchmarkData::load(o.data_dir);
          const auto parsed = parse_archs(archs, *data);
          auto computer = pelnas::make_proxy_computer(o);  // opens the LibTorch plugin
          for (const auto& a : parsed) {
            {  // Ctrl-C between networks
              py::gil_scoped_acquire acquire;
              if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            }
            values.push_back(computer->compute(a));
          }
          for (auto n : pelnas::kProxyNames)
            if (names.empty() || std::find(names.begin(), names.end(), n) != names.end()) columns.emplace_back(n);
        }
        py::dict out;
        for (const auto& c : columns) {
          py::list col;
          for (const auto& v : values) {
            const auto it = v.find(c);
            col.append(it != v.end() && it->second ? py::cast(*it->second) : py::none());
          }
          out[py::str(c)] = col;
        }
        return out;
      },
      py::arg("archs"), py::arg("dataset") = "cifar10", py::arg("batch_size") = 64, py::arg("seed") = 0,
      py::arg("proxies") = std::vector<std::string>{}, py::arg("data_dir") = py::none(), py::arg("threads") = 2);
  m.def(
      "predicted_accuracy",
      [](const std::vector<std::string>& archs, const std::string& dataset, const std::optional<std::string>& data_dir,
         int threads) {
        std::vector<std::optional<double>> acc;
        {
          py::gil_scoped_release release;
          pelnas::AccuracySourceOptions o;
          o.data = pelnas::BenchmarkData::load(pelnas::resolve_data_dir(data_dir));
          o.dataset = pelnas::dataset_from_string(dataset);
          o.threads = threads;
          const auto source = pelnas::make_accuracy_source("predictor", o);
          const auto parsed = parse_archs(archs, *o.data);
          std::vector<int> indices;
          for (const auto& a : parsed) indices.push_back(o.data->index_of(a));
          acc = source->accuracies(indices, parsed);
        }
        return acc;
      },
      py::arg("archs"), py::arg("dataset") = "cifar10", py::arg("data_dir") = py::none(), py::arg("threads") = 2);
}
