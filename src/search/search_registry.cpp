#include "common/error.h"
#include "search/search.h"

namespace pelnas {

SearchRegistry& SearchRegistry::instance() {
  static SearchRegistry r = [] {
    SearchRegistry fresh;
    register_builtin_searches(fresh);
    return fresh;
  }();
  return r;
}

void SearchRegistry::add(const std::string& name, const std::string& description, Factory factory) {
  for (auto& e : entries_)
    if (e.name == name) {
      e = {name, description, std::move(factory)};
      return;
    }
  entries_.push_back({name, description, std::move(factory)});
}

std::unique_ptr<Search> SearchRegistry::make(const std::string& name, const nlohmann::json& options) const {
  for (const auto& e : entries_)
    if (e.name == name) return e.factory(options);
  std::string valid;
  for (const auto& e : entries_) valid += (valid.empty() ? "" : ", ") + e.name;
  throw Error("unknown search algorithm '" + name + "' (valid: " + valid + ")");
}

std::vector<std::string> SearchRegistry::names() const {
  std::vector<std::string> n;
  for (const auto& e : entries_) n.push_back(e.name);
  return n;
}

std::string SearchRegistry::description(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return e.description;
  return {};
}

}  // namespace pelnas
