#pragma once
// Zero-cost proxies of an untrained NB201 network (NAS-Bench-Suite-Zero's 13). The computation
// lives in the LibTorch back end (predictor/*_torch.cpp); torch-free code reaches it through this
// interface and a factory that the torch library installs (see register_torch_proxy_backend).
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/enums.h"
#include "space/arch.h"
#include "space/search_space.h"

namespace pelnas {

inline constexpr std::array<std::string_view, 13> kProxyNames = {
    "epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm",
    "nwot",    "params", "plain", "snip",      "synflow", "zen"};

struct ProxyOptions {
  Dataset dataset = Dataset::Cifar10;
  int batch_size = 64;
  std::uint64_t seed = 0;       // minibatch choice and weight initialisation
  std::string images_path;      // empty: the default sample in <data>/images for the dataset
  std::string data_dir;         // where the default images are
  bool allow_noise_fallback = true;  // Gaussian noise input when no images exist (announced)
  int threads = 2;
  // The proxies to compute (kProxyNames order); empty = all 13. A value does not depend on which
  // other proxies are computed with it.
  std::vector<std::string> proxies;
};

// nullopt = the proxy came out non-finite (recorded as missing, with a warning).
using ProxyValues = std::map<std::string, std::optional<double>, std::less<>>;

class ProxyComputer {
 public:
  virtual ~ProxyComputer() = default;
  virtual ProxyValues compute(const Arch& arch) = 0;
  // Part of the cache key: bump when a proxy definition changes.
  virtual std::string code_version() const = 0;
  virtual std::string input_description() const = 0;  // e.g. "cifar10_train_sample.bin, batch 64"
};

using ProxyComputerFactory = std::function<std::unique_ptr<ProxyComputer>(const ProxyOptions&)>;
// Installed by the torch back end; absent in a torch-free build.
void set_proxy_computer_factory(ProxyComputerFactory factory);
bool have_proxy_computer();
// Loads the LibTorch plugin when no back end is installed yet (predictor/torch_plugin.h); throws
// pelnas::Error naming the paths tried when it cannot.
std::unique_ptr<ProxyComputer> make_proxy_computer(const ProxyOptions& options);

// The same proxies on the network of any search space whose network the torch back end builds
// (has_network_builder(space.name())), e.g. FBNet on cifar100. The space must be built for the
// dataset of the options (its images, classes and input size). The torch back end installs the
// factory (register_torch_proxy_backend), in the plugin as in pelnas_torch; torch-free code reaches
// it through make_space_proxy_computer, which opens the plugin on first need.
class SpaceProxyComputer {
 public:
  virtual ~SpaceProxyComputer() = default;
  virtual ProxyValues compute(const SearchSpace& space, const Encoding& e) = 0;
  // Part of the cache key (e.g. "torch-fbnet-v1"): bump when a proxy or network definition changes.
  virtual std::string code_version(const SearchSpace& space) const = 0;
  virtual std::string input_description() const = 0;
};
using SpaceProxyComputerFactory = std::function<std::unique_ptr<SpaceProxyComputer>(const ProxyOptions&)>;
void set_space_proxy_computer_factory(SpaceProxyComputerFactory factory);
// Loads the LibTorch plugin when no back end is installed yet; throws pelnas::Error naming the
// paths tried when it cannot.
std::unique_ptr<SpaceProxyComputer> make_space_proxy_computer(const ProxyOptions& options);
// Makes sure make_space_proxy_computer can work (loads the plugin unless a back end is installed,
// e.g. linked in); throws pelnas::Error naming the paths tried otherwise.
void require_space_proxy_backend();

// Defined by the LibTorch back end (predictor/proxies_torch.cpp, in the plugin and in pelnas_torch):
// installs its factory and tunes the allocator. The plugin calls it when loaded; programs linked
// with pelnas_torch (torch tests, benchmarks) call it themselves.
void register_torch_proxy_backend();

}  // namespace pelnas
