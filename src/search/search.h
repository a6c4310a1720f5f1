#pragma once
// A search strategy: value-type options in, archive out. Every search takes a seeded Rng, spends
// exactly the Problem's budget (or less if stopped or the space runs out), and reports after each
// generation to a callback that may stop it (Ceres' IterationCallback).
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/rng.h"
#include "search/problem.h"

namespace pelnas {

struct GenerationReport {
  int generation = 0;
  int evaluations = 0;
  const Archive* archive = nullptr;
};

enum class CallbackAction { Continue, Stop };
using GenerationCallback = std::function<CallbackAction(const GenerationReport&)>;

class Search {
 public:
  virtual ~Search() = default;
  virtual std::string name() const = 0;
  // Runs until the budget is spent, the callback says Stop, or the search has nothing left to try.
  virtual void run(Problem& problem, Rng& rng, const GenerationCallback& callback) = 0;
  // Called before run() by those who set the budget (CLI, benchmark grid): throws pelnas::Error
  // saying what to change when this search's own plan cannot spend `budget` or needs more.
  virtual void check_budget(int /*budget*/) const {}
};

// Searches by name ("random", "rea", "nsga2", "exhaustive", "pelnas"), with options as JSON so
// configs and the CLI can pass them through; unknown option keys are errors.
class SearchRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Search>(const nlohmann::json& options)>;
  static SearchRegistry& instance();
  void add(const std::string& name, const std::string& description, Factory factory);
  std::unique_ptr<Search> make(const std::string& name, const nlohmann::json& options = nlohmann::json::object()) const;
  std::vector<std::string> names() const;
  std::string description(const std::string& name) const;

 private:
  struct Entry {
    std::string name, description;
    Factory factory;
  };
  std::vector<Entry> entries_;
};

// Defined in search/builtin_searches.cpp: the one list of built-in searches (static registrars
// would be dropped by the linker from a static library).
void register_builtin_searches(SearchRegistry& registry);

}  // namespace pelnas
