#pragma once
// A results CSV read into columns of numbers (NA and empty: NaN) and, for the columns asked for,
// their text. Malformed files raise ConfigError at the file, line and column.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cartsim::report {

struct CsvTable {
  std::string file;  ///< the path, for messages
  std::vector<std::string> header;
  std::vector<std::vector<double>> numbers;     ///< [column][row]; NaN where not a number
  std::vector<std::vector<std::string>> texts;  ///< [column][row]; only for text columns
  std::size_t rows = 0;

  std::optional<std::size_t> find(const std::string& column) const;
  /// The column's numbers; throws ConfigError naming the file and column when it is missing.
  const std::vector<double>& column(const std::string& name) const;
  /// The column's text (a text column); throws ConfigError when it is missing.
  const std::vector<std::string>& text(const std::string& name) const;
};

/// Reads `path`; the columns named in `text_columns` also keep their text.
CsvTable read_csv(const std::filesystem::path& path, const std::set<std::string>& text_columns);

/// Reads `path` keeping the text of every column (for tables shown as written).
CsvTable read_csv_text(const std::filesystem::path& path);

}  // namespace cartsim::report
