#include "common/csv.h"

#include <charconv>
#include <cmath>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "common/error.h"

namespace pelnas {

CsvTable::Text::~Text() {
  if (map) ::munmap(map, map_size);
}

CsvTable CsvTable::read(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path, 0, "cannot open file for reading");
  auto text = std::make_unique<Text>();
  struct stat st {};
  // Large regular files only (the benchmark tables, which nothing rewrites): a mapped file truncated
  // while mapped would fault, so small files such as a live run's CSVs are read.
  constexpr off_t kMapFrom = 1 << 20;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= kMapFrom) {
    // Private and writable: unquoting in place copies only the pages it writes, never the file.
    void* m = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      text->map = m;
      text->map_size = text->size = static_cast<std::size_t>(st.st_size);
      text->data = static_cast<char*>(m);
      ::madvise(m, text->map_size, MADV_SEQUENTIAL);
    }
  }
  if (!text->map) {  // small, not a regular file (a pipe), or not mappable: read it
    std::string& buf = text->owned;
    if (S_ISREG(st.st_mode) && st.st_size > 0) buf.resize(static_cast<std::size_t>(st.st_size));
    std::size_t used = 0;
    for (;;) {
      if (used == buf.size()) buf.resize(std::max<std::size_t>(4096, buf.size() * 2));  // grew, or a pipe
      const ssize_t n = ::read(fd, buf.data() + used, buf.size() - used);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::close(fd);
        throw InputError(path, 0, "read error");
      }
      if (n == 0) break;
      used += static_cast<std::size_t>(n);
    }
    buf.resize(used);
    text->data = buf.data();
    text->size = used;
  }
  ::close(fd);
  return parse_text(std::move(text), path);
}

CsvTable CsvTable::parse(std::string text, const std::string& name) {
  auto t = std::make_unique<Text>();
  t->owned = std::move(text);
  t->data = t->owned.data();
  t->size = t->owned.size();
  return parse_text(std::move(t), name);
}

namespace {
// Splits one line (text[begin, end)) into fields appended to `out`; a "quoted, field" with ""
// escapes is unquoted in place. Returns false on an unterminated or misplaced quote.
template <class Field>
bool split_line(char* text, std::size_t begin, std::size_t end, std::vector<Field>& out) {
  std::size_t i = begin;
  while (true) {
    if (i < end && text[i] == '"') {
      std::size_t w = i;  // write position: the unquoted text is never longer than the quoted
      const std::size_t start = w;
      ++i;
      while (true) {
        if (i >= end) return false;  // unterminated quote
        if (text[i] == '"') {
          if (i + 1 < end && text[i + 1] == '"') {
            text[w++] = '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        text[w++] = text[i++];
      }
      out.push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(w - start)});
      if (i < end && text[i] != ',') return false;
    } else {
      const void* comma = std::memchr(text + i, ',', end - i);
      const std::size_t j = comma ? static_cast<std::size_t>(static_cast<const char*>(comma) - text) : end;
      out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j - i)});
      i = j;
    }
    if (i >= end) break;
    ++i;  // skip the comma
    if (i == end) {
      out.push_back({static_cast<std::uint32_t>(end), 0});
      break;
    }
  }
  return true;
}
}  // namespace

CsvTable CsvTable::parse_text(std::unique_ptr<Text> text, const std::string& name) {
  if (text->size >= std::numeric_limits<std::uint32_t>::max())
    throw InputError(name, 0, "file too large for a CSV table (4 GiB or more)");
  CsvTable t;
  t.path_ = name;
  t.text_ = std::move(text);
  char* const all = t.text_->data;
  const std::size_t all_size = t.text_->size;
  long line_no = 0;
  std::size_t pos = 0;
  bool have_header = false;
  std::size_t width = 0;
  while (pos < all_size) {
    const void* nl = std::memchr(all + pos, '\n', all_size - pos);
    const std::size_t next = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - all) : all_size;
    std::size_t end = next;
    const std::size_t begin = pos;
    pos = next + 1;
    ++line_no;
    if (end > begin && all[end - 1] == '\r') --end;
    if (end == begin) continue;
    const std::size_t before = t.fields_.size();
    if (!split_line(all, begin, end, t.fields_)) throw InputError(name, line_no, "unterminated or misplaced quote");
    const std::size_t found = t.fields_.size() - before;
    if (!have_header) {
      for (std::size_t k = before; k < t.fields_.size(); ++k)
        t.header_.emplace_back(all + t.fields_[k].offset, t.fields_[k].size);
      t.fields_.clear();
      have_header = true;
      width = found;
      // Reserve for all rows, assuming they are at least half as long as the header (more only costs
      // address space: untouched pages are never faulted in).
      const std::size_t estimate = all_size / std::max<std::size_t>(1, (pos - begin) / 2) + 1;
      t.fields_.reserve(estimate * width);
      t.lines_.reserve(estimate);
      continue;
    }
    if (found != width)
      throw InputError(name, line_no,
                       "expected " + std::to_string(width) + " fields (as in the header), found " + std::to_string(found));
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
  std::string_view f = cell(row, col);
  if (f.empty()) return std::nan("");
  double v = 0;
  auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || p != f.data() + f.size() || !std::isfinite(v))
    throw InputError(path_, lines_[row],
                     "column '" + header_[col] + "': expected a finite number, found '" + std::string(f) + "'");
  return v;
}

double CsvTable::number(std::size_t row, std::size_t col) const {
  if (cell(row, col).empty())
    throw InputError(path_, lines_[row], "column '" + header_[col] + "': expected a number, found an empty field");
  return number_or_nan(row, col);
}

long long CsvTable::integer(std::size_t row, std::size_t col) const {
  std::string_view f = cell(row, col);
  long long v = 0;
  auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (f.empty() || ec != std::errc() || p != f.data() + f.size())
    throw InputError(path_, lines_[row],
                     "column '" + header_[col] + "': expected an integer, found '" + std::string(f) + "'");
  return v;
}

}  // namespace pelnas
