#include "results.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "cartsim/core/errors.hpp"

namespace cartsim::report {

const ColumnInfo* Results::column(const std::string& file, const std::string& name) const {
  const auto f = columns.find(file);
  if (f == columns.end()) {
    return nullptr;
  }
  for (const auto& c : f->second) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

std::string Results::unit(const std::string& file, const std::string& name) const {
  const ColumnInfo* c = column(file, name);
  return c ? c->unit : std::string("?");
}

const json* Results::hints(const std::string& series_file) const {
  const auto r = run.find("report");
  if (r == run.end() || !r->is_object()) {
    return nullptr;
  }
  // Keyed by the file's stem ("timeseries", "manufacturing_timeseries").
  const auto h = r->find(series_file.substr(0, series_file.rfind('.')));
  return h == r->end() ? nullptr : &*h;
}

Results load_results(const ReportOptions& options) {
  Results r;
  r.dir = options.results_dir;
  r.options = options;
  if (!std::filesystem::is_directory(r.dir)) {
    throw ConfigError(InputLocation{r.dir.string(), 0, 0, ""},
                      "not a directory (give the output directory of 'cartsim run', "
                      "'sensitivity' or 'merge')");
  }
  const auto run_json = r.dir / "run.json";
  std::ifstream in(run_json);
  if (!in) {
    throw ConfigError(InputLocation{run_json.string(), 0, 0, ""},
                      "no run.json: not a finished cartsim results directory");
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    r.run = json::parse(text.str());
  } catch (const json::parse_error& e) {
    // e.byte is 1-based; turn it into a line and column.
    const std::string s = text.str();
    int line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < s.size(); ++i) {
      if (s[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw ConfigError(InputLocation{run_json.string(), line, column, ""},
                      std::string("not valid JSON: ") + e.what());
  }
  if (!r.run.is_object()) {
    throw ConfigError(InputLocation{run_json.string(), 1, 1, ""}, "not a JSON object");
  }
  if (r.has("columns.csv")) {
    const CsvTable t = read_csv(r.path("columns.csv"), {"file", "column", "unit", "description"});
    const auto& file = t.text("file");
    const auto& column = t.text("column");
    const auto& unit = t.text("unit");
    const auto& description = t.text("description");
    for (std::size_t i = 0; i < t.rows; ++i) {
      r.columns[file[i]].push_back({column[i], unit[i], description[i]});
    }
  }
  return r;
}

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string short_number(double v) {
  if (std::isnan(v)) {
    return "NA";
  }
  return fmt::format("{:.6g}", v);
}

std::string html_table(const CsvTable& table, std::size_t max_rows) {
  std::string h = "<div class=\"table-wrap\"><table><thead><tr>";
  for (const auto& c : table.header) {
    h += "<th>" + escape_html(c) + "</th>";
  }
  h += "</tr></thead><tbody>";
  const std::size_t rows = std::min(table.rows, max_rows);
  for (std::size_t i = 0; i < rows; ++i) {
    h += "<tr>";
    for (std::size_t c = 0; c < table.header.size(); ++c) {
      const std::string cell =
          table.texts[c].empty() ? short_number(table.numbers[c][i]) : table.texts[c][i];
      h += "<td>" + escape_html(cell) + "</td>";
    }
    h += "</tr>";
  }
  h += "</tbody></table></div>";
  if (table.rows > rows) {
    h += fmt::format("<p class=\"note\">First {} of {} rows; the file has them all.</p>", rows,
                     table.rows);
  }
  return h;
}

}  // namespace cartsim::report
