#pragma once
// Prompts are editable files (prompts/*.md) with {{placeholders}}. Rendering is strict: a
// placeholder without a value, or a value the template never uses, is an error naming it, so an
// edited template cannot silently drop the niche constraint or the rule base.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pelnas::llm {

class PromptTemplate {
 public:
  // `origin` names the template in errors (usually its file path).
  PromptTemplate(std::string text, std::string origin);
  // Reads <dir>/<name>.md; throws pelnas::Error naming the path when it cannot be read.
  static PromptTemplate load(const std::string& dir, const std::string& name);

  // Placeholder names in order of first appearance.
  const std::vector<std::string>& placeholders() const { return names_; }
  std::string render(const std::map<std::string, std::string>& values) const;
  // As render(values), plus `offered` values the template may leave unused (a space's description
  // and example: NB201's templates spell them out, other spaces' templates take them as
  // placeholders). A name in both maps is an error.
  std::string render(const std::map<std::string, std::string>& values, const std::map<std::string, std::string>& offered) const;
  bool uses(const std::string& name) const;
  const std::string& origin() const { return origin_; }

 private:
  struct Piece {
    bool is_placeholder;
    std::string text;  // literal text or placeholder name
  };
  std::vector<Piece> pieces_;
  std::vector<std::string> names_;
  std::string origin_;
};

// Where prompt templates are read from: `flag` (--prompts DIR) if given, else $PELNAS_PROMPTS_DIR,
// else the source tree's prompts/, else <exe>/../share/pelnas/prompts. Throws naming what was tried.
std::string resolve_prompts_dir(const std::optional<std::string>& flag = std::nullopt);

}  // namespace pelnas::llm
