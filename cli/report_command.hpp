#pragma once
// `cartsim report RESULTS_DIR [-o FILE]`, and the report that `run --report` and
// `sensitivity --report` write after their results (docs/report.md).
#include <filesystem>

namespace cartsim::cli {

struct ReportCommandOptions {
  std::filesystem::path results_dir;
  std::filesystem::path output;  ///< empty: RESULTS_DIR/report.html
  bool quiet = false;
};

int report_command(const ReportCommandOptions& options);

/// Writes RESULTS_DIR/report.html after a run and prints where it went.
void report_after_run(const std::filesystem::path& results_dir);

}  // namespace cartsim::cli
