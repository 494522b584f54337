// Sections from the analysis files: sensitivity indices (sensitivity.csv), an agent-based
// model's end-of-run histograms (distributions.csv, manufacturing_distributions.csv), replicate
// spread (replicate_summary.csv), and the files of trial arms and fits when present: Kaplan-Meier
// curves (km.csv) and tables (outcomes.csv, estimates.csv). docs/report.md has the contract.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "results.hpp"
#include "vega_specs.hpp"

namespace cartsim::report {
namespace {

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

std::vector<std::string> distinct_in_order(const std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) {
    if (std::find(out.begin(), out.end(), s) == out.end()) {
      out.push_back(s);
    }
  }
  return out;
}

void add_sensitivity(const Results& r, std::vector<Section>& out) {
  if (!r.has("sensitivity.csv")) {
    return;
  }
  const CsvTable t = read_csv(r.path("sensitivity.csv"), {"metric", "factor"});
  const auto& metric = t.text("metric");
  const auto& factor = t.text("factor");
  const bool sobol = t.find("S1").has_value();
  json rows = json::array();
  for (std::size_t i = 0; i < t.rows; ++i) {
    if (sobol) {
      rows.push_back({{"metric", metric[i]},
                      {"factor", factor[i]},
                      {"index", "S1 (first order)"},
                      {"v", number(t.column("S1")[i])},
                      {"lo", number(t.column("S1_low")[i])},
                      {"hi", number(t.column("S1_high")[i])}});
      rows.push_back({{"metric", metric[i]},
                      {"factor", factor[i]},
                      {"index", "ST (total)"},
                      {"v", number(t.column("ST")[i])},
                      {"lo", number(t.column("ST_low")[i])},
                      {"hi", number(t.column("ST_high")[i])}});
    } else {
      rows.push_back({{"metric", metric[i]},
                      {"factor", factor[i]},
                      {"index", "mu*"},
                      {"v", number(t.column("mu_star")[i])},
                      {"lo", nullptr},
                      {"hi", nullptr}});
      rows.push_back({{"metric", metric[i]},
                      {"factor", factor[i]},
                      {"index", "sigma"},
                      {"v", number(t.column("sigma")[i])},
                      {"lo", nullptr},
                      {"hi", nullptr}});
    }
  }
  Section s;
  s.id = "sensitivity";
  s.title = sobol ? "Sensitivity: Sobol indices" : "Sensitivity: Morris elementary effects";
  s.html = sobol ? "<p>First-order (S1) and total (ST) Sobol indices per input, with bootstrap "
                   "confidence intervals (black lines). S1 is the share of the metric's variance "
                   "the input explains alone; ST includes its interactions.</p>"
                 : "<p>Morris screening: mu* (mean absolute elementary effect) and sigma (their "
                   "spread; large sigma: non-linear or interacting), in units of the metric per "
                   "unit of the input's quantile.</p>";
  Plot p;
  p.title = s.title;
  p.caption = "From sensitivity.csv; pick the metric below the plot.";
  p.spec = bars_spec(rows, distinct_in_order(metric), sobol ? "index" : "effect (metric unit)");
  s.plots.push_back(std::move(p));
  out.push_back(std::move(s));
}

void add_distributions(const Results& r, const std::string& file, std::vector<Section>& out) {
  if (!r.has(file)) {
    return;
  }
  const CsvTable t = read_csv(r.path(file), {"distribution", "unit"});
  const auto& dist = t.text("distribution");
  const auto& unit = t.text("unit");
  const auto& lower = t.column("lower");
  const auto& upper = t.column("upper");
  const auto& fraction = t.column("fraction");
  struct Bin {
    double lo, hi;
    std::string unit;
    std::vector<double> fractions;
  };
  std::map<std::pair<std::string, double>, Bin> bins;
  for (std::size_t i = 0; i < t.rows; ++i) {
    auto& b = bins[{dist[i], lower[i]}];
    b.lo = lower[i];
    b.hi = upper[i];
    b.unit = unit[i];
    b.fractions.push_back(fraction[i]);
  }
  json rows = json::array();
  std::map<std::string, int> order;
  for (const auto& [key, b] : bins) {
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    for (double f : b.fractions) {
      sum += f;
      lo = std::min(lo, f);
      hi = std::max(hi, f);
    }
    const std::string label =
        std::isinf(b.hi) ? fmt::format(">= {:g}", b.lo) : fmt::format("{:g}-{:g}", b.lo, b.hi);
    rows.push_back({{"dist", key.first},
                    {"bin", label},
                    {"order", order[key.first]++},
                    {"unit", b.unit},
                    {"mean", sum / static_cast<double>(b.fractions.size())},
                    {"min", lo},
                    {"max", hi}});
  }
  Section s;
  s.id = file == "distributions.csv" ? "distributions" : "manufacturing-distributions";
  s.title = file == "distributions.csv" ? "Cell-level distributions at the end of the run"
                                        : "Cell-level distributions of the product at harvest";
  s.html = fmt::format(
      "<p>From <code>{}</code>: bars are the mean fraction of cells per bin "
      "over the runs, black lines the range over the runs.</p>",
      escape_html(file));
  Plot p;
  p.title = "Histogram";
  p.caption = "Pick the distribution below the plot; the bin unit is in each bar's tooltip.";
  p.spec = distribution_spec(rows, distinct_in_order(dist));
  s.plots.push_back(std::move(p));
  out.push_back(std::move(s));
}

void add_km(const Results& r, std::vector<Section>& out) {
  if (!r.has("km.csv")) {
    return;
  }
  const CsvTable t = read_csv(r.path("km.csv"), {"arm", "endpoint", "group"});
  if (!t.find("time") || !t.find("survival")) {
    return;
  }
  std::vector<std::string> group(t.rows, "all");
  for (const char* g : {"group", "arm"}) {
    if (t.find(g)) {
      group = t.text(g);
    }
  }
  if (t.find("endpoint")) {
    for (std::size_t i = 0; i < t.rows; ++i) {
      group[i] = t.text("endpoint")[i] + (group[i] == "all" ? "" : ": " + group[i]);
    }
  }
  json rows = json::array();
  for (std::size_t i = 0; i < t.rows; ++i) {
    rows.push_back({{"group", group[i]},
                    {"t", t.column("time")[i]},
                    {"s", number(t.column("survival")[i])},
                    {"lo", t.find("lower") ? number(t.column("lower")[i]) : json(nullptr)},
                    {"hi", t.find("upper") ? number(t.column("upper")[i]) : json(nullptr)}});
  }
  Section s;
  s.id = "km";
  s.title = "Kaplan-Meier curves";
  s.html =
      "<p>From km.csv: the fraction without the event over time, per arm (shaded: the "
      "confidence band when the file gives one).</p>";
  Plot p;
  p.title = "Kaplan-Meier";
  p.spec = step_spec(rows, "time (d)", "fraction without the event");
  s.plots.push_back(std::move(p));
  out.push_back(std::move(s));
}

}  // namespace

void add_analysis_sections(const Results& r, std::vector<Section>& out) {
  add_sensitivity(r, out);
  add_distributions(r, "distributions.csv", out);
  add_distributions(r, "manufacturing_distributions.csv", out);
  add_km(r, out);
  for (const auto& [file, title] : std::vector<std::pair<std::string, std::string>>{
           {"outcomes.csv", "Outcomes per arm"},
           {"estimates.csv", "Estimates"},
           {"replicate_summary.csv", "Replicates: mean and spread"}}) {
    if (!r.has(file)) {
      continue;
    }
    Section s;
    s.id = file.substr(0, file.find('.'));
    s.title = title;
    s.html = "<p>From <code>" + escape_html(file) + "</code>.</p>" +
             html_table(read_csv_text(r.path(file)), 200);
    out.push_back(std::move(s));
  }
}

}  // namespace cartsim::report
