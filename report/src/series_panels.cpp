// Time-series sections: one per series file (timeseries.csv; a chain's
// manufacturing_timeseries.csv), plots from the model's hints in run.json or, without hints, one
// per unit; percentile bands per design point (from the runs) or over all runs (bands.csv);
// protocol steps, limits, observations and VPC bands drawn on top.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "results.hpp"
#include "vega_specs.hpp"

namespace cartsim::report {
namespace {

/// Type-7 quantile of sorted values.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) {
    return std::nan("");
  }
  const double h = (static_cast<double>(sorted.size()) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

/// The runs of a series file: row ranges per (sample, replicate), in file order.
struct RunRows {
  double sample = 0, replicate = 0;
  std::size_t begin = 0, end = 0;
};

std::vector<RunRows> split_runs(const CsvTable& t) {
  std::vector<RunRows> runs;
  const auto& sample = t.column("sample");
  const auto& replicate = t.column("replicate");
  for (std::size_t i = 0; i < t.rows; ++i) {
    if (runs.empty() || runs.back().sample != sample[i] || runs.back().replicate != replicate[i]) {
      runs.push_back({sample[i], replicate[i], i, i});
    }
    runs.back().end = i + 1;
  }
  return runs;
}

/// Labels of the design points from summary.csv's input columns that differ between points.
std::map<long, std::string> design_point_labels(const Results& r, long subjects) {
  std::map<long, std::string> labels;
  if (!r.has("summary.csv")) {
    return labels;
  }
  const CsvTable s = read_csv(r.path("summary.csv"), {"status", "message"});
  const auto status = s.find("status");
  if (!status) {
    return labels;
  }
  std::vector<std::size_t> inputs;
  for (std::size_t c = 2; c < *status; ++c) {
    inputs.push_back(c);
  }
  const auto& sample = s.column("sample");
  std::map<long, std::size_t> first_row;
  for (std::size_t i = 0; i < s.rows; ++i) {
    first_row.emplace(static_cast<long>(sample[i]) / subjects, i);
  }
  // Inputs that vary between design points (not only between subjects).
  std::vector<std::size_t> varying;
  for (std::size_t c : inputs) {
    std::set<double> values;
    for (const auto& [point, row] : first_row) {
      values.insert(s.numbers[c][row]);
    }
    if (values.size() > 1) {
      varying.push_back(c);
    }
  }
  for (const auto& [point, row] : first_row) {
    std::string label;
    for (std::size_t c : varying) {
      std::string name = s.header[c];
      if (const auto dot = name.rfind('.'); dot != std::string::npos && subjects >= 1) {
        name = name.substr(dot + 1);
      }
      label += (label.empty() ? "" : ", ") + name + " " + short_number(s.numbers[c][row]);
    }
    labels[point] = label.empty() ? fmt::format("point {}", point) : label;
  }
  return labels;
}

struct PlotGroup {
  std::string title;
  std::vector<std::string> variables;
  bool log = false;
  bool pick = false;  ///< one variable at a time (a select box)
};

bool is_wide_range(const CsvTable& t, const std::vector<std::size_t>& cols) {
  double lo = INFINITY, hi = 0;
  for (std::size_t c : cols) {
    for (double v : t.numbers[c]) {
      if (v > 0 && std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  }
  return hi > 0 && lo < INFINITY && hi / lo > 1e3;
}

void add_series_file(const Results& r, const std::string& file, const std::string& heading,
                     std::vector<Section>& out) {
  // Without timeseries.csv (outputs.timeseries: none), the bands alone are drawn.
  const bool bands_only = !r.has(file) && file == "timeseries.csv" && r.has("bands.csv");
  if (!r.has(file) && !bands_only) {
    return;
  }
  CsvTable t;
  if (bands_only) {
    t.file = r.path("bands.csv").string();
    t.header = {"sample", "replicate", "time"};
    const CsvTable b = read_csv(r.path("bands.csv"), {"variable"});
    for (const auto& v : b.text("variable")) {
      if (std::find(t.header.begin(), t.header.end(), v) == t.header.end()) {
        t.header.push_back(v);
      }
    }
    t.numbers.resize(t.header.size());
    t.texts.resize(t.header.size());
  } else {
    t = read_csv(r.path(file), {});
  }
  if (t.header.size() < 4 || (t.rows == 0 && !bands_only)) {
    return;
  }
  const std::vector<std::string> variables(t.header.begin() + 3, t.header.end());
  const auto& time = t.column("time");
  const std::vector<RunRows> runs = split_runs(t);
  const json samples = r.run.value("samples", json::object());
  const long subjects = std::max<long>(1, samples.value("subjects", 1L));
  const long replicates = std::max<long>(1, samples.value("replicates", 1L));
  const json* hints = r.hints(file);

  // Groups for bands: design points when each holds several runs; else all runs (bands.csv).
  std::map<long, std::vector<std::size_t>> point_runs;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    point_runs[static_cast<long>(runs[k].sample) / subjects].push_back(k);
  }
  const bool per_point = point_runs.size() > 1 && point_runs.size() <= 24 &&
                         (subjects > 1 || replicates > 1) &&
                         std::all_of(point_runs.begin(), point_runs.end(),
                                     [](const auto& p) { return p.second.size() > 1; });
  const auto labels = per_point ? design_point_labels(r, subjects) : std::map<long, std::string>{};
  auto point_label = [&](long point) {
    const auto it = labels.find(point);
    return it != labels.end() ? it->second : fmt::format("point {}", point);
  };

  // Plots: the hints' groups (variables present), then the rest by unit.
  std::vector<PlotGroup> groups;
  std::set<std::string> placed;
  if (hints != nullptr) {
    for (const auto& h : hints->value("plots", json::array())) {
      PlotGroup g{h.value("title", std::string()), {}, h.value("log", false)};
      for (const auto& v : h.value("variables", json::array())) {
        const std::string name = v.get<std::string>();
        if (std::find(variables.begin(), variables.end(), name) != variables.end()) {
          g.variables.push_back(name);
          placed.insert(name);
        }
      }
      if (!g.variables.empty()) {
        groups.push_back(g);
      }
    }
  }
  std::map<std::string, std::vector<std::string>> by_unit;
  std::vector<std::string> unit_order;
  for (const auto& v : variables) {
    if (placed.count(v) == 0) {
      const std::string u = r.unit(file, v);
      if (by_unit[u].empty()) {
        unit_order.push_back(u);
      }
      by_unit[u].push_back(v);
    }
  }
  std::vector<std::string> rest;
  const bool many = variables.size() - placed.size() > 12;
  for (const auto& u : unit_order) {
    if (!many && by_unit[u].size() <= 6) {
      groups.push_back({(placed.empty() ? "" : "Other outputs in ") + u, by_unit[u], false});
    } else {
      rest.insert(rest.end(), by_unit[u].begin(), by_unit[u].end());
    }
  }
  if (!rest.empty()) {
    groups.push_back({"Any other output (pick one)", rest, false, true});
  }

  // Bands over all runs from bands.csv (timeseries.csv only: bands.csv describes its variables).
  std::map<std::string, json> file_bands;
  if (!per_point && file == "timeseries.csv" && r.has("bands.csv") &&
      (runs.size() > 1 || bands_only)) {
    const CsvTable b = read_csv(r.path("bands.csv"), {"variable"});
    const auto& var = b.text("variable");
    const auto& bt = b.column("time");
    const char* names[] = {"p05", "p25", "p50", "p75", "p95"};
    for (std::size_t i = 0; i < b.rows; ++i) {
      json row = {{"key", var[i]}, {"t", bt[i]}};
      for (const char* n : names) {
        row[n] = number(b.column(n)[i]);
      }
      file_bands[var[i]].push_back(row);
    }
  }

  // Runs drawn: evenly spread over all runs.
  std::vector<std::size_t> drawn;
  const std::size_t n_draw = std::min(runs.size(), r.options.max_runs_drawn);
  for (std::size_t i = 0; i < n_draw; ++i) {
    const std::size_t k = i * runs.size() / n_draw;
    if (drawn.empty() || drawn.back() != k) {
      drawn.push_back(k);
    }
  }

  // Protocol steps and limits from the hints.
  json steps = json::array();
  std::vector<std::string> triggered;
  json limits_all = json::array();
  if (hints != nullptr) {
    for (const auto& s : hints->value("protocol", json::array())) {
      const std::string label = s.value("label", std::string());
      // "protocol[2] transduce (...)" -> "transduce"
      std::string short_label = label;
      if (const auto sp = label.find(' '); sp != std::string::npos) {
        short_label = label.substr(sp + 1);
        short_label = short_label.substr(0, short_label.find(' '));
      }
      if (s.contains("times_d")) {
        for (const auto& t_step : s["times_d"]) {
          steps.push_back({{"label", label}, {"short", short_label}, {"t", t_step}});
        }
      } else {
        triggered.push_back(label + " (when " + s.value("when", std::string()) + ")");
      }
    }
    limits_all = hints->value("limits", json::array());
  }

  // Observations and VPC bands written by `cartsim fit` (timeseries.csv only).
  std::map<std::string, json> observed, vpc;
  if (file == "timeseries.csv" && r.has("predictions.csv")) {
    const CsvTable p = read_csv(r.path("predictions.csv"), {"variable"});
    if (p.find("variable") && p.find("time") && p.find("observed")) {
      const auto& var = p.text("variable");
      for (std::size_t i = 0; i < p.rows; ++i) {
        observed[var[i]].push_back({{"key", var[i] + " observed"},
                                    {"t", p.column("time")[i]},
                                    {"v", number(p.column("observed")[i])}});
      }
    }
  }
  if (file == "timeseries.csv" && r.has("vpc.csv")) {
    const CsvTable p = read_csv(r.path("vpc.csv"), {"variable"});
    if (p.find("variable") && p.find("time") && p.find("sim_p05") && p.find("sim_p50") &&
        p.find("sim_p95")) {
      const auto& var = p.text("variable");
      for (std::size_t i = 0; i < p.rows; ++i) {
        vpc[var[i]].push_back({{"key", var[i] + " VPC"},
                               {"t", p.column("time")[i]},
                               {"lo", number(p.column("sim_p05")[i])},
                               {"mid", number(p.column("sim_p50")[i])},
                               {"hi", number(p.column("sim_p95")[i])}});
        for (const char* o : {"obs_p05", "obs_p50", "obs_p95"}) {
          if (p.find(o)) {
            observed[var[i]].push_back({{"key", var[i] + " observed " + std::string(o + 4)},
                                        {"t", p.column("time")[i]},
                                        {"v", number(p.column(o)[i])}});
          }
        }
      }
    }
  }

  Section section;
  section.id = file == "timeseries.csv" ? "series" : "manufacturing-series";
  section.title = heading;
  std::string intro =
      bands_only ? std::string("<p>No timeseries.csv (the scenario wrote none): bands only")
                 : fmt::format("<p>{} run(s) in <code>{}</code>", runs.size(), escape_html(file));
  if (runs.size() > drawn.size()) {
    intro += fmt::format("; {} of them drawn as lines (evenly spread)", drawn.size());
  }
  if (per_point) {
    intro += fmt::format(
        "; shaded: 5-95 % and 25-75 % of the runs of each of the {} design points "
        "(computed from the runs in this file), line: median",
        point_runs.size());
  } else if (!file_bands.empty()) {
    intro += "; shaded: 5-95 % and 25-75 % over all runs (bands.csv), line: median";
  }
  intro += ". Time in days; dashed red lines are limits, grey vertical lines protocol steps.";
  if (!triggered.empty()) {
    std::string list;
    for (const auto& s : triggered) {
      list += (list.empty() ? "" : "; ") + s;
    }
    intro += " State-triggered steps (not drawn): " + escape_html(list) + ".";
  }
  section.html = intro + "</p>";

  const std::size_t max_points = std::max<std::size_t>(2, r.options.max_points_per_run);
  for (const auto& g : groups) {
    SeriesData d;
    std::vector<std::size_t> cols;
    std::string unit;
    std::set<std::string> units;
    for (const auto& v : g.variables) {
      cols.push_back(*t.find(v));
      units.insert(r.unit(file, v));
    }
    for (const auto& u : units) {
      unit += (unit.empty() ? "" : ", ") + u;
    }
    const bool key_by_point = per_point;
    for (std::size_t k : drawn) {
      const RunRows& run = runs[k];
      const std::size_t n = run.end - run.begin;
      const std::size_t stride = n > max_points ? (n + max_points - 1) / max_points : 1;
      const std::string run_label =
          fmt::format("{}/{}", static_cast<long>(run.sample), static_cast<long>(run.replicate));
      for (std::size_t ci = 0; ci < cols.size(); ++ci) {
        const std::string key =
            key_by_point ? point_label(static_cast<long>(run.sample) / subjects) : g.variables[ci];
        for (std::size_t i = run.begin; i < run.end; i += stride) {
          d.runs.push_back({{"key", key},
                            {"var", g.variables[ci]},
                            {"run", run_label},
                            {"t", time[i]},
                            {"v", number(t.numbers[cols[ci]][i])}});
          if (i + stride >= run.end && i + 1 != run.end) {
            i = run.end - 1 - stride;  // keep the last point
          }
        }
      }
    }
    if (per_point) {
      for (const auto& [point, members] : point_runs) {
        const std::size_t n = runs[members.front()].end - runs[members.front()].begin;
        const std::size_t stride = n > max_points ? (n + max_points - 1) / max_points : 1;
        for (std::size_t ci = 0; ci < cols.size(); ++ci) {
          for (std::size_t row = 0; row < n; row += stride) {
            std::vector<double> values;
            for (std::size_t k : members) {
              const std::size_t i = runs[k].begin + row;
              if (i < runs[k].end && std::isfinite(t.numbers[cols[ci]][i])) {
                values.push_back(t.numbers[cols[ci]][i]);
              }
            }
            if (values.size() < 2) {
              continue;
            }
            std::sort(values.begin(), values.end());
            d.bands.push_back({{"key", point_label(point)},
                               {"var", g.variables[ci]},
                               {"t", time[runs[members.front()].begin + row]},
                               {"p05", quantile(values, 0.05)},
                               {"p25", quantile(values, 0.25)},
                               {"p50", quantile(values, 0.5)},
                               {"p75", quantile(values, 0.75)},
                               {"p95", quantile(values, 0.95)}});
          }
        }
      }
    } else {
      for (const auto& v : g.variables) {
        const auto it = file_bands.find(v);
        if (it != file_bands.end()) {
          const std::size_t n = it->second.size();
          const std::size_t stride = n > max_points ? (n + max_points - 1) / max_points : 1;
          for (std::size_t i = 0; i < n; i += stride) {
            json row = it->second[i];
            row["var"] = v;
            d.bands.push_back(row);
          }
        }
      }
    }
    for (const auto& v : g.variables) {
      if (const auto it = observed.find(v); it != observed.end()) {
        for (auto row : it->second) {
          row["var"] = v;
          d.observed.push_back(row);
        }
      }
      if (const auto it = vpc.find(v); it != vpc.end()) {
        for (auto row : it->second) {
          row["var"] = v;
          d.vpc.push_back(row);
        }
      }
    }
    // Limits on any variable of the hint's plot (also one the scenario did not output).
    std::vector<std::string> hinted = g.variables;
    if (hints != nullptr) {
      for (const auto& h : hints->value("plots", json::array())) {
        if (h.value("title", std::string()) == g.title) {
          hinted = h.value("variables", std::vector<std::string>{});
        }
      }
    }
    for (const auto& l : limits_all) {
      const std::string v = l.value("variable", std::string());
      if (std::find(hinted.begin(), hinted.end(), v) != hinted.end() && l.contains("value")) {
        // Labels of limits at the same value are stacked, not drawn over each other.
        int same = 0;
        for (const auto& earlier : d.limits) {
          same += earlier["v"] == l["value"] ? 1 : 0;
        }
        d.limits.push_back({{"label", l.value("label", std::string())},
                            {"v", l["value"]},
                            {"var", v},
                            {"dy", -3 - 11 * same}});
      }
    }
    d.steps = steps;
    Plot p;
    p.title = g.title;
    p.spec = series_spec(d, "time (d)", unit, key_by_point ? "design point" : "variable");
    // A plot with several variables per design point, or a pick-one plot, shows one variable at
    // a time.
    if (g.pick || (key_by_point && g.variables.size() > 1)) {
      p.spec["signals"].push_back(select_signal("pick", "variable", g.variables));
      for (auto& data : p.spec["data"]) {
        if (data["name"] == "limits" || data["name"] == "steps") {
          if (data["name"] == "limits") {
            data["transform"][0]["expr"] = "(!logy || datum.v > 0) && datum.var === pick";
          }
          continue;
        }
        std::string expr = data.contains("transform")
                               ? data["transform"][0]["expr"].get<std::string>()
                               : std::string("true");
        data["transform"] =
            json::array({{{"type", "filter"}, {"expr", "(" + expr + ") && datum.var === pick"}}});
      }
      json unit_of = json::object();
      for (const auto& v : g.variables) {
        unit_of[v] = r.unit(file, v);
      }
      p.spec["data"].push_back({{"name", "units"}, {"values", json::array({unit_of})}});
      p.spec["axes"][1]["title"] = {{"signal", "pick + ' (' + data('units')[0][pick] + ')'"}};
    }
    p.log_toggle = true;
    p.log = g.log || (!hints && is_wide_range(t, cols));
    std::string caption = "Units: ";
    for (std::size_t ci = 0; ci < g.variables.size(); ++ci) {
      const ColumnInfo* c = r.column(file, g.variables[ci]);
      caption += (ci ? "; " : "") + g.variables[ci] + " [" + (c ? c->unit : "?") + "]" +
                 (c && !c->description.empty() ? " " + c->description : "");
    }
    // A pick-one plot names the unit on its axis; all descriptions are under Provenance.
    p.caption = g.pick ? std::string(
                             "The unit is in the axis title; every column's unit and "
                             "description is listed under Provenance.")
                       : caption;
    if (d.runs.size() + d.bands.size() > 6000) {
      p.renderer = "canvas";
    }
    section.plots.push_back(std::move(p));
  }
  out.push_back(std::move(section));
}

}  // namespace

void add_series_sections(const Results& r, std::vector<Section>& out) {
  const bool chain = r.has("manufacturing_timeseries.csv");
  add_series_file(r, "manufacturing_timeseries.csv", "Manufacturing run sheet", out);
  const json* hints = r.hints("timeseries.csv");
  const std::string model =
      hints ? hints->value("model", std::string()) : r.run.value("model", std::string());
  add_series_file(r, "timeseries.csv",
                  chain ? "Patient time series (" + model + ")" : "Time series (" + model + ")",
                  out);
}

}  // namespace cartsim::report
