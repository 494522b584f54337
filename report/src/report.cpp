#include "cartsim/report/report.hpp"

#include "cartsim/simulation/atomic_file.hpp"
#include "results.hpp"

namespace cartsim::report {

std::string build_report(const ReportOptions& options) {
  const Results r = load_results(options);
  std::vector<Section> sections;
  add_overview(r, sections);
  add_series_sections(r, sections);
  add_sweep_sections(r, sections);
  add_analysis_sections(r, sections);
  add_provenance(r, sections);
  return render_page(r, sections);
}

ReportInfo write_report(const ReportOptions& options) {
  ReportInfo info;
  info.file = options.output.empty() ? options.results_dir / "report.html" : options.output;
  const std::string html = build_report(options);
  write_file_atomically(info.file, html);
  info.bytes = html.size();
  std::size_t pos = 0;
  while ((pos = html.find("<figure class=\"plot\"", pos)) != std::string::npos) {
    ++info.plots;
    ++pos;
  }
  return info;
}

}  // namespace cartsim::report
