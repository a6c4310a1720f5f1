#include "cli/suggest.h"

#include <algorithm>
#include <fmt/format.h>

#include "common/did_you_mean.h"

namespace pelnas::cli {

namespace {

// The options a command accepts: its own and, through fallthrough, its parents'.
std::vector<const CLI::Option*> visible_options(const CLI::App* app) {
  std::vector<const CLI::Option*> out;
  for (const CLI::App* a = app; a; a = a->get_parent())
    for (const CLI::Option* o : a->get_options()) out.push_back(o);
  return out;
}

const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
  for (const CLI::Option* o : visible_options(app))
    if (o->check_name(name)) return o;
  return nullptr;
}

std::vector<std::string> subcommand_names(CLI::App* app) {
  std::vector<std::string> out;
  for (CLI::App* s : app->get_subcommands([](CLI::App*) { return true; }))
    if (!s->get_name().empty()) out.push_back(s->get_name());
  return out;
}

std::string hint(const std::string& guess) { return guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess); }

}  // namespace

std::string explain_unknown_word(CLI::App& root, const std::vector<std::string>& args) {
  CLI::App* app = &root;
  std::string path = "pelnas";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-') {
      std::string name = arg.substr(0, arg.find('='));
      if (name.size() > 2 && name[1] != '-') name = name.substr(0, 2);  // -vx, -n5: the first short flag
      const CLI::Option* o = find_option(app, name);
      if (!o) {
        std::vector<std::string> names;
        for (const CLI::Option* v : visible_options(app)) {
          for (const auto& l : v->get_lnames()) names.push_back("--" + l);
          for (const auto& s : v->get_snames()) names.push_back("-" + s);
        }
        return fmt::format("unknown option '{}' for '{}'{}", name, path, hint(closest_match(name, names)));
      }
      // Skip the option's value when it takes one and it was not attached (--x=1, -o1).
      const bool attached = arg.find('=') != std::string::npos || (name[1] != '-' && arg.size() > 2);
      if (!attached && o->get_type_size_max() > 0) ++i;
      continue;
    }
    const auto subs = subcommand_names(app);
    if (std::find(subs.begin(), subs.end(), arg) != subs.end()) {
      app = app->get_subcommand(arg);
      path += " " + arg;
      continue;
    }
    // A positional argument of a command that has subcommands but none yet: an unknown command.
    if (!subs.empty() && app->get_require_subcommand_min() > 0)
      return fmt::format("unknown command '{}' for '{}'{}; commands: {}", arg, path, hint(closest_match(arg, subs)),
                         fmt::join(subs, ", "));
  }
  return "";
}

}  // namespace pelnas::cli
