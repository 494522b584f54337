#pragma once
// Summary metrics computed while a run integrates, from the solver's dense output rather than from
// the output grid, so they do not depend on how often results are written:
//   max / argmax / min   extremes of a variable (maximum refined by Brent's method inside a step)
//   auc                  integral of a variable over [from, to], Gauss-Legendre on each step
//   value_at             a variable at time `at`
//   final                a variable at the end of the run (e.g. at harvest, when a stop ends it)
//   first_above / first_below / last_above   crossing times of `level`, located by TOMS 748
#include <limits>
#include <string>
#include <vector>

namespace cartsim {

enum class MetricKind {
  max,
  argmax,
  min,
  auc,
  value_at,
  final,
  first_above,
  first_below,
  last_above
};

/// "max", "argmax", ... -> MetricKind; false when the name is unknown.
bool parse_metric_kind(std::string_view text, MetricKind& kind);
std::string_view to_string(MetricKind kind);
/// Names of all kinds, for error messages.
std::vector<std::string> metric_kind_names();

struct MetricSpec {
  std::string name;  ///< column name in summary.csv, e.g. "Cmax"
  MetricKind kind = MetricKind::max;
  std::string variable;  ///< a state or observable name
  std::string unit;      ///< unit of the result (filled in when resolved if empty)
  std::string description;
  double from = 0.0;                                    ///< auc: window start (days)
  double to = std::numeric_limits<double>::infinity();  ///< auc: window end (days)
  double at = 0.0;                                      ///< value_at: time (days)
  double level = 0.0;  ///< crossing kinds: threshold, in the variable's unit
};

/// Which inputs a kind uses, for the scenario parser and the docs.
bool metric_uses_window(MetricKind k);
bool metric_uses_level(MetricKind k);
bool metric_uses_time(MetricKind k);
/// True when the result is a time (days) rather than a value of the variable.
bool metric_is_time(MetricKind k);

}  // namespace cartsim
