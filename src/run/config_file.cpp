#include "run/config_file.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <fmt/format.h>
#include <regex>

#include "common/error.h"
#include "common/json_fields.h"
#include "pelnas_build_paths.h"

namespace pelnas {

namespace {

bool skipped(const std::string& name) {
  return name == "help" || name == "help-all" || name == "config" || name == "json" || name == "version";
}

const std::string* long_name(const CLI::Option& opt) {
  const auto& l = opt.get_lnames();
  return l.empty() ? nullptr : &l.front();
}

// CLI11 marks flags by expecting no value (the same test its own config reader uses).
bool is_flag(const CLI::Option& opt) { return opt.get_expected_min() == 0; }

std::optional<bool> parse_bool(const std::string& s) {
  static const char* yes[] = {"true", "1", "yes", "on", "+"};
  static const char* no[] = {"false", "0", "no", "off", "-"};
  for (auto* y : yes)
    if (s == y) return true;
  for (auto* n : no)
    if (s == n) return false;
  return std::nullopt;
}

// Typed JSON from CLI11's strings for one spec; null when it cannot be read.
nlohmann::json typed(const config::OptionSpec& spec, const std::vector<std::string>& strings) {
  try {
    switch (spec.type) {
      case config::ValueType::Bool: {
        if (strings.empty()) return nullptr;
        auto b = parse_bool(strings.back());
        return b ? nlohmann::json(*b) : nlohmann::json(nullptr);
      }
      case config::ValueType::Int:
        return strings.empty() || strings.back().empty() ? nlohmann::json(nullptr) : nlohmann::json(std::stoll(strings.back()));
      case config::ValueType::Double:
        return strings.empty() || strings.back().empty() ? nlohmann::json(nullptr) : nlohmann::json(std::stod(strings.back()));
      case config::ValueType::String:
        return strings.empty() ? nlohmann::json(nullptr) : nlohmann::json(strings.back());
      case config::ValueType::StringList:
        return nlohmann::json(strings);
    }
  } catch (const std::exception&) {
  }
  return nullptr;
}

// CLI11 writes list defaults as "[a,b]".
std::vector<std::string> default_strings(const CLI::Option& opt, bool list) {
  std::string d = opt.get_default_str();
  if (d.empty()) return {};
  if (!list) return {d};
  if (d.size() >= 2 && d.front() == '[' && d.back() == ']') d = d.substr(1, d.size() - 2);
  std::vector<std::string> out;
  std::size_t b = 0;
  while (b <= d.size() && !d.empty()) {
    auto e = d.find(',', b);
    out.push_back(d.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

config::OptionSpec spec_of(const CLI::Option& opt, const std::string& name) {
  config::OptionSpec spec;
  spec.key = name;
  spec.help = opt.get_description();
  const std::string type_name = opt.get_type_name();
  const std::string base = type_name.substr(0, type_name.find(':'));
  const bool list = opt.get_items_expected_max() > 1;
  if (is_flag(opt) || base == "BOOLEAN") spec.type = config::ValueType::Bool;
  else if (list) spec.type = config::ValueType::StringList;
  else if (base == "INT" || base == "UINT") spec.type = config::ValueType::Int;
  else if (base == "FLOAT") spec.type = config::ValueType::Double;
  else spec.type = config::ValueType::String;
  if (base == "UINT") spec.min = 0;
  // CLI::Range describes itself as "INT in [1 - 100]"; CLI::IsMember as "{a,b,c}".
  static const std::regex range(R"(in \[([-+0-9.eE]+) - ([-+0-9.eE]+)\])");
  static const std::regex member(R"(\{([^}]*)\})");
  std::smatch m;
  if (spec.type == config::ValueType::Int || spec.type == config::ValueType::Double) {
    if (std::regex_search(type_name, m, range)) {
      spec.min = std::stod(m[1].str());
      spec.max = std::stod(m[2].str());
    }
  } else if (spec.type != config::ValueType::Bool && std::regex_search(type_name, m, member)) {
    const std::string items = m[1].str();
    std::size_t b = 0;
    for (;;) {
      auto e = items.find(',', b);
      std::string item = items.substr(b, e == std::string::npos ? std::string::npos : e - b);
      if (!item.empty()) spec.choices.push_back(item);
      if (e == std::string::npos) break;
      b = e + 1;
    }
  }
  if (is_flag(opt)) spec.default_value = false;
  else spec.default_value = typed(spec, default_strings(opt, list));
  return spec;
}

}  // namespace

std::vector<std::string> config_file_candidates(const std::string& given) {
  namespace fs = std::filesystem;
  std::vector<std::string> out = {given};
  if (fs::path(given).is_relative()) {
    // The shipped examples (examples/search.toml) from any working directory: the source tree this
    // pelnas was built from, then an installed PREFIX/share/pelnas/.
    out.push_back((fs::path(PELNAS_SOURCE_DIR) / given).string());
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) out.push_back((exe.parent_path().parent_path() / "share" / "pelnas" / given).lexically_normal().string());
  }
  return out;
}

void add_config_option(CLI::App* cmd, std::string& path) {
  cmd->add_option("--config", path,
                  "TOML file of options (keys = long option names, e.g. generations = 10); flags given here override it. "
                  "A relative path not found here is also looked up in pelnas's source tree and PREFIX/share/pelnas "
                  "(so examples/search.toml works from any directory)")
      ->transform(CLI::Validator(
          [](std::string& p) {
            std::string tried;
            for (const auto& c : config_file_candidates(p)) {
              if (std::filesystem::is_regular_file(c)) {
                p = c;
                return std::string();
              }
              tried += (tried.empty() ? "" : ", ") + c;
            }
            return "no such file; looked at " + tried;
          },
          "FILE"));
}

config::Schema schema_from_app(const CLI::App& cmd) {
  config::Schema schema;
  for (const CLI::Option* opt : cmd.get_options()) {
    const std::string* name = long_name(*opt);
    // Hidden options (empty help group: test hooks) are no user-facing TOML keys.
    if (!name || skipped(*name) || opt->get_group().empty()) continue;
    config::OptionSpec spec = spec_of(*opt, *name);
    try {
      schema.add(spec);
    } catch (const Error&) {
      spec.default_value = nullptr;  // a default outside its own validator: keep the option, drop the default
      schema.add(spec);
    }
  }
  return schema;
}

nlohmann::json apply_config_file(const std::string& path, CLI::App* cmd, std::map<std::string, long>* lines_out) {
  const config::Schema schema = schema_from_app(*cmd);
  std::map<std::string, long> lines;
  const nlohmann::json values = schema.read_toml_file(path, &lines);
  nlohmann::json applied = nlohmann::json::object();
  for (auto& [key, value] : values.items()) {
    CLI::Option* opt = cmd->get_option_no_throw("--" + key);
    if (!opt) throw InputError(path, lines[key], "key '" + key + "' names no option of '" + cmd->get_name() + "'");
    if (opt->count() > 0) continue;  // given on the command line: the flag wins
    std::vector<std::string> strings;
    if (value.is_array())
      for (auto& e : value) strings.push_back(e.get<std::string>());
    else if (value.is_boolean()) strings.push_back(value.get<bool>() ? "true" : "false");
    else if (value.is_string()) strings.push_back(value.get<std::string>());
    else if (value.is_number_integer()) strings.push_back(std::to_string(json_fields::get_integral<long long>(value)));
    else strings.push_back(fmt::format("{}", value.get<double>()));
    try {
      if (is_flag(*opt) && !value.get<bool>()) continue;  // "flag = false": leave it unset
      for (auto& s : strings) opt->add_result(s);
      opt->run_callback();
    } catch (const CLI::Error& e) {
      throw InputError(path, lines[key], "key '" + key + "': " + e.what() + "; allowed: " + schema.find(key)->allowed());
    }
    applied[key] = value;
    if (lines_out) (*lines_out)[key] = lines[key];
  }
  return applied;
}

void rethrow_with_config_line(const std::string& path, const std::map<std::string, long>& lines) {
  try {
    throw;
  } catch (const InputError&) {
    throw;  // already names its file and line
  } catch (const Error& e) {
    const std::string msg = e.what();
    auto names = [&msg](const std::string& pattern, bool word_end) {
      for (auto at = msg.find(pattern); at != std::string::npos; at = msg.find(pattern, at + 1)) {
        const std::size_t end = at + pattern.size();
        // "--hv-ref" must not match inside "--hv-refx" or "--hv-ref-x".
        if (!word_end || end == msg.size() || !(std::isalnum(static_cast<unsigned char>(msg[end])) || msg[end] == '-'))
          return true;
      }
      return false;
    };
    for (const auto& [key, line] : lines) {
      std::string snake = key;
      std::replace(snake.begin(), snake.end(), '-', '_');
      // The forms our errors use: "--key", "'key'" / "'key_name'" (option structs), "unknown key '".
      if (names("--" + key, true) || names("'" + key + "'", false) || names("'" + snake + "'", false) ||
          names("unknown " + key + " '", false))
        throw InputError(path, line, msg + " (key '" + key + "')");
    }
    throw;
  }
}

nlohmann::json resolved_options(const CLI::App& cmd) {
  const config::Schema schema = schema_from_app(cmd);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& spec : schema.options()) {
    const CLI::Option* opt = cmd.get_option_no_throw("--" + spec.key);
    if (!opt) continue;
    nlohmann::json v;
    if (opt->count() > 0) {
      v = is_flag(*opt) && opt->results().empty() ? nlohmann::json(true) : typed(spec, opt->results());
      if (is_flag(*opt) && v.is_null()) v = true;  // a flag counted without a readable value was given
    } else {
      v = spec.default_value;
    }
    if (!v.is_null()) out[spec.key] = v;
  }
  return out;
}

}  // namespace pelnas
