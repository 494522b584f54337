#pragma once
// What the page inlines, embedded into the program at build time (report/CMakeLists.txt):
// Vega from Debian's libjs-vega (its modules joined into one script) and the page's own script
// and style (report/assets/).
#include <string_view>

namespace cartsim::report {

std::string_view vega_js();
std::string_view report_js();
std::string_view report_css();
/// "Vega 5.22.1 (BSD-3-Clause, UW Interactive Data Lab)" or similar.
std::string_view vega_notice();

}  // namespace cartsim::report
