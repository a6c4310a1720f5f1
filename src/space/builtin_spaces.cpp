// The one list of built-in search spaces. Add a new space here (one entry) after writing it; the
// conformance test (tests/space/search_space_conformance_test.cpp) then runs it on every dataset.
#include "space/fbnet_space.h"
#include "space/nb201_space.h"
#include "space/search_space.h"

#include <fmt/format.h>

namespace pelnas {

void register_builtin_spaces(SearchSpaceRegistry& registry) {
  registry.add({"nb201", "NAS-Bench-201 cell: 6 edges x 5 operations (15,625 cells)",
                {"cifar10", "cifar100", "ImageNet16-120"}, [](const std::string& dataset) -> std::unique_ptr<SearchSpace> {
                  if (dataset != "cifar10" && dataset != "cifar100" && dataset != "ImageNet16-120")
                    throw Error(fmt::format("the nb201 space has no dataset '{}' (valid: cifar10, cifar100, ImageNet16-120)",
                                            dataset));
                  return std::make_unique<Nb201Space>(dataset);
                }});
  registry.add({"fbnet", "HW-NAS-Bench FBNet: 22 layers x 9 blocks (about 9.8e20 networks)", {"cifar100", "ImageNet"},
                [](const std::string& dataset) -> std::unique_ptr<SearchSpace> {
                  return std::make_unique<FbnetSpace>(fbnet_dataset_from_string(dataset));
                }});
}

}  // namespace pelnas
