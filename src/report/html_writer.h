#pragma once
// A tiny builder for self-contained report pages: XHTML-compatible HTML5 (every element closed,
// every attribute quoted, text escaped) with inline CSS, so the page opens in any browser and an
// XML parser accepts it. No scripts, no external assets.
#include <map>
#include <string>
#include <vector>

namespace pelnas::report {

struct HtmlTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;               // plain text cells (escaped on output)
  std::vector<std::map<std::string, std::string>> row_attrs;  // optional, per row (e.g. data-niche)
  std::string css_class;
  std::vector<std::string> column_classes;  // optional extra class per column's cells (e.g. "arch")
};

class HtmlPage {
 public:
  explicit HtmlPage(std::string title) : title_(std::move(title)) {}
  void heading(int level, const std::string& text, const std::string& id = "");
  void paragraph(const std::string& text, const std::string& css_class = "");
  void list(const std::vector<std::string>& items, const std::string& css_class = "");
  // A list whose items may carry a class and a short mark shown after the text (e.g. "new").
  struct ListItem {
    std::string text, css_class, mark;
  };
  void marked_list(const std::vector<ListItem>& items, const std::string& css_class = "");
  void table(const HtmlTable& t);
  // Already well-formed XML (an inline <svg>), inserted as is.
  void raw(const std::string& xml);
  // A <section> wrapper: open/close must pair.
  void open_section(const std::string& css_class, const std::string& id = "");
  void close_section();
  // A section (class and id `id`) with an h2 `title` (none when empty) around what `body()` writes.
  template <class Body>
  void section(const std::string& id, const std::string& title, Body&& body) {
    open_section(id, id);
    if (!title.empty()) heading(2, title);
    body();
    close_section();
  }
  // > 0: the page reloads itself after this many seconds (a report of a run that is still going).
  void set_refresh_seconds(int s) { refresh_seconds_ = s; }
  std::string render() const;

 private:
  std::string title_, body_;
  int refresh_seconds_ = 0;
  int open_sections_ = 0;
};

}  // namespace pelnas::report
