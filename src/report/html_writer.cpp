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
ul.rules { margin: 0.3em 0 0.8em 0; } .added { color: #006400; } .removed { color: #8b0000; }
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

void HtmlPage::table(const HtmlTable& t) {
  body_ += fmt::format("<table{}>\n<thead><tr>", t.css_class.empty() ? "" : " class=\"" + xml_escape(t.css_class) + "\"");
  for (const auto& h : t.header) body_ += "<th>" + xml_escape(h) + "</th>";
  body_ += "</tr></thead>\n<tbody>\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    body_ += "<tr" + (r < t.row_attrs.size() ? attr_string(t.row_attrs[r]) : std::string()) + ">";
    for (const auto& c : t.rows[r]) body_ += (looks_numeric(c) ? "<td>" : "<td class=\"text\">") + xml_escape(c) + "</td>";
    body_ += "</tr>\n";
  }
  body_ += "</tbody>\n</table>\n";
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
      "<meta name=\"generator\" content=\"pelnas {}\"/>\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
      PELNAS_VERSION, xml_escape(title_), kCss, body_);
}

}  // namespace pelnas::report
