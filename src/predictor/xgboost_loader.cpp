// XGBoost's C API, opened with dlopen on first use instead of linked: libxgboost brings OpenMP,
// which would otherwise load (and read its settings) at the start of every command, and which
// LibTorch shares. Each function pelnas calls is a trampoline with XGBoost's own prototype
// (from xgboost/c_api.h, so the compiler checks the signatures) forwarding to the library's symbol.
// A new XGBoost call needs one more line below (the link fails with an undefined XGB* symbol).
#include <dlfcn.h>
#include <xgboost/c_api.h>

#include <mutex>
#include <string>

#include "common/error.h"
#include "pelnas_build_paths.h"
#include "predictor/torch_plugin.h"

namespace pelnas {
namespace {

void* xgboost_handle() {
  static std::once_flag once;
  static void* handle = nullptr;
  static std::string failure;
  std::call_once(once, [] {
    prefer_passive_openmp();
    for (const char* name : {"libxgboost.so.0", PELNAS_XGBOOST_LIBRARY}) {
      handle = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (handle) return;
      failure += std::string("\n  ") + name + ": " + ::dlerror();
    }
  });
  if (!handle) throw Error("the XGBoost library could not be loaded (Debian package libxgboost0). Tried:" + failure);
  return handle;
}

template <class F>
F xgboost_symbol(const char* name) {
  void* s = ::dlsym(xgboost_handle(), name);
  if (!s) throw Error(std::string("the XGBoost library has no symbol ") + name + " (version mismatch?)");
  return reinterpret_cast<F>(s);
}

}  // namespace
}  // namespace pelnas

#define PELNAS_XGB_FORWARD(ret, name, params, args)                                          \
  XGB_DLL ret name params {                                                                  \
    static const auto fn = pelnas::xgboost_symbol<decltype(&name)>(#name);                   \
    return fn args;                                                                          \
  }

PELNAS_XGB_FORWARD(const char*, XGBGetLastError, (), ())
PELNAS_XGB_FORWARD(int, XGBSetGlobalConfig, (char const* config), (config))
PELNAS_XGB_FORWARD(int, XGBoosterCreate, (const DMatrixHandle dmats[], bst_ulong len, BoosterHandle* out),
                   (dmats, len, out))
PELNAS_XGB_FORWARD(int, XGBoosterFree, (BoosterHandle handle), (handle))
PELNAS_XGB_FORWARD(int, XGBoosterGetNumFeature, (BoosterHandle handle, bst_ulong* out), (handle, out))
PELNAS_XGB_FORWARD(int, XGBoosterLoadModel, (BoosterHandle handle, const char* fname), (handle, fname))
PELNAS_XGB_FORWARD(int, XGBoosterSaveModel, (BoosterHandle handle, const char* fname), (handle, fname))
PELNAS_XGB_FORWARD(int, XGBoosterPredictFromDense,
                   (BoosterHandle handle, char const* values, char const* config, DMatrixHandle m,
                    bst_ulong const** out_shape, bst_ulong* out_dim, const float** out_result),
                   (handle, values, config, m, out_shape, out_dim, out_result))
PELNAS_XGB_FORWARD(int, XGBoosterSaveModelToBuffer,
                   (BoosterHandle handle, char const* config, bst_ulong* out_len, char const** out_dptr),
                   (handle, config, out_len, out_dptr))
PELNAS_XGB_FORWARD(int, XGBoosterSetParam, (BoosterHandle handle, const char* name, const char* value),
                   (handle, name, value))
PELNAS_XGB_FORWARD(int, XGBoosterUpdateOneIter, (BoosterHandle handle, int iter, DMatrixHandle dtrain),
                   (handle, iter, dtrain))
PELNAS_XGB_FORWARD(int, XGDMatrixCreateFromMat,
                   (const float* data, bst_ulong nrow, bst_ulong ncol, float missing, DMatrixHandle* out),
                   (data, nrow, ncol, missing, out))
PELNAS_XGB_FORWARD(int, XGDMatrixFree, (DMatrixHandle handle), (handle))
PELNAS_XGB_FORWARD(int, XGDMatrixSetFloatInfo,
                   (DMatrixHandle handle, const char* field, const float* array, bst_ulong len),
                   (handle, field, array, len))
PELNAS_XGB_FORWARD(int, XGDMatrixSetUIntInfo,
                   (DMatrixHandle handle, const char* field, const unsigned* array, bst_ulong len),
                   (handle, field, array, len))
