#include "common/csv.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace pelnas {

CsvTable CsvTable::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "cannot open file for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path, 0, "read error");
  return parse(std::move(ss).str(), path);
}

namespace {
// Splits one line into fields; handles "quoted, fields" with "" escapes.
bool split_line(std::string_view line, std::vector<std::string_view>& out, std::deque<std::string>& store) {
  out.clear();
  std::size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      std::string field;
      ++i;
      while (true) {
        if (i >= line.size()) return false;  // unterminated quote
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      store.push_back(std::move(field));
      out.emplace_back(store.back());
      if (i < line.size() && line[i] != ',') return false;
    } else {
      std::size_t j = line.find(',', i);
      if (j == std::string_view::npos) j = line.size();
      out.push_back(line.substr(i, j - i));
      i = j;
    }
    if (i >= line.size()) break;
    ++i;  // skip the comma
    if (i == line.size()) {
      out.emplace_back();
      break;
    }
  }
  return true;
}
}  // namespace

CsvTable CsvTable::parse(std::string text, const std::string& name) {
  CsvTable t;
  t.path_ = name;
  t.text_ = std::make_unique<std::string>(std::move(text));
  std::string_view all(*t.text_);
  long line_no = 0;
  std::size_t pos = 0;
  std::vector<std::string_view> fields;
  bool have_header = false;
  while (pos < all.size()) {
    std::size_t end = all.find('\n', pos);
    if (end == std::string_view::npos) end = all.size();
    std::string_view line = all.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!split_line(line, fields, t.unquoted_))
      throw InputError(name, line_no, "unterminated or misplaced quote");
    if (!have_header) {
      for (auto f : fields) t.header_.emplace_back(f);
      have_header = true;
      continue;
    }
    if (fields.size() != t.header_.size())
      throw InputError(name, line_no,
                       "expected " + std::to_string(t.header_.size()) + " fields (as in the header), found " +
                           std::to_string(fields.size()));
    t.rows_.push_back(fields);
    t.lines_.push_back(line_no);
  }
  if (!have_header) throw InputError(name, 1, "file is empty (expected a header line)");
  return t;
}

std::optional<std::size_t> CsvTable::find_column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return i;
  return std::nullopt;
}

std::size_t CsvTable::column(std::string_view name) const {
  if (auto c = find_column(name)) return *c;
  throw InputError(path_, 1, "missing column '" + std::string(name) + "' in the header");
}

double CsvTable::number_or_nan(std::size_t row, std::size_t col) const {
  std::string_view f = rows_[row][col];
  if (f.empty()) return std::nan("");
  double v = 0;
  auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || p != f.data() + f.size() || !std::isfinite(v))
    throw InputError(path_, lines_[row],
                     "column '" + header_[col] + "': expected a finite number, found '" + std::string(f) + "'");
  return v;
}

double CsvTable::number(std::size_t row, std::size_t col) const {
  if (rows_[row][col].empty())
    throw InputError(path_, lines_[row], "column '" + header_[col] + "': expected a number, found an empty field");
  return number_or_nan(row, col);
}

long long CsvTable::integer(std::size_t row, std::size_t col) const {
  std::string_view f = rows_[row][col];
  long long v = 0;
  auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (f.empty() || ec != std::errc() || p != f.data() + f.size())
    throw InputError(path_, lines_[row],
                     "column '" + header_[col] + "': expected an integer, found '" + std::string(f) + "'");
  return v;
}

}  // namespace pelnas
