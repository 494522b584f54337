#pragma once
// `cartsim report`: one self-contained HTML file from a results directory (docs/report.md).
//
// The report reads what a run, a sweep, a sensitivity analysis or a merge wrote (run.json,
// columns.csv, summary.csv and whichever of timeseries.csv, bands.csv, distributions.csv,
// sensitivity.csv, manufacturing_*.csv, outcomes.csv, km.csv, predictions.csv, vpc.csv and
// estimates.csv exist) and writes one HTML page with the Vega plotting library inlined: it opens
// offline, with no server and nothing fetched. Which panels appear is decided by the files present,
// their columns and units (columns.csv) and the hints in run.json's "report" section, never by
// model names.
#include <cstddef>
#include <filesystem>
#include <string>

namespace cartsim::report {

struct ReportOptions {
  std::filesystem::path results_dir;
  std::filesystem::path output;  ///< empty: RESULTS_DIR/report.html
  /// Individual runs drawn per time-series plot (the rest are summarised by percentile bands).
  std::size_t max_runs_drawn = 12;
  /// Points drawn per run and variable (longer series are thinned evenly, the ends kept).
  std::size_t max_points_per_run = 400;
  /// Summary rows drawn in a metric-vs-factor scatter (more are thinned evenly).
  std::size_t max_scatter_points = 2000;
};

/// What write_report() made.
struct ReportInfo {
  std::filesystem::path file;
  std::size_t bytes = 0;
  std::size_t plots = 0;
};

/// The HTML text of the report of `options.results_dir`. Throws ConfigError (file, line, column
/// and column name) when a results file is malformed, and Error when the directory has no run.json.
std::string build_report(const ReportOptions& options);

/// build_report() written atomically to options.output (default RESULTS_DIR/report.html).
ReportInfo write_report(const ReportOptions& options);

}  // namespace cartsim::report
