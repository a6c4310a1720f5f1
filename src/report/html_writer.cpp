#include "report/html_writer.h"

#include <fmt/format.h>

#include "common/error.h"
#include "report/xml.h"

namespace pelnas::report {

namespace {

const char* kCss = R"CSS(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; vertical-align: top; }
th { background: #f4f4f4; } td.text, th.text { text-align: left; }
.note { color: #555; font-size: 0.92em; } .warn { color: #a04000; }
ul.rules { margin: 0.3em 0 0.8em 0; } .added { color: #006400; } .removed { color: #8b0000; text-decoration: line-through; }
.mark { margin-left: 0.5em; font-size: 0.8em; padding: 0 0.35em; border-radius: 0.3em; background: #e8f3e8; text-decoration: none; display: inline-block; }
li.removed .mark { background: #f6e3e3; }
p.run-state { font-weight: bold; border-left: 4px solid #D55E00; padding-left: 0.6em; }
table.found td, table.runs td { font-variant-numeric: tabular-nums; } table.found td.arch { font-family: monospace; font-size: 0.82em; }
.mark.since { background: #f0f0f0; color: #666; }
.table-wrap { overflow-x: auto; max-width: 100%; }
svg.plot { display: block; margin: 0.8em 0; max-width: 100%; height: auto; }
code { background: #f6f6f6; padding: 0 0.2em; }
)CSS";

std::string attr_string(const std::map<std::string, std::string>& attrs) {
  std::string s;
  for (const auto& [k, v] : attrs) s += fmt::format(" {}=\"{}\"", k, xml_escape(v));
  return s;
}

// Numbers right-aligned, words left-aligned.
bool looks_numeric(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == '%' || c == ' '))
      return false;
  return true;
}

}  // namespace

void HtmlPage::heading(int level, const std::string& text, const std::string& id) {
  body_ += fmt::format("<h{0}{1}>{2}</h{0}>\n", level, id.empty() ? "" : " id=\"" + xml_escape(id) + "\"", xml_escape(text));
}

void HtmlPage::paragraph(const std::string& text, const std::string& css_class) {
  body_ += fmt::format("<p{}>{}</p>\n", css_class.empty() ? "" : " class=\"" + xml_escape(css_class) + "\"", xml_escape(text));
}

void HtmlPage::list(const std::vector<std::string>& items, const std::string& css_class) {
  body_ += fmt::format("<ul{}>\n", css_class.empty() ? "" : " class=\"" + xml_escape(css_class) + "\"");
  for (const auto& i : items) body_ += "<li>" + xml_escape(i) + "</li>\n";
  body_ += "</ul>\n";
}

void HtmlPage::marked_list(const std::vector<ListItem>& items, const std::string& css_class) {
  body_ += fmt::format("<ul{}>\n", css_class.empty() ? "" : " class=\"" + xml_escape(css_class) + "\"");
  for (const auto& i : items) {
    body_ += i.css_class.empty() ? std::string("<li>") : "<li class=\"" + xml_escape(i.css_class) + "\">";
    body_ += xml_escape(i.text);
    if (!i.mark.empty()) body_ += std::string(i.css_class.empty() ? "<span class=\"mark since\">" : "<span class=\"mark\">") + xml_escape(i.mark) + "</span>";
    body_ += "</li>\n";
  }
  body_ += "</ul>\n";
}

void HtmlPage::table(const HtmlTable& t) {
  body_ += fmt::format("<div class=\"table-wrap\"><table{}>\n<thead><tr>", t.css_class.empty() ? "" : " class=\"" + xml_escape(t.css_class) + "\"");
  // A column's header aligns like its cells (text left, numbers right), judged by the first row.
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    const bool text = !t.rows.empty() && c < t.rows[0].size() && !looks_numeric(t.rows[0][c]);
    body_ += (text ? "<th class=\"text\">" : "<th>") + xml_escape(t.header[c]) + "</th>";
  }
  body_ += "</tr></thead>\n<tbody>\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    body_ += "<tr" + (r < t.row_attrs.size() ? attr_string(t.row_attrs[r]) : std::string()) + ">";
    for (std::size_t c = 0; c < t.rows[r].size(); ++c) {
      const std::string& cell = t.rows[r][c];
      std::string cls = looks_numeric(cell) ? "" : "text";
      if (c < t.column_classes.size() && !t.column_classes[c].empty()) cls += (cls.empty() ? "" : " ") + t.column_classes[c];
      body_ += (cls.empty() ? std::string("<td>") : "<td class=\"" + xml_escape(cls) + "\">") + xml_escape(cell) + "</td>";
    }
    body_ += "</tr>\n";
  }
  body_ += "</tbody>\n</table></div>\n";
}

void HtmlPage::raw(const std::string& xml) { body_ += xml; }

void HtmlPage::open_section(const std::string& css_class, const std::string& id) {
  body_ += fmt::format("<section class=\"{}\"{}>\n", xml_escape(css_class), id.empty() ? "" : " id=\"" + xml_escape(id) + "\"");
  ++open_sections_;
}

void HtmlPage::close_section() {
  if (open_sections_ == 0) throw Error("html: close_section without open_section");
  body_ += "</section>\n";
  --open_sections_;
}

std::string HtmlPage::render() const {
  if (open_sections_ != 0) throw Error("html: a section was left open");
  return fmt::format(
      "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
      "<meta name=\"generator\" content=\"pelnas {}\"/>\n{}<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
      PELNAS_VERSION,
      refresh_seconds_ > 0 ? fmt::format("<meta http-equiv=\"refresh\" content=\"{}\"/>\n", refresh_seconds_) : std::string(),
      xml_escape(title_), kCss, body_);
}

}  // namespace pelnas::report
