#include "llm/prompt_template.h"
#include "pelnas_build_paths.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/error.h"
#include "common/utf8.h"

namespace pelnas::llm {

namespace {
bool valid_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}
long line_of(const std::string& text, std::size_t pos) {
  return 1 + std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n');
}
}  // namespace

PromptTemplate::PromptTemplate(std::string text, std::string origin) : origin_(std::move(origin)) {
  // Prompts go into JSON requests, which must be UTF-8.
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) throw InputError(origin_, line_of(text, i), "invalid UTF-8 at byte " + std::to_string(i) + " (a prompt must be UTF-8 text)");
    i += n;
  }
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string::npos) {
      pieces_.push_back({false, text.substr(pos)});
      break;
    }
    if (open > pos) pieces_.push_back({false, text.substr(pos, open - pos)});
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) {
      throw InputError(origin_, line_of(text, open), "'{{' without a closing '}}'");
    }
    std::string name = text.substr(open + 2, close - open - 2);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (!valid_name(name)) {
      throw InputError(origin_, line_of(text, open), "placeholder '{{" + text.substr(open + 2, close - open - 2) +
                                                         "}}' is not a name (letters, digits, '_')");
    }
    if (std::find(names_.begin(), names_.end(), name) == names_.end()) names_.push_back(name);
    pieces_.push_back({true, name});
    pos = close + 2;
  }
}

PromptTemplate PromptTemplate::load(const std::string& dir, const std::string& name) {
  const std::string path = (std::filesystem::path(dir) / (name + ".md")).string();
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error("cannot read prompt template " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return PromptTemplate(ss.str(), path);
}

bool PromptTemplate::uses(const std::string& name) const { return std::find(names_.begin(), names_.end(), name) != names_.end(); }

std::string PromptTemplate::render(const std::map<std::string, std::string>& values,
                                   const std::map<std::string, std::string>& offered) const {
  std::map<std::string, std::string> all = values;
  for (const auto& [k, v] : offered) {
    if (all.count(k)) throw Error("prompt template " + origin_ + ": placeholder {{" + k + "}} given twice");
    if (uses(k)) all.emplace(k, v);
  }
  return render(all);
}

std::string PromptTemplate::render(const std::map<std::string, std::string>& values) const {
  for (const auto& n : names_) {
    if (!values.count(n)) throw Error("prompt template " + origin_ + ": no value for placeholder {{" + n + "}}");
  }
  for (const auto& [k, v] : values) {
    if (std::find(names_.begin(), names_.end(), k) == names_.end()) {
      throw Error("prompt template " + origin_ + " does not use placeholder {{" + k +
                  "}} (the program supplies it; add it back to the template)");
    }
  }
  std::string out;
  for (const auto& p : pieces_) out += p.is_placeholder ? values.at(p.text) : p.text;
  return out;
}

std::string resolve_prompts_dir(const std::optional<std::string>& flag) {
  auto usable = [](const std::filesystem::path& d) {
    std::error_code ec;
    return std::filesystem::is_regular_file(d / "guided_evolution.md", ec);
  };
  if (flag) {
    if (!usable(*flag)) throw Error("--prompts " + *flag + ": no guided_evolution.md in that directory");
    return *flag;
  }
  if (const char* env = std::getenv("PELNAS_PROMPTS_DIR"); env && *env) {
    if (!usable(env)) throw Error(std::string("$PELNAS_PROMPTS_DIR=") + env + ": no guided_evolution.md in that directory");
    return env;
  }
  std::vector<std::filesystem::path> tried;
#ifdef PELNAS_SOURCE_DIR
  tried.emplace_back(std::filesystem::path(PELNAS_SOURCE_DIR) / "prompts");
#endif
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) tried.push_back(exe.parent_path().parent_path() / "share" / "pelnas" / "prompts");
  std::string list;
  for (const auto& d : tried) {
    if (usable(d)) return d.string();
    list += (list.empty() ? "" : ", ") + d.string();
  }
  throw Error("no prompt templates found (tried " + list + "); pass --prompts DIR or set $PELNAS_PROMPTS_DIR");
}

}  // namespace pelnas::llm
