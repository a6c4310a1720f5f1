#pragma once
// A small strict CSV reader for the benchmark tables: comma-separated, first line a header, no
// quoting needed by our files (quoted fields are still accepted). Every error names file and line.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <deque>
#include <vector>

namespace pelnas {

class CsvTable {
 public:
  // Reads the whole file. Throws InputError (file:line) on a ragged row or an unreadable file.
  static CsvTable read(const std::string& path);
  static CsvTable parse(std::string text, const std::string& name_for_errors);

  const std::string& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }
  std::size_t rows() const { return rows_.size(); }
  // Column position by name; throws InputError naming the file and the missing column.
  std::size_t column(std::string_view name) const;
  std::optional<std::size_t> find_column(std::string_view name) const;

  std::string_view cell(std::size_t row, std::size_t col) const { return rows_[row][col]; }
  // The file line a data row came from (1-based; the header is line 1).
  long line(std::size_t row) const { return lines_[row]; }

  // Typed access; errors name file, line and column. An empty field is "missing": number_or_nan
  // returns NaN for it, number() throws.
  double number(std::size_t row, std::size_t col) const;
  double number_or_nan(std::size_t row, std::size_t col) const;
  long long integer(std::size_t row, std::size_t col) const;

 private:
  std::string path_;
  std::unique_ptr<std::string> text_;  // heap-held so row views survive moves
  std::vector<std::string> header_;
  std::vector<std::vector<std::string_view>> rows_;
  std::vector<long> lines_;
  std::deque<std::string> unquoted_;  // storage for fields that needed unquoting
};

}  // namespace pelnas
