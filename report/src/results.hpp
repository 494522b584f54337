#pragma once
// A results directory as the report sees it: run.json, columns.csv and the sections of the page.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cartsim/report/report.hpp"
#include "csv_table.hpp"

namespace cartsim::report {

using nlohmann::json;

/// One columns.csv row.
struct ColumnInfo {
  std::string name, unit, description;
};

struct Results {
  std::filesystem::path dir;
  json run;                                                ///< run.json
  std::map<std::string, std::vector<ColumnInfo>> columns;  ///< file -> its columns, in order
  ReportOptions options;

  bool has(const std::string& file) const { return std::filesystem::exists(dir / file); }
  std::filesystem::path path(const std::string& file) const { return dir / file; }
  const ColumnInfo* column(const std::string& file, const std::string& name) const;
  std::string unit(const std::string& file, const std::string& name) const;
  /// run.json's "report" entry of a series file (plots, limits, protocol), or null.
  const json* hints(const std::string& series_file) const;
};

/// One plot of the page: a Vega specification and how the page shows it.
struct Plot {
  std::string title;
  std::string caption;  ///< plain text
  json spec;
  bool log_toggle = false;  ///< a log/linear button for the y axis
  bool log = false;         ///< opens on a log axis
  std::string renderer = "svg";
};

/// A section of the page: heading, HTML before the plots (escaped by its maker), plots.
struct Section {
  std::string id, title, html;
  std::vector<Plot> plots;
};

Results load_results(const ReportOptions& options);

/// The page's sections, in order (each maker adds nothing when its files are absent).
void add_overview(const Results& r, std::vector<Section>& out);
void add_series_sections(const Results& r, std::vector<Section>& out);
void add_sweep_sections(const Results& r, std::vector<Section>& out);
void add_analysis_sections(const Results& r, std::vector<Section>& out);
void add_provenance(const Results& r, std::vector<Section>& out);

/// The whole HTML page.
std::string render_page(const Results& r, const std::vector<Section>& sections);

/// HTML-escaped text.
std::string escape_html(const std::string& text);
/// "1.23e+06"-style short text of a number (NA for NaN).
std::string short_number(double v);
/// A table of all rows of a CSV file, escaped (the first `max_rows` rows).
std::string html_table(const CsvTable& table, std::size_t max_rows);

}  // namespace cartsim::report
