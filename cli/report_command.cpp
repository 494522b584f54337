#include "report_command.hpp"

#include <fmt/format.h>

#include <iostream>

#include "cartsim/report/report.hpp"

namespace cartsim::cli {
namespace {

void print_written(const report::ReportInfo& info) {
  std::cout << fmt::format("report written to {} ({} plots, {:.1f} MB)\n", info.file.string(),
                           info.plots, static_cast<double>(info.bytes) / 1e6);
}

}  // namespace

int report_command(const ReportCommandOptions& options) {
  report::ReportOptions o;
  o.results_dir = options.results_dir;
  o.output = options.output;
  print_written(report::write_report(o));
  return 0;
}

void report_after_run(const std::filesystem::path& results_dir) {
  report::ReportOptions o;
  o.results_dir = results_dir;
  print_written(report::write_report(o));
}

}  // namespace cartsim::cli
