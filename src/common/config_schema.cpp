#include "common/config_schema.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <sstream>
#include <toml++/toml.h>

#include "common/error.h"
#include "common/json_fields.h"

namespace pelnas::config {

namespace {

std::string num(double v) {
  if (std::floor(v) == v && std::abs(v) < 1e15) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string show(const nlohmann::json& v) {
  return v.is_string() ? "\"" + v.get<std::string>() + "\"" : v.dump();
}

// TOML node -> JSON (scalars and arrays of scalars; tables are flattened by the caller).
nlohmann::json toml_to_json(const toml::node& n) {
  if (auto b = n.as_boolean()) return b->get();
  if (auto i = n.as_integer()) return i->get();
  if (auto f = n.as_floating_point()) return f->get();
  if (auto s = n.as_string()) return s->get();
  if (auto a = n.as_array()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& e : *a) arr.push_back(toml_to_json(e));
    return arr;
  }
  // Dates and times have no option type here; report them by their TOML type.
  return nlohmann::json("<" + std::string(toml::impl::node_type_friendly_names[static_cast<int>(n.type())]) + ">");
}

void flatten(const toml::table& t, const std::string& prefix, const std::string& file, nlohmann::json& out,
             std::map<std::string, long>& lines) {
  for (const auto& [k, v] : t) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const long line = static_cast<long>(v.source().begin.line);
    if (const auto* sub = v.as_table()) {
      flatten(*sub, key, file, out, lines);
      continue;
    }
    lines[key] = line;
    out[key] = toml_to_json(v);
  }
}

}  // namespace

std::string to_string(ValueType t) {
  switch (t) {
    case ValueType::Bool: return "bool";
    case ValueType::Int: return "integer";
    case ValueType::Double: return "number";
    case ValueType::String: return "string";
    case ValueType::StringList: return "list of strings";
  }
  return "?";
}

std::string OptionSpec::allowed() const {
  std::string s;
  switch (type) {
    case ValueType::Bool: return "true or false";
    case ValueType::Int:
    case ValueType::Double: {
      s = to_string(type);
      if (min && max) s += " in [" + num(*min) + ", " + num(*max) + "]";
      else if (min) s += " >= " + num(*min);
      else if (max) s += " <= " + num(*max);
      return s;
    }
    case ValueType::String:
    case ValueType::StringList:
      s = to_string(type);
      if (!choices.empty()) s += (type == ValueType::String ? ", one of: " : ", each one of: ") + join(choices, ", ");
      return s;
  }
  return s;
}

Schema& Schema::add(OptionSpec spec) {
  if (find(spec.key)) throw Error("config schema: duplicate key '" + spec.key + "'");
  options_.push_back(spec);
  if (!spec.default_value.is_null()) {
    try {
      options_.back().default_value = validate(spec.key, spec.default_value, "config schema default");
    } catch (...) {
      options_.pop_back();
      throw;
    }
  }
  return *this;
}

std::string normalise_key(const std::string& key) {
  std::string k = key;
  for (char& c : k)
    if (c == '_' || c == '.') c = '-';
  return k;
}

const OptionSpec* Schema::find(const std::string& key) const {
  const std::string k = normalise_key(key);
  for (const auto& o : options_)
    if (normalise_key(o.key) == k) return &o;
  return nullptr;
}

nlohmann::json Schema::validate(const std::string& key, const nlohmann::json& value, const std::string& file,
                                long line) const {
  const OptionSpec* spec = find(key);
  if (!spec) {
    std::vector<std::string> keys;
    for (const auto& o : options_) keys.push_back(o.key);
    throw InputError(file, line, "unknown key '" + key + "'; valid keys: " + join(keys, ", "));
  }
  auto bad = [&](const std::string& why) {
    throw InputError(file, line, "key '" + key + "': " + why + "; allowed: " + spec->allowed());
  };
  auto check_range = [&](double v) {
    if (!std::isfinite(v)) bad(show(value) + " is not a finite number");
    if ((spec->min && v < *spec->min) || (spec->max && v > *spec->max)) bad(show(value) + " is out of range");
  };
  auto check_choice = [&](const std::string& s) {
    if (spec->choices.empty()) return;
    for (const auto& c : spec->choices)
      if (c == s) return;
    bad("\"" + s + "\" is not a valid choice");
  };
  switch (spec->type) {
    case ValueType::Bool:
      if (!value.is_boolean()) bad("expected true or false, got " + show(value));
      return value;
    case ValueType::Int: {
      long long v = 0;
      if (value.is_number_integer()) v = json_fields::get_integral<long long>(value);
      else if (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>() &&
               std::abs(value.get<double>()) < 9e15)
        v = static_cast<long long>(value.get<double>());
      else bad("expected an integer, got " + show(value));
      check_range(static_cast<double>(v));
      return v;
    }
    case ValueType::Double: {
      if (!value.is_number()) bad("expected a number, got " + show(value));
      check_range(value.get<double>());
      return value.get<double>();
    }
    case ValueType::String:
      if (!value.is_string()) bad("expected a string, got " + show(value));
      check_choice(value.get<std::string>());
      return value;
    case ValueType::StringList: {
      nlohmann::json arr = nlohmann::json::array();
      if (value.is_string()) arr.push_back(value);  // a single string is a list of one
      else if (value.is_array()) arr = value;
      else bad("expected a list of strings, got " + show(value));
      for (const auto& e : arr) {
        if (!e.is_string()) bad("expected a list of strings, got element " + show(e));
        check_choice(e.get<std::string>());
      }
      return arr;
    }
  }
  return value;
}

nlohmann::json Schema::parse_toml(const std::string& text, const std::string& file_name,
                                  std::map<std::string, long>* lines_out) const {
  toml::table table;
  try {
    table = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    throw InputError(file_name, static_cast<long>(e.source().begin.line),
                     fmt::format("TOML syntax error (column {}): {}", e.source().begin.column, e.description()));
  }
  nlohmann::json raw = nlohmann::json::object();
  std::map<std::string, long> lines;
  flatten(table, "", file_name, raw, lines);
  nlohmann::json out = nlohmann::json::object();
  // In file order, so a key set twice is reported at its second appearance.
  std::vector<std::pair<long, std::string>> order;
  for (auto& [k, line] : lines) order.emplace_back(line, k);
  std::sort(order.begin(), order.end());
  std::map<std::string, long> canonical_lines;
  for (auto& [line, k] : order) {
    const nlohmann::json& v = raw[k];
    nlohmann::json value = validate(k, v, file_name, line);
    const std::string& key = find(k)->key;
    if (auto it = canonical_lines.find(key); it != canonical_lines.end())
      throw InputError(file_name, line, "key '" + k + "' sets '" + key + "' again (first set on line " +
                                            std::to_string(it->second) + ")");
    canonical_lines[key] = line;
    out[key] = std::move(value);
  }
  if (lines_out) *lines_out = std::move(canonical_lines);
  return out;
}

nlohmann::json Schema::read_toml_file(const std::string& path, std::map<std::string, long>* lines) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "cannot open the configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_toml(ss.str(), path, lines);
}

const std::string& Schema::find_or_throw(const std::string& key) const {
  if (const OptionSpec* o = find(key)) return o->key;
  validate(key, nullptr);  // throws the unknown-key error listing the valid keys
  throw Error("unreachable");
}

nlohmann::json Schema::resolve(const nlohmann::json& file_values, const nlohmann::json& overrides) const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& o : options_)
    if (!o.default_value.is_null()) out[o.key] = o.default_value;
  for (auto& [k, v] : file_values.items()) out[find_or_throw(k)] = validate(k, v, "configuration file");
  for (auto& [k, v] : overrides.items()) out[find_or_throw(k)] = validate(k, v, "command line");
  return out;
}

std::string Schema::describe() const {
  std::string s = "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";
  for (const auto& o : options_)
    s += fmt::format("| `{}` | {} | {} | {} | {} |\n", o.key, to_string(o.type),
                     o.default_value.is_null() ? "(none)" : "`" + o.default_value.dump() + "`", o.allowed(), o.help);
  return s;
}

std::string to_toml(const nlohmann::json& flat) {
  // Group dotted keys by their table prefix; top-level keys first (TOML requires it).
  std::map<std::string, std::vector<std::pair<std::string, nlohmann::json>>> tables;
  for (auto& [k, v] : flat.items()) {
    const auto dot = k.rfind('.');
    if (dot == std::string::npos) tables[""].emplace_back(k, v);
    else tables[k.substr(0, dot)].emplace_back(k.substr(dot + 1), v);
  }
  std::string out;
  for (auto& [table, kvs] : tables) {
    if (!table.empty()) out += "\n[" + table + "]\n";
    for (auto& [k, v] : kvs) {
      std::string val;
      if (v.is_number_float()) {
        // Keep it a TOML float even when integral, with round-trip precision.
        val = fmt::format("{}", v.get<double>());
        if (val.find_first_of(".eEn") == std::string::npos) val += ".0";
      } else {
        val = v.dump();  // JSON strings, booleans, integers and string arrays are valid TOML
      }
      out += k + " = " + val + "\n";
    }
  }
  return out;
}

}  // namespace pelnas::config
