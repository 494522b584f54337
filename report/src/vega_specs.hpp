#pragma once
// Vega 5 specifications of the report's plot kinds (https://vega.github.io/vega/docs/). Each
// builder takes the plot's data as JSON rows and returns the whole specification. Marks that draw
// data are named "data_*" (the browser tests count their items); the y scale is named "y" and the
// signal "logy" filters out values <= 0 on a log axis (the page swaps the scale type).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cartsim::report {

using nlohmann::json;

/// A select box over `options` bound to a signal.
json select_signal(const std::string& name, const std::string& label,
                   const std::vector<std::string>& options);

/// Time series: runs {key, run, t, v}, bands {key, t, p05, p25, p50, p75, p95}, observations
/// {key, t, v}, VPC bands {key, t, lo, mid, hi}, limits {label, v}, protocol steps {label, t}.
struct SeriesData {
  json runs = json::array(), bands = json::array(), observed = json::array(), vpc = json::array(),
       limits = json::array(), steps = json::array();
};
json series_spec(const SeriesData& data, const std::string& x_title, const std::string& y_title,
                 const std::string& color_title);

/// Metric vs factor: rows with one field per metric and factor; select boxes pick both. Medians
/// are joined only for the `discrete` factors (few distinct values).
json scatter_spec(const json& rows, const std::vector<std::string>& metrics,
                  const std::vector<std::string>& factors, const json& units,
                  const std::vector<std::string>& discrete);

/// Median of a metric over a two-factor grid: cells {metric, fx, fy, x, xi, y, yi, value, n}.
json heatmap_spec(const json& cells, const std::vector<std::string>& metrics,
                  const std::vector<std::string>& factors);

/// Histograms binned beforehand: bins {metric, lo, hi, count}, limits {metric, v, label}.
json histogram_spec(const json& bins, const json& limits, const std::vector<std::string>& metrics,
                    const json& units);

/// Horizontal bars with intervals: rows {metric, factor, index, v, lo, hi} (lo/hi may be null).
json bars_spec(const json& rows, const std::vector<std::string>& metrics,
               const std::string& x_title);

/// Binned distributions: rows {dist, bin, order, mean, min, max, unit}.
json distribution_spec(const json& rows, const std::vector<std::string>& names);

/// Step curves with optional bands: rows {group, t, s, lo, hi} (Kaplan-Meier).
json step_spec(const json& rows, const std::string& x_title, const std::string& y_title);

}  // namespace cartsim::report
