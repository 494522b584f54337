// The `sweep:` section: design, factors, population (covariates, rules, variability), replicates.
#include "sweep_parser.hpp"

#include <fmt/format.h>

#include <cmath>

#include "cartsim/core/text.hpp"
#include "cartsim/simulation/input_paths.hpp"

namespace cartsim::parse {
namespace {

constexpr std::size_t max_samples = 100'000'000;

Assignment resolve_path(const YamlNode& node, const Scenario& scenario) {
  const std::string path = node.string();
  if (auto a = resolve_input_path(scenario, path)) {
    return *a;
  }
  const std::string note = input_path_note(scenario, path);
  if (!note.empty()) {
    const auto known = input_paths(scenario);
    const std::string hint = did_you_mean(path, known);
    node.fail(fmt::format("unknown input path '{}': {}{}{}valid paths: {}", path, note, hint,
                          hint.empty() ? "; " : " ", join(known)));
  }
  node.fail(unknown_name_message("input path", path, input_paths(scenario), "valid paths"));
}

double positive(const YamlNode& node, std::string_view what) {
  const double v = node.number();
  if (!(v > 0.0)) {
    node.fail(fmt::format("{} = {} must be > 0", what, v));
  }
  return v;
}

std::size_t count(const YamlNode& node, std::string_view what) {
  const std::uint64_t n = node.integer();
  if (n < 1 || n > max_samples) {
    node.fail(fmt::format("{} = {} must be between 1 and {}", what, n, max_samples));
  }
  return static_cast<std::size_t>(n);
}

/// values: [..] | linear: {from, to, count} | log: {from, to, count}
std::vector<double> parse_grid_axis(const YamlNode& factor) {
  std::vector<double> values;
  if (const auto list = factor.find("values")) {
    for (const auto& item : list->items()) {
      values.push_back(item.number());
    }
    if (values.empty()) {
      list->fail("the list of values is empty");
    }
    return values;
  }
  for (const char* key : {"linear", "log"}) {
    if (const auto range = factor.find(key)) {
      range->check_keys({"from", "to", "count"});
      const bool log = std::string_view(key) == "log";
      const YamlNode from_node = range->required("from");
      const double from = log ? positive(from_node, "from") : from_node.number();
      const YamlNode to_node = range->required("to");
      const double to = log ? positive(to_node, "to") : to_node.number();
      const std::size_t n = count(range->required("count"), "count");
      for (std::size_t i = 0; i < n; ++i) {
        const double f = n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(n - 1);
        values.push_back(log ? from * std::pow(to / from, f) : from + f * (to - from));
      }
      if (n > 1) {
        values.back() = to;  // exactly the end point
      }
      return values;
    }
  }
  factor.fail("a grid factor needs 'values', 'linear' or 'log'");
}

}  // namespace

Distribution parse_distribution(const YamlNode& node) {
  node.expect_map();
  node.check_keys({"uniform", "log_uniform", "normal", "lognormal", "discrete", "truncate"});
  Distribution d;
  int kinds = 0;
  for (const auto& entry : node.entries()) {
    if (entry.name == "truncate") {
      continue;
    }
    ++kinds;
    const YamlNode& v = entry.value;
    if (entry.name == "uniform" || entry.name == "log_uniform") {
      v.check_keys({"min", "max"});
      d.kind =
          entry.name == "uniform" ? Distribution::Kind::uniform : Distribution::Kind::log_uniform;
      const YamlNode min_node = v.required("min");
      d.a =
          d.kind == Distribution::Kind::log_uniform ? positive(min_node, "min") : min_node.number();
      const YamlNode max_node = v.required("max");
      d.b = max_node.number();
      if (!(d.b > d.a)) {
        max_node.fail(fmt::format("max = {} must be > min = {}", d.b, d.a));
      }
    } else if (entry.name == "normal") {
      v.check_keys({"mean", "sd"});
      d.kind = Distribution::Kind::normal;
      d.a = v.required("mean").number();
      d.b = positive(v.required("sd"), "sd");
    } else if (entry.name == "lognormal") {
      // Pharmacometric convention: log X ~ N(ln median, omega^2); or by CV: omega^2 = ln(1 + cv^2).
      v.check_keys({"median", "omega2", "omega", "cv"});
      d.kind = Distribution::Kind::lognormal;
      d.a = positive(v.required("median"), "median");
      const auto omega2 = v.find("omega2");
      const auto omega = v.find("omega");
      const auto cv = v.find("cv");
      if ((omega2 ? 1 : 0) + (omega ? 1 : 0) + (cv ? 1 : 0) != 1) {
        v.fail(
            "a lognormal needs exactly one of omega2 (variance of the log), omega (its SD) "
            "or cv");
      }
      d.b = omega2  ? std::sqrt(positive(*omega2, "omega2"))
            : omega ? positive(*omega, "omega")
                    : std::sqrt(std::log1p(std::pow(positive(*cv, "cv"), 2)));
    } else {
      v.check_keys({"values", "weights"});
      d.kind = Distribution::Kind::discrete;
      for (const auto& item : v.required("values").items()) {
        d.values.push_back(item.number());
      }
      if (d.values.empty()) {
        v.fail("a discrete distribution needs at least one value");
      }
      if (const auto weights = v.find("weights")) {
        double total = 0.0;
        for (const auto& item : weights->items()) {
          d.weights.push_back(item.number());
          if (d.weights.back() < 0.0) {
            item.fail("weights must be >= 0");
          }
          total += d.weights.back();
        }
        if (d.weights.size() != d.values.size() || !(total > 0.0)) {
          weights->fail("weights need one non-negative entry per value and a positive sum");
        }
        for (auto& w : d.weights) {
          w /= total;
        }
      } else {
        d.weights.assign(d.values.size(), 1.0 / static_cast<double>(d.values.size()));
      }
    }
  }
  if (kinds != 1) {
    node.fail(
        "a distribution needs exactly one of uniform, log_uniform, normal, lognormal, "
        "discrete");
  }
  if (const auto truncate = node.find("truncate")) {
    if (d.kind == Distribution::Kind::discrete) {
      truncate->fail("a discrete distribution cannot be truncated; list only the values wanted");
    }
    const auto items = truncate->items();
    if (items.size() != 2) {
      truncate->fail("truncate takes [lower, upper]");
    }
    d.lower = items[0].number();
    d.upper = items[1].number();
    if (!(d.upper > d.lower) || !(d.cdf(d.upper) - d.cdf(d.lower) > 1e-12)) {
      truncate->fail(fmt::format("truncation [{}, {}] leaves no probability", d.lower, d.upper));
    }
  }
  return d;
}

SweepSpec parse_sweep(const YamlNode& node, const Scenario& scenario) {
  node.check_keys({"design", "samples", "replicates", "factors", "population"});
  SweepSpec spec;
  const auto factors = node.find("factors");
  spec.design = factors ? Design::grid : Design::single;
  if (const auto design = node.find("design")) {
    const std::string name = design->string();
    if (name == "grid") {
      spec.design = Design::grid;
    } else if (name == "latin_hypercube") {
      spec.design = Design::latin_hypercube;
    } else if (name == "sobol") {
      spec.design = Design::sobol;
    } else if (name == "monte_carlo") {
      spec.design = Design::monte_carlo;
    } else {
      design->fail(unknown_name_message(
          "design", name, {"grid", "latin_hypercube", "sobol", "monte_carlo"}, "designs"));
    }
  }
  const bool grid = spec.design == Design::grid;
  const auto samples = node.find("samples");
  if (grid && samples) {
    samples->fail(
        "a grid's size is the product of its axes; 'samples' is for latin_hypercube, "
        "sobol and monte_carlo");
  }
  if (!grid && spec.design != Design::single) {
    if (!samples) {
      node.fail("missing required key 'samples' (design points of the " +
                std::string(spec.design == Design::sobol ? "sobol" : "random") + " design)");
    }
    spec.points = count(*samples, "samples");
  }
  if (const auto replicates = node.find("replicates")) {
    spec.replicates = count(*replicates, "replicates");
  }
  if (factors) {
    std::vector<std::string> seen;
    for (const auto& item : factors->items()) {
      item.check_keys({"path", "values", "linear", "log", "distribution"});
      SweepFactor f;
      const YamlNode path = item.required("path");
      f.path = path.string();
      if (std::find(seen.begin(), seen.end(), f.path) != seen.end()) {
        path.fail("path '" + f.path + "' is swept twice");
      }
      seen.push_back(f.path);
      f.target = resolve_path(path, scenario);
      f.where = item.location();
      if (grid) {
        if (item.find("distribution")) {
          item.fail("a grid factor takes values, linear or log, not a distribution");
        }
        f.grid_values = parse_grid_axis(item);
        spec.points *= f.grid_values.size();
        if (spec.points > max_samples) {
          item.fail(fmt::format("the grid has more than {} points", max_samples));
        }
      } else {
        const auto distribution = item.find("distribution");
        if (!distribution) {
          item.fail(
              "a factor of a latin_hypercube, sobol or monte_carlo design needs a "
              "'distribution'");
        }
        f.distribution = parse_distribution(*distribution);
      }
      spec.factors.push_back(std::move(f));
    }
  }
  if (spec.design != Design::single && spec.factors.empty()) {
    node.fail("a design needs at least one factor");
  }
  if (const auto population = node.find("population")) {
    population->check_keys({"subjects", "covariates", "rules", "variability"});
    PopulationSpec pop;
    pop.subjects = count(population->required("subjects"), "subjects");
    std::vector<std::string> names;
    if (const auto covariates = population->find("covariates")) {
      for (const auto& item : covariates->items()) {
        item.check_keys({"name", "distribution"});
        Covariate c;
        const YamlNode name = item.required("name");
        c.name = name.string();
        if (c.name.empty() ||
            !(std::isalpha(static_cast<unsigned char>(c.name[0])) || c.name[0] == '_') ||
            c.name.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                std::string::npos) {
          name.fail("a covariate name is letters, digits and '_', not starting with a digit");
        }
        if (std::find(names.begin(), names.end(), c.name) != names.end()) {
          name.fail("covariate '" + c.name + "' is defined twice");
        }
        names.push_back(c.name);
        c.distribution = parse_distribution(item.required("distribution"));
        c.where = item.location();
        pop.covariates.push_back(std::move(c));
      }
    }
    if (const auto rules = population->find("rules")) {
      for (const auto& item : rules->items()) {
        item.check_keys({"path", "expression"});
        const YamlNode path = item.required("path");
        const YamlNode text = item.required("expression");
        try {
          pop.rules.push_back({path.string(), resolve_path(path, scenario),
                               Expression(text.string(), names), item.location()});
        } catch (const Expression::SyntaxError& e) {
          // Point at the offending character itself: the expression is one line of text that
          // starts at the scalar (after its opening quote).
          InputLocation where = text.location();
          where.column += (text.quoted() ? 1 : 0) + std::max(e.column(), 1) - 1;
          throw ConfigError(where, std::string("in the expression: ") + e.what());
        }
      }
    }
    if (const auto variability = population->find("variability")) {
      for (const auto& item : variability->items()) {
        item.check_keys({"path", "omega2", "omega", "cv"});
        Variability v;
        const YamlNode path = item.required("path");
        v.path = path.string();
        v.target = resolve_path(path, scenario);
        const auto omega2 = item.find("omega2");
        const auto omega = item.find("omega");
        const auto cv = item.find("cv");
        if ((omega2 ? 1 : 0) + (omega ? 1 : 0) + (cv ? 1 : 0) != 1) {
          item.fail(
              "variability needs exactly one of omega2 (variance of eta), omega (its SD) "
              "or cv");
        }
        v.omega = omega2  ? std::sqrt(positive(*omega2, "omega2"))
                  : omega ? positive(*omega, "omega")
                          : std::sqrt(std::log1p(std::pow(positive(*cv, "cv"), 2)));
        v.where = item.location();
        pop.variability.push_back(std::move(v));
      }
    }
    spec.population = std::move(pop);
  }
  if (spec.samples() > max_samples) {
    node.fail(fmt::format("the sweep has more than {} samples", max_samples));
  }
  return spec;
}

SensitivitySpec parse_sensitivity(const YamlNode& node, const Scenario& scenario) {
  node.check_keys({"method", "samples", "levels", "bootstrap", "confidence", "metrics", "factors"});
  SensitivitySpec spec;
  if (const auto method = node.find("method")) {
    const std::string name = method->string();
    if (name == "sobol") {
      spec.method = SensitivitySpec::Method::sobol;
    } else if (name == "morris") {
      spec.method = SensitivitySpec::Method::morris;
    } else {
      method->fail(unknown_name_message("method", name, {"sobol", "morris"}, "methods"));
    }
  }
  if (const auto samples = node.find("samples")) {
    spec.samples = count(*samples, "samples");
  }
  if (const auto levels = node.find("levels")) {
    spec.levels = count(*levels, "levels");
    if (spec.levels < 2 || spec.levels % 2 != 0) {
      levels->fail(fmt::format(
          "levels = {} must be even and >= 2 (Morris' Delta = p / (2 (p - 1)))", spec.levels));
    }
  }
  if (const auto bootstrap = node.find("bootstrap")) {
    spec.bootstrap = count(*bootstrap, "bootstrap");
  }
  if (const auto confidence = node.find("confidence")) {
    spec.confidence = confidence->number();
    if (!(spec.confidence > 0.0 && spec.confidence < 1.0)) {
      confidence->fail("confidence must be in (0, 1)");
    }
  }
  std::vector<std::string> known;
  for (const auto& m : scenario.outputs.metrics) {
    known.push_back(m.name);
  }
  if (known.empty()) {
    node.fail("a sensitivity analysis needs at least one metric in outputs.metrics");
  }
  if (const auto metrics = node.find("metrics")) {
    for (const auto& item : metrics->items()) {
      const std::string name = item.string();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        item.fail(unknown_name_message("metric", name, known, "metrics of the scenario"));
      }
      spec.metrics.push_back(name);
    }
  }
  const YamlNode factors = node.required("factors");
  std::vector<std::string> seen;
  for (const auto& item : factors.items()) {
    item.check_keys({"path", "distribution"});
    SweepFactor f;
    const YamlNode path = item.required("path");
    f.path = path.string();
    if (std::find(seen.begin(), seen.end(), f.path) != seen.end()) {
      path.fail("path '" + f.path + "' is listed twice");
    }
    seen.push_back(f.path);
    f.target = resolve_path(path, scenario);
    f.distribution = parse_distribution(item.required("distribution"));
    f.where = item.location();
    spec.factors.push_back(std::move(f));
  }
  if (spec.factors.empty()) {
    factors.fail("a sensitivity analysis needs at least one factor");
  }
  return spec;
}

}  // namespace cartsim::parse
