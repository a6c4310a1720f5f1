#include "common/json_lines.h"

#include <string_view>

#include "common/error.h"

namespace pelnas {

std::size_t for_each_json_line(const std::string& text, const std::string& path, const std::string& kind,
                               const std::function<void(nlohmann::json&, long, std::size_t)>& visit) {
  std::size_t pos = 0, good_end = 0;
  long line = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // a line cut by a kill mid-write: it never completed
    ++line;
    const std::string_view row(text.data() + pos, nl - pos);
    pos = nl + 1;
    try {
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(row);
      } catch (const nlohmann::json::exception& e) {
        throw Error("malformed JSON " + kind + ": " + e.what());
      }
      visit(j, line, pos);
    } catch (const Error& e) {
      throw InputError(path, line, e.what());
    }
    good_end = pos;
  }
  return good_end;
}

}  // namespace pelnas
