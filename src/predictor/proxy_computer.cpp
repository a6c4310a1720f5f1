#include "predictor/proxy_computer.h"

#include "common/error.h"
#include "predictor/torch_plugin.h"

namespace pelnas {

namespace {
ProxyComputerFactory& factory() {
  static ProxyComputerFactory f;
  return f;
}
}  // namespace

void set_proxy_computer_factory(ProxyComputerFactory f) { factory() = std::move(f); }
bool have_proxy_computer() { return static_cast<bool>(factory()); }

std::unique_ptr<ProxyComputer> make_proxy_computer(const ProxyOptions& options) {
  if (!factory()) load_torch_plugin();  // on demand; throws naming the paths tried
  if (!factory()) throw Error("the LibTorch plugin loaded but installed no proxy back end");
  return factory()(options);
}

}  // namespace pelnas
