// Sections from summary.csv: the overview (a single run's metrics, or a sweep's spread of each),
// and for sweeps metric-vs-factor scatter, a two-factor heatmap and histograms with limits.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "cartsim/core/errors.hpp"
#include "results.hpp"
#include "vega_specs.hpp"

namespace cartsim::report {
namespace {

double quantile_sorted(const std::vector<double>& v, double q) {
  if (v.empty()) {
    return std::nan("");
  }
  const double h = (static_cast<double>(v.size()) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

/// The parts of summary.csv's header: inputs (after sample, replicate), status, metrics (up to
/// the solver counters).
struct SummaryLayout {
  std::vector<std::size_t> inputs, metrics;
  std::size_t status = 0;
};

SummaryLayout layout_of(const CsvTable& s) {
  SummaryLayout l;
  const auto status = s.find("status");
  if (!status) {
    throw ConfigError(InputLocation{s.file, 1, 1, "status"}, "missing column 'status'");
  }
  l.status = *status;
  for (std::size_t c = 2; c < l.status; ++c) {
    l.inputs.push_back(c);
  }
  const auto steps = s.find("steps");
  const std::size_t end = steps ? *steps : s.header.size();
  for (std::size_t c = l.status + 1; c < end; ++c) {
    l.metrics.push_back(c);
  }
  return l;
}

std::vector<double> finite_sorted(const std::vector<double>& v, const std::vector<bool>& ok) {
  std::vector<double> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (ok[i] && std::isfinite(v[i])) {
      out.push_back(v[i]);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

void add_overview(const Results& r, std::vector<Section>& out) {
  Section s;
  s.id = "overview";
  s.title = "Overview";
  const json scenario = r.run.value("scenario", json::object());
  const json samples = r.run.value("samples", json::object());
  std::string h = fmt::format(
      "<p>Scenario <b>{}</b> (<code>{}</code>), model <b>{}</b>; {} run(s), {} failed.</p>",
      escape_html(scenario.value("name", std::string("?"))),
      escape_html(scenario.value("file", std::string("?"))),
      escape_html(r.run.value("model", std::string("?"))), samples.value("runs", 0),
      samples.value("failed", 0));
  if (!r.has("summary.csv")) {
    s.html = h;
    out.push_back(s);
    return;
  }
  const CsvTable t = read_csv(r.path("summary.csv"), {"status", "message"});
  const SummaryLayout l = layout_of(t);
  const auto& status = t.texts[l.status];
  std::vector<bool> ok(t.rows);
  std::size_t n_ok = 0;
  for (std::size_t i = 0; i < t.rows; ++i) {
    ok[i] = status[i] != "failed";
    n_ok += ok[i] ? 1 : 0;
  }
  if (t.rows == 1) {
    h += "<table class=\"metrics\"><thead><tr><th>metric</th><th>value</th><th>unit</th>"
         "<th>what it is</th></tr></thead><tbody>";
    for (std::size_t c : l.metrics) {
      const ColumnInfo* info = r.column("summary.csv", t.header[c]);
      h += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                       escape_html(t.header[c]), short_number(t.numbers[c][0]),
                       escape_html(info && info->unit != "1" ? info->unit : ""),
                       escape_html(info ? info->description : ""));
    }
    h += "</tbody></table>";
    if (status[0] != "ok") {
      const auto msg = t.find("message");
      h += fmt::format("<p class=\"warn\">Status <b>{}</b>: {}</p>", escape_html(status[0]),
                       msg ? escape_html(t.texts[*msg][0]) : "");
    }
  } else {
    h += fmt::format("<p>Spread of each metric over the {} runs that finished (of {}):</p>", n_ok,
                     t.rows);
    h += "<table class=\"metrics\"><thead><tr><th>metric</th><th>unit</th><th>n</th>"
         "<th>p05</th><th>median</th><th>p95</th><th>min</th><th>max</th></tr></thead><tbody>";
    for (std::size_t c : l.metrics) {
      const auto v = finite_sorted(t.numbers[c], ok);
      const ColumnInfo* info = r.column("summary.csv", t.header[c]);
      h += fmt::format(
          "<tr><td title=\"{}\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}"
          "</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td></tr>",
          escape_html(info ? info->description : ""), escape_html(t.header[c]),
          escape_html(info ? info->unit : ""), v.size(), short_number(quantile_sorted(v, 0.05)),
          short_number(quantile_sorted(v, 0.5)), short_number(quantile_sorted(v, 0.95)),
          short_number(v.empty() ? NAN : v.front()), short_number(v.empty() ? NAN : v.back()));
    }
    h += "</tbody></table>";
    std::map<std::string, std::size_t> statuses;
    for (const auto& st : status) {
      ++statuses[st];
    }
    if (statuses.size() > 1 || statuses.count("ok") == 0) {
      h += "<p class=\"warn\">Status of the runs:";
      for (const auto& [name, n] : statuses) {
        h += fmt::format(" {} {};", escape_html(name), n);
      }
      h += " the runs that did not finish are listed in summary.csv (column message).</p>";
    }
  }
  s.html = h;
  out.push_back(s);
}

void add_sweep_sections(const Results& r, std::vector<Section>& out) {
  if (!r.has("summary.csv")) {
    return;
  }
  const CsvTable t = read_csv(r.path("summary.csv"), {"status", "message"});
  if (t.rows < 2) {
    return;
  }
  const SummaryLayout l = layout_of(t);
  std::vector<bool> ok(t.rows);
  for (std::size_t i = 0; i < t.rows; ++i) {
    ok[i] = t.texts[l.status][i] != "failed";
  }
  // Metrics and inputs that vary.
  std::vector<std::string> metrics, factors;
  std::vector<std::size_t> metric_cols, factor_cols;
  json units = json::object();
  for (std::size_t c : l.metrics) {
    const auto v = finite_sorted(t.numbers[c], ok);
    // A spread below 1e-9 relative is the solver's noise, not an effect of the inputs.
    const double scale = v.empty() ? 0.0 : std::max(std::abs(v.front()), std::abs(v.back()));
    if (v.size() > 1 && v.back() - v.front() > 1e-9 * scale) {
      metrics.push_back(t.header[c]);
      metric_cols.push_back(c);
      units[t.header[c]] = r.unit("summary.csv", t.header[c]);
    }
  }
  for (std::size_t c : l.inputs) {
    std::set<double> values(t.numbers[c].begin(), t.numbers[c].end());
    if (values.size() > 1) {
      factors.push_back(t.header[c]);
      factor_cols.push_back(c);
      units[t.header[c]] = r.unit("summary.csv", t.header[c]);
    }
  }
  if (metrics.empty()) {
    return;
  }
  Section s;
  s.id = "sweep";
  s.title = "Sweep: metrics against the inputs";
  s.html = fmt::format(
      "<p>{} runs; {} metrics that vary, {} inputs that vary. Pick the metric and the input "
      "in the boxes under each plot.</p>",
      t.rows, metrics.size(), factors.size());

  if (!factors.empty()) {
    json rows = json::array();
    const std::size_t stride =
        t.rows > r.options.max_scatter_points
            ? (t.rows + r.options.max_scatter_points - 1) / r.options.max_scatter_points
            : 1;
    for (std::size_t i = 0; i < t.rows; i += stride) {
      if (!ok[i]) {
        continue;
      }
      json row = {{"sample", t.numbers[0][i]}};
      for (std::size_t k = 0; k < metrics.size(); ++k) {
        const double v = t.numbers[metric_cols[k]][i];
        row[metrics[k]] = std::isfinite(v) ? json(v) : json(nullptr);
      }
      for (std::size_t k = 0; k < factors.size(); ++k) {
        row[factors[k]] = t.numbers[factor_cols[k]][i];
      }
      rows.push_back(row);
    }
    Plot p;
    p.title = "Metric against an input";
    p.caption =
        "Each point is a run; for an input with few values (at most 24) the red line joins "
        "the medians of the runs that share a value." +
        (stride > 1
             ? fmt::format(" Every {}th run is drawn ({} of {}).", stride, rows.size(), t.rows)
             : std::string());
    std::vector<std::string> discrete;
    for (std::size_t k = 0; k < factors.size(); ++k) {
      std::set<double> values(t.numbers[factor_cols[k]].begin(), t.numbers[factor_cols[k]].end());
      if (values.size() <= 24) {
        discrete.push_back(factors[k]);
      }
    }
    p.spec = scatter_spec(rows, metrics, factors, units, discrete);
    p.log_toggle = true;
    p.renderer = rows.size() > 3000 ? "canvas" : "svg";
    s.plots.push_back(std::move(p));
  }

  // Two-factor heatmap of medians: each factor's distinct values (<= 12) or 8 equal bins.
  if (factors.size() >= 2) {
    struct Axis {
      std::vector<double> edges;  // bins: lower edges + last upper; discrete: values
      bool discrete = false;
      std::size_t index(double v) const {
        if (discrete) {
          return static_cast<std::size_t>(std::lower_bound(edges.begin(), edges.end(), v) -
                                          edges.begin());
        }
        const auto it = std::upper_bound(edges.begin(), edges.end(), v);
        const auto k =
            static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, it - edges.begin() - 1));
        return std::min(k, edges.size() - 2);
      }
      std::string label(std::size_t k) const {
        return discrete ? short_number(edges[k])
                        : fmt::format("{:.3g}-{:.3g}", edges[k], edges[k + 1]);
      }
      std::size_t count() const { return discrete ? edges.size() : edges.size() - 1; }
    };
    std::vector<Axis> axes;
    for (std::size_t c : factor_cols) {
      std::set<double> values(t.numbers[c].begin(), t.numbers[c].end());
      Axis a;
      if (values.size() <= 12) {
        a.discrete = true;
        a.edges.assign(values.begin(), values.end());
      } else {
        const double lo = *values.begin(), hi = *values.rbegin();
        for (int k = 0; k <= 8; ++k) {
          a.edges.push_back(lo + (hi - lo) * k / 8.0);
        }
      }
      axes.push_back(a);
    }
    json cells = json::array();
    const std::size_t nf = std::min<std::size_t>(factors.size(), 4);
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      for (std::size_t a = 0; a < nf; ++a) {
        for (std::size_t b = 0; b < nf; ++b) {
          if (a == b) {
            continue;
          }
          std::map<std::pair<std::size_t, std::size_t>, std::vector<double>> groups;
          for (std::size_t i = 0; i < t.rows; ++i) {
            const double v = t.numbers[metric_cols[m]][i];
            if (ok[i] && std::isfinite(v)) {
              groups[{axes[a].index(t.numbers[factor_cols[a]][i]),
                      axes[b].index(t.numbers[factor_cols[b]][i])}]
                  .push_back(v);
            }
          }
          for (auto& [key, values] : groups) {
            std::sort(values.begin(), values.end());
            cells.push_back({{"metric", metrics[m]},
                             {"fx", factors[a]},
                             {"fy", factors[b]},
                             {"x", axes[a].label(key.first)},
                             {"xi", key.first},
                             {"y", axes[b].label(key.second)},
                             {"yi", key.second},
                             {"value", quantile_sorted(values, 0.5)},
                             {"n", values.size()}});
          }
        }
      }
    }
    Plot p;
    p.title = "Median of a metric over two inputs";
    p.caption =
        "Each cell: the median over the runs whose inputs fall in it (an input with more "
        "than 12 values is cut into 8 equal bins); hover for the number of runs.";
    std::vector<std::string> shown(factors.begin(), factors.begin() + static_cast<long>(nf));
    p.spec = heatmap_spec(cells, metrics, shown);
    s.plots.push_back(std::move(p));
  }

  // Histograms from all runs, 30 bins (fewer distinct values: one bin per value), with limits.
  json bins = json::array();
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    const auto v = finite_sorted(t.numbers[metric_cols[m]], ok);
    std::vector<double> distinct;
    std::unique_copy(v.begin(), v.end(), std::back_inserter(distinct));
    if (distinct.size() <= 12) {
      double width = distinct.size() > 1 ? distinct[1] - distinct[0] : 1.0;
      for (std::size_t k = 1; k < distinct.size(); ++k) {
        width = std::min(width, distinct[k] - distinct[k - 1]);
      }
      for (double d : distinct) {
        const auto n =
            std::upper_bound(v.begin(), v.end(), d) - std::lower_bound(v.begin(), v.end(), d);
        bins.push_back({{"metric", metrics[m]},
                        {"lo", d - 0.4 * width},
                        {"hi", d + 0.4 * width},
                        {"count", n}});
      }
      continue;
    }
    const double lo = v.front(), hi = v.back();
    constexpr int n_bins = 30;
    std::vector<std::size_t> counts(n_bins, 0);
    for (double x : v) {
      const int k = std::min(n_bins - 1, static_cast<int>((x - lo) / (hi - lo) * n_bins));
      ++counts[static_cast<std::size_t>(k)];
    }
    for (int k = 0; k < n_bins; ++k) {
      bins.push_back({{"metric", metrics[m]},
                      {"lo", lo + (hi - lo) * k / n_bins},
                      {"hi", lo + (hi - lo) * (k + 1) / n_bins},
                      {"count", counts[static_cast<std::size_t>(k)]}});
    }
  }
  json limits = json::array();
  const json report_hints = r.run.value("report", json::object());
  for (const auto& [file, hints] : report_hints.items()) {
    const json file_limits = hints.value("limits", json::array());
    for (const auto& limit : file_limits) {
      const json limit_metrics = limit.value("metrics", json::array());
      for (const auto& m : limit_metrics) {
        if (std::find(metrics.begin(), metrics.end(), m.get<std::string>()) != metrics.end()) {
          limits.push_back({{"metric", m},
                            {"v", limit["value"]},
                            {"label", limit.value("label", std::string())}});
        }
      }
    }
  }
  Plot h;
  h.title = "Distribution of a metric over the runs";
  h.caption =
      "Histogram over all runs that finished; dashed red: the limit that applies to the "
      "metric (e.g. a release criterion, at the scenario's value).";
  h.spec = histogram_spec(bins, limits, metrics, units);
  s.plots.push_back(std::move(h));
  out.push_back(std::move(s));
}

}  // namespace cartsim::report
