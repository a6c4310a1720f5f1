#include "report/xml.h"

#include <cmath>
#include <fmt/format.h>

namespace pelnas::report {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += "\xEF\xBF\xBD";  // U+FFFD: the control character is not legal XML 1.0
        else
          out += c;
    }
  }
  return out;
}

std::string format_number(double v, int digits) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{:.{}g}", v, digits);
  if (s == "-0") s = "0";
  return s;
}

std::string format_fixed(double v, int decimals) {
  if (!std::isfinite(v)) return format_number(v);
  std::string s = fmt::format("{:.{}f}", v, decimals);
  // "-0.00" -> "0.00" so output does not depend on the sign of a rounded zero.
  if (s.front() == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

}  // namespace pelnas::report
