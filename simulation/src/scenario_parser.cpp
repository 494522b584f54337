// Scenario schema v1: YAML text -> Scenario, validated against the model it names.
//
// The only place in cartsim that reads scenario YAML. Every value is checked here (type, range,
// that names exist in the model), so the runner can trust a Scenario. Each error is a ConfigError
// at the offending node: file, 1-based line and column, YAML path, and a message naming the value
// and what is allowed. The schema is documented key by key in docs/scenario_reference.md; keep the
// two in step.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

#include "cartsim/core/text.hpp"
#include "cartsim/models/registry.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "parse_values.hpp"
#include "protocol_parser.hpp"
#include "sweep_parser.hpp"
#include "yaml_reader.hpp"

namespace cartsim {
namespace {

using namespace parse;  // NOLINT: the parser's own helpers, in a .cpp

constexpr std::uint64_t supported_schema_version = 1;
constexpr double max_output_points = 1.0e7;
/// (to - from) / step within this relative distance of an integer puts `to` on the grid.
constexpr double grid_end_tolerance = 1.0e-9;

// ---------------------------------------------------------------------------------------------
// Message helpers

std::vector<std::string> metric_names(const ModelInfo& info) {
  std::vector<std::string> names;
  for (const auto& metric : info.metrics) {
    names.push_back(metric.name);
  }
  return names;
}

/// Metric kinds for which `uses` is true, e.g. "first_above, first_below, last_above".
std::string kinds_using(const std::function<bool(MetricKind)>& uses) {
  std::vector<std::string> names;
  for (const auto& name : metric_kind_names()) {
    MetricKind kind{};
    if (parse_metric_kind(name, kind) && uses(kind)) {
      names.push_back(name);
    }
  }
  return join(names);
}

// ---------------------------------------------------------------------------------------------
// Shared value readers

/// An optional top-level section: absent and empty (`parameters:` with nothing below) are the same.
std::optional<YamlNode> optional_section(const YamlNode& root, std::string_view key) {
  auto section = root.find(key);
  if (section && section->is_null()) {
    return std::nullopt;
  }
  return section;
}

// ---------------------------------------------------------------------------------------------
// Document and header

YamlNode parse_document(const std::string& text, const std::string& file_label) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    InputLocation where;
    where.file = file_label;
    if (!e.mark.is_null()) {
      where.line = e.mark.line + 1;
      where.column = e.mark.column + 1;
    }
    throw ConfigError(where, "invalid YAML: " + e.msg);
  }
  if (documents.empty() || documents.front().IsNull()) {
    InputLocation where{file_label, 1, 1, ""};
    throw ConfigError(where, "the scenario is empty; it needs at least 'model' and 'outputs'");
  }
  if (documents.size() > 1) {
    YamlNode::root(documents[1], file_label)
        .fail("a scenario is one YAML document, found a second one (after '---')");
  }
  const YamlNode root = YamlNode::root(documents.front(), file_label);
  if (!root.is_map()) {
    root.fail("the top level must be a map of keys such as 'model' and 'outputs', got " +
              root.describe());
  }
  return root;
}

int parse_schema_version(const YamlNode& node) {
  const std::uint64_t version = node.integer();
  if (version != supported_schema_version) {
    node.fail(fmt::format("unsupported schema version {}; this cartsim reads schema version {}",
                          version, supported_schema_version));
  }
  return static_cast<int>(version);
}

/// `name:` becomes the default results directory (results/NAME), so it must be one safe path
/// component: letters, digits, '-', '_' and '.', not starting with '.'.
std::string parse_name(const YamlNode& node) {
  std::string name = non_empty_string(node, "name");
  const bool safe = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
  if (!safe || name.front() == '.') {
    node.fail(fmt::format(
        "name '{}' may contain only letters, digits, '-', '_' and '.', and must not start with '.' "
        "(it names the results directory)",
        name));
  }
  return name;
}

/// The file's stem, or "scenario" for in-memory text labelled like "<memory>".
std::string default_name(const std::string& file_label) {
  if (file_label.empty() || file_label.front() == '<') {
    return "scenario";
  }
  std::string stem = std::filesystem::path(file_label).stem().string();
  return stem.empty() ? std::string("scenario") : stem;
}

std::shared_ptr<const Model> parse_model(const YamlNode& node, const ModelCatalog& catalog) {
  const std::string name = node.string();
  auto model = catalog.find(name);
  if (!model) {
    node.fail(unknown_name_message("model", name, catalog.names(), "known models"));
  }
  return model;
}

// ---------------------------------------------------------------------------------------------
// parameters, initial_state

std::vector<ParameterOverride> parse_parameters(const YamlNode& node, const ModelInfo& info) {
  node.check_unique_keys();
  std::vector<ParameterOverride> overrides;
  for (const auto& entry : node.entries()) {
    const auto index = info.find_parameter(entry.name);
    if (!index) {
      entry.key.fail(unknown_name_message("parameter", entry.name, settable_parameter_names(info),
                                          fmt::format("parameters of model '{}'", info.name)));
    }
    const double value = parameter_value(entry.key, entry.value, info.parameters[*index], info);
    overrides.push_back(ParameterOverride{entry.name, value, entry.value.location()});
  }
  return overrides;
}

std::vector<InitialValue> parse_initial_state(const YamlNode& node, const ModelInfo& info) {
  node.check_unique_keys();
  std::vector<InitialValue> values;
  for (const auto& entry : node.entries()) {
    const auto index = info.find_state(entry.name);
    if (!index) {
      entry.key.fail(unknown_name_message("state", entry.name, state_names(info),
                                          fmt::format("states of model '{}'", info.name)));
    }
    const double value = state_value(entry.value, info.states[*index], "initial value");
    values.push_back(InitialValue{entry.name, value, entry.value.location()});
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// outputs.times and time

std::vector<double> parse_time_list(const YamlNode& node) {
  const auto items = node.items();
  if (items.empty()) {
    node.fail("the list of output times is empty; give at least one time (days)");
  }
  std::vector<double> times;
  times.reserve(items.size());
  for (const auto& item : items) {
    const double t = item.number();
    if (!times.empty() && t <= times.back()) {
      item.fail(
          fmt::format("output times must be strictly ascending; {} follows {}", t, times.back()));
    }
    times.push_back(t);
  }
  return times;
}

/// {from, to, step}: from + i * step (no accumulated rounding), `to` included when it is on the
/// grid.
std::vector<double> parse_time_grid(const YamlNode& node) {
  node.check_keys({"from", "to", "step"});
  const YamlNode from_node = node.required("from");
  const YamlNode to_node = node.required("to");
  const YamlNode step_node = node.required("step");
  const double from = from_node.number();
  const double to = to_node.number();
  const double step = step_node.number();
  if (!(step > 0.0)) {
    step_node.fail(fmt::format("step = {} must be > 0 (days)", step));
  }
  if (to < from) {
    to_node.fail(fmt::format("to = {} must be >= from = {} (days)", to, from));
  }
  const double intervals = (to - from) / step;
  if (!(intervals + 1.0 <= max_output_points)) {
    step_node.fail(fmt::format(
        "the output grid from {} to {} with step {} has {:.0f} points; at most {:.0f} are allowed",
        from, to, step, std::floor(intervals) + 1.0, max_output_points));
  }
  const double nearest = std::round(intervals);
  const bool ends_on_grid = std::abs(intervals - nearest) <= grid_end_tolerance * nearest;
  const auto last_index = static_cast<std::size_t>(ends_on_grid ? nearest : std::floor(intervals));

  std::vector<double> times(last_index + 1);
  for (std::size_t i = 0; i <= last_index; ++i) {
    times[i] = from + static_cast<double>(i) * step;
  }
  if (ends_on_grid) {
    times.back() = to;
  }
  for (std::size_t i = 1; i < times.size(); ++i) {
    if (!(times[i] > times[i - 1])) {
      step_node.fail(fmt::format("step = {} is too small to separate output times near {} (days)",
                                 step, times[i]));
    }
  }
  return times;
}

std::vector<double> parse_output_times(const YamlNode& node) {
  if (node.is_list()) {
    return parse_time_list(node);
  }
  if (node.is_map()) {
    return parse_time_grid(node);
  }
  node.fail("expected a list of times or a map {from, to, step} (days), got " + node.describe());
}

/// time.start / time.end, defaulting to the first and last output time; checks end > start and that
/// every output time lies in the run.
void parse_time(const std::optional<YamlNode>& node, const YamlNode& times_node, Scenario& s) {
  const std::vector<double>& times = s.outputs.times;
  s.t_start = times.front();
  s.t_end = times.back();
  s.start_where = times_node.location();
  std::optional<YamlNode> start_node;
  std::optional<YamlNode> end_node;
  if (node) {
    node->check_keys({"start", "end"});
    start_node = node->find("start");
    end_node = node->find("end");
    if (start_node) {
      s.t_start = start_node->number();
      s.start_where = start_node->location();
    }
    if (end_node) {
      s.t_end = end_node->number();
    }
  }
  if (!(s.t_end > s.t_start)) {
    if (end_node) {
      end_node->fail(fmt::format("end = {} must be > start = {} (days)", s.t_end, s.t_start));
    }
    if (start_node) {
      start_node->fail(fmt::format(
          "start = {} must be < end = {} (days; without time.end the run ends at the last output "
          "time)",
          s.t_start, s.t_end));
    }
    times_node.fail(
        "a run needs end > start, but there is a single output time; give time.end or more "
        "output times");
  }
  if (times.front() < s.t_start) {
    times_node.fail(fmt::format("output time {} is before the run starts (time.start = {} days)",
                                times.front(), s.t_start));
  }
  if (times.back() > s.t_end) {
    times_node.fail(fmt::format("output time {} is after the run ends (time.end = {} days)",
                                times.back(), s.t_end));
  }
}

// ---------------------------------------------------------------------------------------------
// outputs.variables and outputs.metrics

std::vector<std::string> parse_output_variables(const YamlNode& node, const ModelInfo& info) {
  const auto items = node.items();
  if (items.empty()) {
    node.fail("the list of variables is empty; leave 'variables' out to write all of them");
  }
  std::vector<std::string> names;
  for (const auto& item : items) {
    std::string name = variable_name(item, info);
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      item.fail(fmt::format("variable '{}' is listed twice", name));
    }
    names.push_back(std::move(name));
  }
  return names;
}

/// The unit of a metric's result: days for time-valued kinds, the variable's unit times days for
/// an area under the curve, the variable's unit otherwise.
std::string metric_unit(const MetricSpec& spec, const Model& model) {
  if (metric_is_time(spec.kind)) {
    return "d";
  }
  const auto variable = model.resolve(spec.variable);
  if (!variable) {
    return "";  // a model metric on a name the model does not have: the runner reports it
  }
  const std::string& unit = model.unit_of(*variable);
  return spec.kind == MetricKind::auc ? unit + "*d" : unit;
}

/// Rejects `key` in a metric map when the metric's kind does not use it.
void check_metric_input(const YamlNode& node, std::string_view key, MetricKind kind,
                        bool (*uses)(MetricKind)) {
  if (const auto value = node.find(key); value && !uses(kind)) {
    value->fail(fmt::format("'{}' does not apply to metric kind '{}' (only to {})", key,
                            to_string(kind), kinds_using(uses)));
  }
}

/// A map: a custom metric {name, kind, variable, ...}, or a model metric by name with its level,
/// window or time changed.
MetricSpec parse_metric_map(const YamlNode& node, const Model& model, double t_start,
                            double t_end) {
  const ModelInfo& info = model.info();
  node.check_keys({"name", "kind", "variable", "level", "from", "to", "at"});
  const std::string name = non_empty_string(node.required("name"), "a metric name");

  MetricSpec spec;
  const bool custom = info.find_metric(name) == nullptr;
  if (custom) {
    const YamlNode kind_node = node.required("kind");
    const std::string kind_text = kind_node.string();
    if (!parse_metric_kind(kind_text, spec.kind)) {
      kind_node.fail(
          unknown_name_message("metric kind", kind_text, metric_kind_names(), "metric kinds"));
    }
    spec.name = name;
    spec.variable = variable_name(node.required("variable"), info);
    spec.description = fmt::format("{} of {}", to_string(spec.kind), spec.variable);
  } else {
    for (const std::string_view fixed : {"kind", "variable"}) {
      if (const auto value = node.find(fixed)) {
        value->fail(fmt::format(
            "'{}' is a metric of model '{}' whose kind and variable are fixed; give only level, "
            "from, to or at to adjust it, or choose another name for a custom metric",
            name, info.name));
      }
    }
    spec = *info.find_metric(name);
  }

  check_metric_input(node, "level", spec.kind, metric_uses_level);
  check_metric_input(node, "from", spec.kind, metric_uses_window);
  check_metric_input(node, "to", spec.kind, metric_uses_window);
  check_metric_input(node, "at", spec.kind, metric_uses_time);

  if (const auto level = node.find("level")) {
    spec.level = level->number();
  } else if (custom && metric_uses_level(spec.kind)) {
    node.fail(fmt::format("metric kind '{}' needs 'level' (in the unit of '{}')",
                          to_string(spec.kind), spec.variable));
  }
  if (const auto from = node.find("from")) {
    spec.from = from->number();
  }
  if (const auto to = node.find("to")) {
    spec.to = to->number();
  }
  if (metric_uses_window(spec.kind) && !(spec.to > spec.from)) {
    const auto to = node.find("to");
    (to ? *to : node.required("from"))
        .fail(fmt::format("the window needs to > from, got from = {} and to = {} (days)", spec.from,
                          spec.to));
  }
  if (const auto at = node.find("at")) {
    spec.at = time_in_run(*at, t_start, t_end);
  } else if (custom && metric_uses_time(spec.kind)) {
    node.fail(fmt::format("metric kind '{}' needs 'at' (days)", to_string(spec.kind)));
  }
  if (spec.unit.empty()) {
    spec.unit = metric_unit(spec, model);
  }
  return spec;
}

std::vector<MetricSpec> parse_metrics(const YamlNode& node, const Model& model, double t_start,
                                      double t_end) {
  const ModelInfo& info = model.info();
  std::vector<MetricSpec> metrics;
  for (const auto& item : node.items()) {
    MetricSpec spec;
    if (item.is_map()) {
      spec = parse_metric_map(item, model, t_start, t_end);
    } else if (item.is_scalar()) {
      const std::string name = item.string();
      const MetricSpec* declared = info.find_metric(name);
      if (declared == nullptr) {
        item.fail(unknown_name_message("metric", name, metric_names(info),
                                       fmt::format("metrics of model '{}'", info.name)) +
                  " (a custom metric is a map {name, kind, variable, ...})");
      }
      spec = *declared;
    } else {
      item.fail("expected a metric name or a map {name, kind, variable, ...}, got " +
                item.describe());
    }
    const bool repeated = std::any_of(metrics.begin(), metrics.end(),
                                      [&](const MetricSpec& m) { return m.name == spec.name; });
    if (repeated) {
      item.fail(fmt::format("metric '{}' is listed twice", spec.name));
    }
    metrics.push_back(std::move(spec));
  }
  return metrics;
}

/// The model's own metrics, with units filled in where the model left them empty.
std::vector<MetricSpec> default_metrics(const Model& model) {
  std::vector<MetricSpec> metrics = model.info().metrics;
  for (auto& spec : metrics) {
    if (spec.unit.empty()) {
      spec.unit = metric_unit(spec, model);
    }
  }
  return metrics;
}

// ---------------------------------------------------------------------------------------------
// solver

SolverSettings parse_solver(const YamlNode& node, const std::string& default_name) {
  node.check_keys({"name", "rtol", "atol", "max_steps", "first_step", "max_step"});
  SolverSettings settings;
  settings.name = default_name;
  SolverOptions& options = settings.options;
  if (const auto name = node.find("name")) {
    settings.name = name->string();
    const auto known = solver_names();
    if (std::find(known.begin(), known.end(), settings.name) == known.end()) {
      name->fail(unknown_name_message("solver", settings.name, known, "known solvers"));
    }
  }
  if (const auto rtol = node.find("rtol")) {
    options.rtol = rtol->number();
    if (!(options.rtol > 0.0 && options.rtol < 1.0)) {
      rtol->fail(fmt::format("rtol = {} must satisfy 0 < rtol < 1", options.rtol));
    }
  }
  if (const auto atol = node.find("atol")) {
    options.atol = atol->number();
    if (!(options.atol > 0.0)) {
      atol->fail(fmt::format("atol = {} must be > 0 (in each state's unit)", options.atol));
    }
  }
  if (const auto max_steps = node.find("max_steps")) {
    const std::uint64_t steps = max_steps->integer();
    constexpr auto limit = static_cast<std::uint64_t>(std::numeric_limits<long>::max());
    if (steps < 1 || steps > limit) {
      max_steps->fail(fmt::format("max_steps = {} must be in [1, {}]", steps, limit));
    }
    options.max_steps = static_cast<long>(steps);
  }
  if (const auto first_step = node.find("first_step")) {
    options.first_step = first_step->number();
    if (options.first_step < 0.0) {
      first_step->fail(fmt::format("first_step = {} must be >= 0 (days; 0 lets the solver choose)",
                                   options.first_step));
    }
  }
  if (const auto max_step = node.find("max_step")) {
    options.max_step = max_step->number();
    if (options.max_step < 0.0) {
      max_step->fail(
          fmt::format("max_step = {} must be >= 0 (days; 0 means no limit)", options.max_step));
    }
  }
  if (options.max_step > 0.0 && options.first_step > options.max_step) {
    node.required("first_step")
        .fail(fmt::format("first_step = {} must not exceed max_step = {} (days)",
                          options.first_step, options.max_step));
  }
  return settings;
}

/// outputs.timeseries (all | none | [sample, ...]) and outputs.bands (true | false; default: true
/// for a sweep). Needs the sweep, to check sample indices.
void parse_output_selection(const std::optional<YamlNode>& outputs, Scenario& s) {
  s.outputs.bands = s.sweep.is_sweep();  // several samples or replicates
  if (!outputs) {
    return;
  }
  if (const auto bands = outputs->find("bands")) {
    s.outputs.bands = bands->boolean();
  }
  const auto series = outputs->find("timeseries");
  if (!series) {
    return;
  }
  if (series->is_list()) {
    s.outputs.timeseries = OutputSettings::Series::subset;
    for (const auto& item : series->items()) {
      const std::uint64_t sample = item.integer();
      if (sample >= s.sweep.samples()) {
        item.fail(fmt::format("sample {} does not exist; the sweep has samples 0 to {}", sample,
                              s.sweep.samples() - 1));
      }
      if (!s.outputs.timeseries_samples.empty() && sample <= s.outputs.timeseries_samples.back()) {
        item.fail("sample indices must be strictly ascending");
      }
      s.outputs.timeseries_samples.push_back(static_cast<std::size_t>(sample));
    }
    return;
  }
  const std::string mode = series->string();
  if (mode == "all") {
    s.outputs.timeseries = OutputSettings::Series::all;
  } else if (mode == "none") {
    s.outputs.timeseries = OutputSettings::Series::none;
  } else {
    series->fail(unknown_name_message("timeseries selection", mode, {"all", "none"},
                                      "give all, none, or a list of sample indices"));
  }
}

/// model, parameters, initial_state, outputs, time, protocol and solver: the run of one model (a
/// single-model scenario, or one half of a chain, whose `outputs` hold no timeseries/bands).
void parse_run(const YamlNode& root, const ModelCatalog& catalog, Scenario& s, bool half) {
  const auto model = parse_model(root.required("model"), catalog);
  const ModelInfo& info = model->info();
  s.model = info.name;
  s.bound_model = model;
  if (const auto parameters = optional_section(root, "parameters")) {
    s.parameters = parse_parameters(*parameters, info);
  }
  if (const auto initial_state = optional_section(root, "initial_state")) {
    s.initial_state = parse_initial_state(*initial_state, info);
  }

  // The output grid comes before `time`, whose defaults are its first and last times.
  const YamlNode outputs = root.required("outputs");
  if (half) {
    outputs.check_keys({"times", "variables", "metrics"});
  } else {
    outputs.check_keys({"times", "variables", "metrics", "timeseries", "bands"});
  }
  const YamlNode times = outputs.required("times");
  s.outputs.times = parse_output_times(times);
  parse_time(optional_section(root, "time"), times, s);
  if (const auto variables = outputs.find("variables")) {
    s.outputs.variables = parse_output_variables(*variables, info);
  } else {
    s.outputs.variables = info.variable_names();
  }
  if (const auto metrics = outputs.find("metrics")) {
    s.outputs.metrics = parse_metrics(*metrics, *model, s.t_start, s.t_end);
  } else {
    s.outputs.metrics = default_metrics(*model);
  }

  if (const auto protocol = optional_section(root, "protocol")) {
    s.protocol = parse_protocol(*protocol, info, s.t_start, s.t_end);
  }
  // Without solver.name, the model's own choice (ModelInfo::default_solver), else cvode_bdf.
  s.solver.name = info.default_solver.empty() ? std::string("cvode_bdf") : info.default_solver;
  if (const auto solver = optional_section(root, "solver")) {
    s.solver = parse_solver(*solver, s.solver.name);
  }
}

// ---------------------------------------------------------------------------------------------
// Vein-to-vein chains: manufacturing, patient, product

/// Harvest read-outs a manufacturing half must have (besides the memory-like phenotypes).
constexpr std::array<const char*, 5> harvest_readouts = {
    "car_positive_cells", "viability", "vcn_per_car_cell", "release_pass", "release_failures"};
/// Settings of the patient's `infuse` that the chain writes.
constexpr std::array<const char*, 5> product_settings = {"cells_per_kg", "cells", "memory_fraction",
                                                         "vcn", "weight_band"};
const std::vector<std::string> phenotypes = {"naive_scm", "cm", "em", "effector"};

double positive_number(const YamlNode& node, std::string_view what) {
  const double v = node.number();
  if (!(v > 0.0)) {
    node.fail(fmt::format("{} = {} must be > 0", what, v));
  }
  return v;
}

ProductRules parse_product(const YamlNode& node) {
  node.check_keys({"dose", "cap_cells", "recovery", "infuse_failed_release", "memory_like"});
  ProductRules rules;
  if (const auto dose = node.find("dose")) {
    if (dose->is_map()) {
      dose->check_keys({"cells_per_kg", "cells"});
      const auto per_kg = dose->find("cells_per_kg");
      const auto cells = dose->find("cells");
      if ((per_kg ? 1 : 0) + (cells ? 1 : 0) != 1) {
        dose->fail(
            "a dose map needs exactly one of 'cells_per_kg' (CAR+ cells/kg) and 'cells' "
            "(CAR+ cells)");
      }
      rules.dose = per_kg ? ProductRules::Dose::per_kg : ProductRules::Dose::flat;
      rules.dose_value =
          per_kg ? positive_number(*per_kg, "cells_per_kg") : positive_number(*cells, "cells");
    } else {
      const std::string mode = dose->string();
      if (mode == "label") {
        rules.dose = ProductRules::Dose::label;
      } else if (mode == "whole_product") {
        rules.dose = ProductRules::Dose::whole_product;
      } else {
        dose->fail(unknown_name_message("dose rule", mode, {"label", "whole_product"},
                                        "give label, whole_product, {cells_per_kg: X} or "
                                        "{cells: X}"));
      }
    }
  }
  if (const auto cap = node.find("cap_cells")) {
    rules.cap_cells = positive_number(*cap, "cap_cells");
  }
  if (const auto recovery = node.find("recovery")) {
    rules.recovery = recovery->number();
    if (!(rules.recovery > 0.0 && rules.recovery <= 1.0)) {
      recovery->fail(
          fmt::format("recovery = {} must be in (0, 1] (share of the harvest's CAR+ "
                      "cells left to dose)",
                      rules.recovery));
    }
  }
  if (const auto failed = node.find("infuse_failed_release")) {
    rules.infuse_failed_release = failed->boolean();
  }
  if (const auto memory = node.find("memory_like")) {
    rules.memory_like.clear();
    const auto items = memory->items();
    if (items.empty()) {
      memory->fail("the list of memory-like phenotypes is empty; give some of " + join(phenotypes));
    }
    for (const auto& item : items) {
      const std::string name = item.string();
      if (std::find(phenotypes.begin(), phenotypes.end(), name) == phenotypes.end()) {
        item.fail(unknown_name_message("phenotype", name, phenotypes, "phenotypes"));
      }
      const std::string observable = name + "_fraction";
      if (std::find(rules.memory_like.begin(), rules.memory_like.end(), observable) !=
          rules.memory_like.end()) {
        item.fail(fmt::format("phenotype '{}' is listed twice", name));
      }
      rules.memory_like.push_back(observable);
    }
  }
  return rules;
}

/// A half's metrics as summary columns named "HALF.METRIC".
void add_prefixed(std::vector<MetricSpec>& into, const std::vector<MetricSpec>& metrics,
                  const std::string& half) {
  for (MetricSpec m : metrics) {
    m.name = half + "." + m.name;
    into.push_back(std::move(m));
  }
}

void parse_chain(const YamlNode& root, const ModelCatalog& catalog, Scenario& s) {
  if (const auto model = root.find("model")) {
    model->fail(
        "a scenario runs either one model ('model:') or a vein-to-vein chain "
        "('manufacturing:', 'patient:', 'product:'), not both");
  }
  for (const char* key : {"parameters", "initial_state", "time", "protocol", "solver"}) {
    if (const auto node = root.find(key)) {
      node->fail(
          fmt::format("in a vein-to-vein chain '{}' belongs inside 'manufacturing:' or "
                      "'patient:'",
                      key));
    }
  }
  const std::vector<std::string> half_keys = {"model",    "parameters", "initial_state", "time",
                                              "protocol", "solver",     "outputs"};
  const YamlNode made_node = root.required("manufacturing");
  made_node.expect_map();
  made_node.check_keys(half_keys);
  const YamlNode patient_node = root.required("patient");
  patient_node.expect_map();
  patient_node.check_keys(half_keys);

  auto chain = std::make_shared<ChainSpec>();
  if (const auto product = optional_section(root, "product")) {
    chain->product = parse_product(*product);
  }

  // Each half's model is checked for what the chain needs before the rest of the half is read.
  std::vector<std::string> readouts(harvest_readouts.begin(), harvest_readouts.end());
  readouts.insert(readouts.end(), chain->product.memory_like.begin(),
                  chain->product.memory_like.end());
  const YamlNode made_model = made_node.required("model");
  const auto made_bound = parse_model(made_model, catalog);
  for (const auto& name : readouts) {
    if (!made_bound->resolve(name)) {
      made_model.fail(fmt::format(
          "model '{}' cannot be the manufacturing half of a chain: it has no harvest read-out "
          "'{}' (prodigy_tct and prodigy_abm have them)",
          made_bound->info().name, name));
    }
  }
  Scenario& made = chain->manufacturing;
  made.file = s.file;
  made.name = s.name;
  made.seed = s.seed;
  parse_run(made_node, catalog, made, true);
  for (const auto& o : made.parameters) {
    if (o.name == "patient_weight_kg") {
      throw ConfigError(o.where,
                        "in a vein-to-vein chain the release check uses the patient's "
                        "weight (patient.parameters.body_weight_kg); do not set "
                        "manufacturing.parameters.patient_weight_kg");
    }
  }

  const YamlNode patient_model = patient_node.required("model");
  const ModelInfo& info = parse_model(patient_model, catalog)->info();
  const auto infuse = info.find_action("infuse");
  bool fits = infuse.has_value() && info.find_parameter("body_weight_kg").has_value();
  std::array<std::size_t, product_settings.size()> setting{};
  for (std::size_t k = 0; fits && k < product_settings.size(); ++k) {
    fits = false;
    const auto& settings = info.actions[*infuse].settings;
    for (std::size_t j = 0; j < settings.size(); ++j) {
      if (settings[j].name == product_settings[k]) {
        setting[k] = j;
        fits = true;
      }
    }
  }
  if (!fits) {
    patient_model.fail(fmt::format(
        "model '{}' cannot be the patient half of a chain: it needs an 'infuse' action with "
        "settings cells_per_kg, cells, memory_fraction, vcn and weight_band, and a parameter "
        "body_weight_kg (cart_patient has them)",
        info.name));
  }
  Scenario& patient = chain->patient;
  patient.file = s.file;
  patient.name = s.name;
  patient.seed = s.seed;
  parse_run(patient_node, catalog, patient, true);
  const auto protocol = optional_section(patient_node, "protocol");
  for (std::size_t i = 0; i < patient.protocol.size(); ++i) {
    Action& action = patient.protocol[i].action;
    if (action.kind != ActionKind::model || action.model_action != *infuse) {
      continue;
    }
    // The product decides these; a value written here would be silently replaced.
    const YamlNode settings = protocol->items()[i].required("infuse");
    for (const char* name : product_settings) {
      if (const auto given = settings.is_map() ? settings.find(name) : std::nullopt) {
        given->fail(fmt::format(
            "in a vein-to-vein chain the product sets the infusion's '{}' (the dose follows "
            "product.dose and the patient's weight; memory_fraction and vcn come from the "
            "harvest); leave it out",
            name));
      }
    }
    // Placeholders until each sample writes the product in: one free-dosed cell.
    action.settings[setting[0]] = 0.0;
    action.settings[setting[1]] = 1.0;
    action.settings[setting[4]] = 0.0;
    chain->infuse_steps.push_back(i);
  }
  if (chain->infuse_steps.empty()) {
    (protocol ? *protocol : patient_node)
        .fail("the patient half of a chain needs an 'infuse' step: the product is given there");
  }

  // The whole, as the runner and the output files see it: the patient's time span and grid.
  s.model = made.model + " -> " + patient.model;
  s.bound_model = patient.bound_model;
  s.t_start = patient.t_start;
  s.t_end = patient.t_end;
  s.start_where = patient.start_where;
  s.solver = patient.solver;
  s.outputs.times = patient.outputs.times;
  s.outputs.variables = patient.outputs.variables;
  s.outputs.metrics = product_columns();
  add_prefixed(s.outputs.metrics, made.outputs.metrics, "manufacturing");
  add_prefixed(s.outputs.metrics, patient.outputs.metrics, "patient");
  s.chain = std::move(chain);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

ModelCatalog shipped_models() {
  return ModelCatalog{[](std::string_view name) { return find_model(name); },
                      [] { return model_names(); }};
}

Scenario parse_scenario(const std::string& text, const std::string& file_label) {
  return parse_scenario(text, file_label, shipped_models());
}

Scenario parse_scenario(const std::string& text, const std::string& file_label,
                        const ModelCatalog& catalog) {
  const YamlNode root = parse_document(text, file_label);
  root.check_keys({"cartsim", "name", "description", "model", "seed", "parameters", "initial_state",
                   "time", "protocol", "solver", "outputs", "sweep", "sensitivity", "manufacturing",
                   "patient", "product"});

  Scenario s;
  s.file = file_label;
  s.text = text;
  if (const auto version = root.find("cartsim")) {
    s.schema_version = parse_schema_version(*version);
  }
  const auto name = root.find("name");
  s.name = name ? parse_name(*name) : default_name(file_label);
  if (const auto description = root.find("description")) {
    s.description = description->string();
  }
  if (const auto seed = root.find("seed")) {
    s.seed = seed->integer();
  }
  const bool chain = root.find("manufacturing") || root.find("patient") || root.find("product");
  std::optional<YamlNode> outputs;
  if (chain) {
    parse_chain(root, catalog, s);
    outputs = optional_section(root, "outputs");
    if (outputs) {
      outputs->check_keys({"timeseries", "bands"});
    }
  } else {
    parse_run(root, catalog, s, false);
    outputs = root.required("outputs");
  }
  // Last: sweep paths refer to the parameters, states and protocol steps above.
  if (const auto sweep = optional_section(root, "sweep")) {
    s.sweep = parse_sweep(*sweep, s);
  }
  if (const auto sensitivity = optional_section(root, "sensitivity")) {
    if (root.find("sweep")) {
      sensitivity->fail("a scenario has either a sweep or a sensitivity analysis, not both");
    }
    s.sensitivity = parse_sensitivity(*sensitivity, s);
  }
  parse_output_selection(outputs, s);
  return s;
}

Scenario load_scenario(const std::filesystem::path& file) {
  const std::string label = file.string();
  const auto cannot_read = [&](const std::string& reason) {
    return ConfigError(InputLocation{label, 0, 0, ""}, "cannot read the scenario: " + reason);
  };
  std::error_code error;
  if (std::filesystem::is_directory(file, error)) {
    throw cannot_read("it is a directory");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int code = errno;
    throw cannot_read(code != 0 ? std::generic_category().message(code) : "cannot open the file");
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    throw cannot_read("reading failed");
  }
  return parse_scenario(content.str(), label);
}

}  // namespace cartsim
