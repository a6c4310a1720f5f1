#include "predictor/proxy_computer.h"

#include "common/error.h"
#include "predictor/torch_plugin.h"

namespace pelnas {

namespace {
ProxyComputerFactory& factory() {
  static ProxyComputerFactory f;
  return f;
}
SpaceProxyComputerFactory& space_factory() {
  static SpaceProxyComputerFactory f;
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

void set_space_proxy_computer_factory(SpaceProxyComputerFactory f) { space_factory() = std::move(f); }

void require_space_proxy_backend() {
  if (!space_factory()) load_torch_plugin();  // on demand; throws naming the paths tried
  if (!space_factory()) throw Error("the LibTorch plugin loaded but installed no proxy back end for search spaces");
}

std::unique_ptr<SpaceProxyComputer> make_space_proxy_computer(const ProxyOptions& options) {
  require_space_proxy_backend();
  return space_factory()(options);
}

}  // namespace pelnas
