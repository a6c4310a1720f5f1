#pragma once
// A strict minimal XML parser for tests: checks well-formedness (one root, matching tags, quoted
// unique attributes, known entities only, no stray '<' or '&') and builds a small DOM the tests
// query. Independent of the writer it checks. Accepts <?xml?>, <!DOCTYPE html>, comments, CDATA.
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace pelnas::test::xml {

struct Node {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::vector<std::unique_ptr<Node>> children;
  std::string text;  // concatenated character data directly inside this element (entities decoded)

  std::string attr(const std::string& k) const {
    auto it = attrs.find(k);
    return it == attrs.end() ? std::string() : it->second;
  }
  bool has_class(const std::string& c) const {
    const std::string cls = " " + attr("class") + " ";
    return cls.find(" " + c + " ") != std::string::npos;
  }
  // All text below this node (depth first), for table cells.
  std::string all_text() const {
    std::string s = text;
    for (auto& c : children) s += c->all_text();
    return s;
  }
  void walk(const std::function<void(const Node&)>& f) const {
    f(*this);
    for (auto& c : children) c->walk(f);
  }
  std::vector<const Node*> find_all(const std::function<bool(const Node&)>& pred) const {
    std::vector<const Node*> out;
    walk([&](const Node& n) {
      if (pred(n)) out.push_back(&n);
    });
    return out;
  }
};

class ParseError : public std::runtime_error {
 public:
  ParseError(std::size_t pos, const std::string& what)
      : std::runtime_error("XML error at offset " + std::to_string(pos) + ": " + what) {}
};

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  std::unique_ptr<Node> parse() {
    skip_misc(true);
    if (!peek('<')) fail("expected the root element");
    auto root = element();
    skip_misc(false);
    if (i_ != s_.size()) fail("content after the root element");
    return root;
  }

 private:
  const std::string& s_;
  std::size_t i_ = 0;

  [[noreturn]] void fail(const std::string& what) const { throw ParseError(i_, what); }
  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool starts(const char* p) const { return s_.compare(i_, std::char_traits<char>::length(p), p) == 0; }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  static bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
  static bool name_char(char c) {
    return name_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  }
  std::string name() {
    if (i_ >= s_.size() || !name_start(s_[i_])) fail("expected a name");
    std::size_t b = i_;
    while (i_ < s_.size() && name_char(s_[i_])) ++i_;
    return s_.substr(b, i_ - b);
  }
  void skip_until(const char* end) {
    std::size_t p = s_.find(end, i_);
    if (p == std::string::npos) fail(std::string("unterminated construct, expected ") + end);
    i_ = p + std::char_traits<char>::length(end);
  }
  // Prolog / epilog: whitespace, comments, PIs, and (prolog only) one DOCTYPE.
  void skip_misc(bool prolog) {
    for (;;) {
      skip_ws();
      if (starts("<!--")) {
        i_ += 4;
        skip_until("-->");
      } else if (starts("<?")) {
        i_ += 2;
        skip_until("?>");
      } else if (prolog && starts("<!DOCTYPE")) {
        i_ += 9;
        skip_until(">");
      } else {
        return;
      }
    }
  }
  std::string decode(std::size_t b, std::size_t e, bool /*in_attr*/) {
    std::string out;
    for (std::size_t k = b; k < e; ++k) {
      char c = s_[k];
      if (c == '<') {
        i_ = k;
        fail("'<' in character data");
      }
      if (c != '&') {
        out += c;
        continue;
      }
      std::size_t semi = s_.find(';', k);
      if (semi == std::string::npos || semi > e) {
        i_ = k;
        fail("unterminated entity");
      }
      std::string ent = s_.substr(k + 1, semi - k - 1);
      if (ent == "amp") out += '&';
      else if (ent == "lt") out += '<';
      else if (ent == "gt") out += '>';
      else if (ent == "quot") out += '"';
      else if (ent == "apos") out += '\'';
      else if (ent.size() > 1 && ent[0] == '#') {
        long cp = ent[1] == 'x' ? std::strtol(ent.c_str() + 2, nullptr, 16) : std::strtol(ent.c_str() + 1, nullptr, 10);
        if (cp <= 0) {
          i_ = k;
          fail("bad character reference");
        }
        if (cp < 0x80) out += static_cast<char>(cp);
        else out += '?';
      } else {
        i_ = k;
        fail("unknown entity &" + ent + ";");
      }
      k = semi;
    }
    return out;
  }
  std::unique_ptr<Node> element() {
    ++i_;  // '<'
    auto node = std::make_unique<Node>();
    node->name = name();
    for (;;) {
      bool had_ws = i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]));
      skip_ws();
      if (starts("/>")) {
        i_ += 2;
        return node;
      }
      if (peek('>')) {
        ++i_;
        break;
      }
      if (!had_ws) fail("expected whitespace before an attribute");
      std::string k = name();
      skip_ws();
      if (!peek('=')) fail("attribute " + k + " without '='");
      ++i_;
      skip_ws();
      if (!peek('"') && !peek('\'')) fail("attribute " + k + " value not quoted");
      char q = s_[i_++];
      std::size_t e = s_.find(q, i_);
      if (e == std::string::npos) fail("unterminated attribute value");
      std::string v = decode(i_, e, true);
      i_ = e + 1;
      if (!node->attrs.emplace(k, v).second) fail("duplicate attribute " + k);
    }
    // Content.
    for (;;) {
      if (i_ >= s_.size()) fail("unclosed element <" + node->name + ">");
      if (starts("</")) {
        i_ += 2;
        std::string n = name();
        if (n != node->name) fail("end tag </" + n + "> does not match <" + node->name + ">");
        skip_ws();
        if (!peek('>')) fail("expected '>'");
        ++i_;
        return node;
      }
      if (starts("<!--")) {
        i_ += 4;
        skip_until("-->");
      } else if (starts("<![CDATA[")) {
        i_ += 9;
        std::size_t e = s_.find("]]>", i_);
        if (e == std::string::npos) fail("unterminated CDATA");
        node->text += s_.substr(i_, e - i_);
        i_ = e + 3;
      } else if (peek('<')) {
        node->children.push_back(element());
      } else {
        std::size_t e = s_.find('<', i_);
        if (e == std::string::npos) e = s_.size();
        node->text += decode(i_, e, false);
        i_ = e;
      }
    }
  }
};

inline std::unique_ptr<Node> parse(const std::string& text) { return Parser(text).parse(); }

}  // namespace pelnas::test::xml
