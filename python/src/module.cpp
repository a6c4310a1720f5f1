// The pelnas extension module (pelnas._core). Errors pelnas reports to a user (pelnas::Error,
// the CLI's exit-2 errors, same messages) become pelnas.Error, a ValueError.
#include <pybind11/pybind11.h>

#include "common/error.h"

namespace py = pybind11;

void bind_study(py::module_& m);
void bind_runs(py::module_& m);
void bind_proxies(py::module_& m);

PYBIND11_MODULE(_core, m) {
  m.doc() = "pelnas: hardware-aware NAS (PEL-NAS) - C++ core";
  m.attr("__version__") = PELNAS_VERSION;
  static py::exception<pelnas::Error> error(m, "Error", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const pelnas::Error& e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });
  bind_study(m);
  bind_runs(m);
  bind_proxies(m);
}
