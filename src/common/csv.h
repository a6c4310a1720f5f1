#pragma once
// A small strict CSV reader for the benchmark tables: comma-separated, first line a header, no
// quoting needed by our files (quoted fields are still accepted). Every error names file and line.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pelnas {

class CsvTable {
 public:
  CsvTable() = default;
  // Reads the whole file. Throws InputError (file:line) on a ragged row or an unreadable file.
  // A large regular file is mapped (copy-on-write), not copied: reading the 7 MB main table was
  // mostly page zeroing and copying.
  static CsvTable read(const std::string& path);
  static CsvTable parse(std::string text, const std::string& name_for_errors);

  const std::string& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }
  std::size_t rows() const { return lines_.size(); }
  // Column position by name; throws InputError naming the file and the missing column.
  std::size_t column(std::string_view name) const;
  std::optional<std::size_t> find_column(std::string_view name) const;

  std::string_view cell(std::size_t row, std::size_t col) const {
    const Field f = fields_[row * header_.size() + col];
    return std::string_view(text_->data + f.offset, f.size);
  }
  // The file line a data row came from (1-based; the header is line 1).
  long line(std::size_t row) const { return lines_[row]; }

  // Typed access; errors name file, line and column. An empty field is "missing": number_or_nan
  // returns NaN for it, number() throws.
  double number(std::size_t row, std::size_t col) const;
  double number_or_nan(std::size_t row, std::size_t col) const;
  long long integer(std::size_t row, std::size_t col) const;

 private:
  // The file's bytes (a private mapping of the file, or an owned string); quoted fields are unquoted
  // in place (never longer than their source).
  struct Text {
    char* data = nullptr;
    std::size_t size = 0;
    std::string owned;      // parse()'s text, or a file that could not be mapped
    void* map = nullptr;    // mmap of the file, unmapped by the destructor
    std::size_t map_size = 0;
    Text() = default;
    Text(const Text&) = delete;
    Text& operator=(const Text&) = delete;
    ~Text();
  };
  static CsvTable parse_text(std::unique_ptr<Text> text, const std::string& name);
  std::string path_;
  std::unique_ptr<Text> text_;
  std::vector<std::string> header_;
  // Every data row's fields, row after row, as positions in text_: one allocation for the table
  // (a vector per row made loading the 15,625-row tables several times slower).
  struct Field {
    std::uint32_t offset, size;
  };
  std::vector<Field> fields_;
  std::vector<long> lines_;
};

}  // namespace pelnas
