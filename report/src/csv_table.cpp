#include "csv_table.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "cartsim/core/errors.hpp"

namespace cartsim::report {
namespace {

[[noreturn]] void fail(const std::string& file, int line, int column, const std::string& key,
                       const std::string& message) {
  throw ConfigError(InputLocation{file, line, column, key}, message);
}

/// One CSV record from `text` at `pos` (RFC 4180 quoting); `line` counts physical lines.
bool next_record(const std::string& text, std::size_t& pos, int& line,
                 std::vector<std::string>& fields, std::vector<int>& columns,
                 const std::string& file) {
  fields.clear();
  columns.clear();
  if (pos >= text.size()) {
    return false;
  }
  std::string field;
  std::size_t line_start = pos;
  const int record_line = line;
  bool quoted = false;
  bool was_quoted = false;
  int column = 1;
  while (pos < text.size()) {
    const char c = text[pos];
    if (quoted) {
      if (c == '"') {
        if (pos + 1 < text.size() && text[pos + 1] == '"') {
          field += '"';
          pos += 2;
          continue;
        }
        quoted = false;
        ++pos;
        continue;
      }
      if (c == '\n') {
        ++line;
        line_start = pos + 1;
      }
      field += c;
      ++pos;
      continue;
    }
    if (c == '"' && field.empty() && !was_quoted) {
      quoted = true;
      was_quoted = true;
      ++pos;
      continue;
    }
    if (c == ',') {
      fields.push_back(field);
      columns.push_back(column);
      field.clear();
      was_quoted = false;
      ++pos;
      column = static_cast<int>(pos - line_start) + 1;
      continue;
    }
    if (c == '\n' || c == '\r') {
      break;
    }
    field += c;
    ++pos;
  }
  if (quoted) {
    fail(file, record_line, column, "", "unterminated quoted field");
  }
  fields.push_back(field);
  columns.push_back(column);
  if (pos < text.size() && text[pos] == '\r') {
    ++pos;
  }
  if (pos < text.size() && text[pos] == '\n') {
    ++pos;
  }
  ++line;
  return true;
}

std::optional<double> parse_number(const std::string& s) {
  if (s.empty() || s == "NA" || s == "nan" || s == "NaN") {
    return std::nan("");
  }
  if (s == "inf" || s == "Inf") {
    return std::numeric_limits<double>::infinity();
  }
  if (s == "-inf" || s == "-Inf") {
    return -std::numeric_limits<double>::infinity();
  }
  double v = 0.0;
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::optional<std::size_t> CsvTable::find(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) {
      return i;
    }
  }
  return std::nullopt;
}

const std::vector<double>& CsvTable::column(const std::string& name) const {
  const auto i = find(name);
  if (!i) {
    throw ConfigError(InputLocation{file, 1, 1, name}, "missing column '" + name + "'");
  }
  return numbers[*i];
}

const std::vector<std::string>& CsvTable::text(const std::string& name) const {
  const auto i = find(name);
  if (!i) {
    throw ConfigError(InputLocation{file, 1, 1, name}, "missing column '" + name + "'");
  }
  return texts[*i];
}

static CsvTable read_csv_impl(const std::filesystem::path& path,
                              const std::set<std::string>& text_columns, bool all_text);

CsvTable read_csv(const std::filesystem::path& path, const std::set<std::string>& text_columns) {
  return read_csv_impl(path, text_columns, false);
}

CsvTable read_csv_text(const std::filesystem::path& path) {
  return read_csv_impl(path, {}, true);
}

static CsvTable read_csv_impl(const std::filesystem::path& path,
                              const std::set<std::string>& text_columns, bool all_text) {
  CsvTable table;
  table.file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(InputLocation{table.file, 0, 0, ""}, "cannot read the file");
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::size_t pos = 0;
  int line = 1;
  std::vector<std::string> fields;
  std::vector<int> columns;
  if (!next_record(text, pos, line, fields, columns, table.file) ||
      (fields.size() == 1 && fields[0].empty())) {
    throw ConfigError(InputLocation{table.file, 1, 1, ""}, "empty file: no header line");
  }
  table.header = fields;
  const std::size_t n = fields.size();
  table.numbers.resize(n);
  table.texts.resize(n);
  std::vector<bool> keep_text(n);
  for (std::size_t c = 0; c < n; ++c) {
    keep_text[c] = all_text || text_columns.count(table.header[c]) > 0;
  }
  while (true) {
    const int record_line = line;
    if (!next_record(text, pos, line, fields, columns, table.file)) {
      break;
    }
    if (fields.size() == 1 && fields[0].empty()) {
      continue;  // a blank line
    }
    if (fields.size() != n) {
      fail(table.file, record_line, columns.back(), "",
           "expected " + std::to_string(n) + " fields as in the header, found " +
               std::to_string(fields.size()));
    }
    for (std::size_t c = 0; c < n; ++c) {
      if (keep_text[c]) {
        table.texts[c].push_back(fields[c]);
        const auto v = parse_number(fields[c]);
        table.numbers[c].push_back(v ? *v : std::nan(""));
        continue;
      }
      const auto v = parse_number(fields[c]);
      if (!v) {
        fail(table.file, record_line, columns[c], table.header[c],
             "not a number: '" + fields[c] + "'");
      }
      table.numbers[c].push_back(*v);
    }
    ++table.rows;
  }
  return table;
}

}  // namespace cartsim::report
