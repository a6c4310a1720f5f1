#include "predictor/proxy_computer.h"

#include "common/error.h"

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
  if (!factory())
    throw Error("zero-cost proxies need the LibTorch back end, and this pelnas was built without it "
                "(configure with -DPELNAS_WITH_TORCH=ON)");
  return factory()(options);
}

}  // namespace pelnas
