#include "common/text_table.h"

#include <algorithm>
#include <fmt/format.h>

namespace pelnas {

std::string format_text_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> w(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) w[c] = header[c].size();
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size() && c < w.size(); ++c) w[c] = std::max(w[c], r[c].size());
  std::string out;
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (std::size_t c = 0; c < r.size(); ++c) s += fmt::format("{:<{}}", r[c], c + 1 < r.size() ? w[c] + 2 : 0);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out += s + "\n";
  };
  line(header);
  std::vector<std::string> dashes;
  for (auto x : w) dashes.emplace_back(x, '-');
  line(dashes);
  for (const auto& r : rows) line(r);
  return out;
}

}  // namespace pelnas
