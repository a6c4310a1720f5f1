// pelnas._core.Study: ask/tell over the C++ Study (src/study/study.h). Waiting calls release the
// GIL and check for Ctrl-C every 50 ms; tell() converts a number, a sequence or a dict of values.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "common/error.h"
#include "study/study.h"

namespace py = pybind11;
using pelnas::Candidate;
using pelnas::Study;

namespace {

nlohmann::json to_json(const py::handle& obj) {
  const auto json = py::module_::import("json");
  return nlohmann::json::parse(py::cast<std::string>(json.attr("dumps")(obj)));
}

py::object from_json(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

double as_number(const py::handle& v, const std::string& what) {
  if (!py::isinstance<py::float_>(v) && !py::isinstance<py::int_>(v) && !py::hasattr(v, "__float__"))
    throw py::type_error(fmt::format("{}: expected a number, got {}", what, py::str(py::type::of(v).attr("__name__")).cast<std::string>()));
  if (py::isinstance<py::bool_>(v)) throw py::type_error(what + ": expected a number, got bool");
  return py::cast<double>(py::float_(py::reinterpret_borrow<py::object>(v)));
}

// values: a number (one told objective), a sequence in told_names() order, or {name: value}.
std::vector<double> told_values(const Study& s, std::int64_t id, const py::handle& values) {
  const auto& names = s.told_names();
  const std::string who = fmt::format("tell(candidate {})", id);
  std::vector<double> out;
  if (py::isinstance<py::dict>(values)) {
    const auto d = py::reinterpret_borrow<py::dict>(values);
    for (const auto& n : names) {
      if (!d.contains(n)) throw pelnas::Error(fmt::format("{}: no value for '{}' in the dict", who, n));
      out.push_back(as_number(d[py::str(n)], who + " '" + n + "'"));
    }
    if (d.size() != names.size()) {
      for (const auto& [k, v] : d) {
        const auto key = py::str(k).cast<std::string>();
        if (std::find(names.begin(), names.end(), key) == names.end())
          throw pelnas::Error(fmt::format("{}: unknown value name '{}' (told values: {})", who, key, fmt::join(names, ", ")));
      }
    }
    return out;
  }
  if (py::isinstance<py::str>(values) || py::isinstance<py::bytes>(values))
    throw py::type_error(who + ": expected a number, a sequence of numbers or a dict, got str");
  if (py::isinstance<py::float_>(values) || py::isinstance<py::int_>(values)) return {as_number(values, who)};
  if (!py::isinstance<py::sequence>(values) && !py::hasattr(values, "__iter__"))
    throw py::type_error(fmt::format("{}: expected a number, a sequence of numbers or a dict, got {}", who,
                                     py::str(py::type::of(values).attr("__name__")).cast<std::string>()));
  std::size_t i = 0;
  for (const auto& v : values) out.push_back(as_number(v, fmt::format("{} value {}", who, i++)));
  return out;
}

// Runs `f` without the GIL, checking for Ctrl-C (KeyboardInterrupt) every 50 ms.
template <class F>
auto waiting(F&& f) {
  py::gil_scoped_release release;
  return f([] {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  });
}

}  // namespace

void bind_study(py::module_& m) {
  py::class_<Candidate>(m, "Candidate", "One architecture the search asks you to evaluate.")
      .def_readonly("id", &Candidate::id, "what tell()/tell_failed() take")
      .def_property_readonly("arch", [](const Candidate& c) { return c.arch.str(); }, "NB201 architecture string")
      .def_readonly("index", &Candidate::index, "NB201 index")
      .def_readonly("niche", &Candidate::niche, "PEL-NAS niche (-1 without niches)")
      .def_readonly("generation", &Candidate::generation)
      .def("__repr__", [](const Candidate& c) {
        return fmt::format("Candidate(id={}, arch='{}', index={}, niche={}, generation={})", c.id, c.arch.str(), c.index,
                           c.niche, c.generation);
      });

  py::class_<Study>(m, "Study", "An ask/tell study (see help(pelnas.Study)).")
      .def_static(
          "_create",
          [](const py::dict& options, const std::string& run_dir) {
            const auto o = pelnas::StudyOptions::from_json(to_json(options));
            py::gil_scoped_release release;  // loading data, computing the true front
            return Study::create(o, run_dir);
          },
          py::arg("options"), py::arg("run_dir"))
      .def_static(
          "resume",
          [](const std::string& run_dir) {
            py::gil_scoped_release release;
            return Study::resume(run_dir);
          },
          py::arg("run_dir"), "Continue the study in run_dir: told values are replayed, pending ones asked again.")
      .def(
          "ask",
          [](Study& s) { return waiting([&](auto poll) { return s.ask(poll); }); },
          "The candidates to evaluate (all asked and untold ones; waits for the next batch). [] = finished.")
      .def(
          "tell",
          [](Study& s, std::int64_t id, const py::object& values) { s.tell(id, told_values(s, id, values)); },
          py::arg("id"), py::arg("values"),
          "Record the values of candidate `id`: a number, a sequence in told_names order, or a dict.")
      .def("tell_failed", &Study::tell_failed, py::arg("id"), py::arg("reason"),
           "Record that candidate `id` could not be evaluated (it is not asked again).")
      .def("close", [](Study& s) {
        py::gil_scoped_release release;
        s.close();
      }, "Stop the search; the run directory stays resumable with Study.resume.")
      .def_property_readonly("finished", &Study::finished)
      .def_property_readonly("run_dir", &Study::run_dir)
      .def_property_readonly("told_names", &Study::told_names, "what tell() takes, in order")
      .def_property_readonly("options", [](const Study& s) { return from_json(s.options().to_json()); })
      .def("summary", [](const Study& s) { return from_json(s.summary()); }, "summary.json of a finished study ({} before)")
      .def("__enter__", [](Study& s) -> Study& { return s; }, py::return_value_policy::reference)
      .def("__exit__", [](Study& s, py::args) {
        py::gil_scoped_release release;
        s.close();
      });
}
