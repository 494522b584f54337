#include "parse_values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "cartsim/core/text.hpp"

namespace cartsim::parse {

/// "[0, inf)", "(-inf, 1]", "[1, 100]": the inclusive range of a ParameterInfo.
std::string format_range(double min, double max) {
  const std::string lower = std::isinf(min) ? std::string("(-inf") : fmt::format("[{}", min);
  const std::string upper = std::isinf(max) ? std::string("inf)") : fmt::format("{}]", max);
  return lower + ", " + upper;
}

/// " (unit 1/d)", " (dimensionless)" or "".
std::string unit_note(const std::string& unit) {
  if (unit.empty()) {
    return "";
  }
  return unit == "1" ? " (dimensionless)" : " (unit " + unit + ")";
}

std::vector<std::string> state_names(const ModelInfo& info) {
  std::vector<std::string> names;
  for (const auto& state : info.states) {
    names.push_back(state.name);
  }
  return names;
}

/// Parameters a scenario may set (the internal ones are driven by the model itself).
std::vector<std::string> settable_parameter_names(const ModelInfo& info) {
  std::vector<std::string> names;
  for (const auto& parameter : info.parameters) {
    if (!parameter.internal) {
      names.push_back(parameter.name);
    }
  }
  return names;
}

/// A string that must not be empty.
std::string non_empty_string(const YamlNode& node, std::string_view what) {
  std::string text = node.string();
  if (text.empty()) {
    node.fail(fmt::format("{} must not be empty", what));
  }
  return text;
}

/// A time (days) that must lie in the run [t_start, t_end].
double time_in_run(const YamlNode& node, double t_start, double t_end) {
  const double t = node.number();
  if (t < t_start || t > t_end) {
    node.fail(fmt::format("time {} is outside the run [{}, {}] (days)", t, t_start, t_end));
  }
  return t;
}

/// A value for the state `state`: rejects negative values of a non-negative state.
double state_value(const YamlNode& node, const StateInfo& state, std::string_view what) {
  const double value = node.number();
  if (state.nonnegative && value < 0.0) {
    node.fail(fmt::format("{} of state '{}' = {} must be >= 0{}", what, state.name, value,
                          unit_note(state.unit)));
  }
  return value;
}

/// A value for `parameter`: rejects internal parameters (at `name_node`) and values out of range.
double parameter_value(const YamlNode& name_node, const YamlNode& value_node,
                       const ParameterInfo& parameter, const ModelInfo& info) {
  if (parameter.internal) {
    name_node.fail(fmt::format(
        "parameter '{}' is internal to model '{}' (set by the model's own events) and cannot be "
        "set by a scenario; settable parameters: {}",
        parameter.name, info.name, join(settable_parameter_names(info))));
  }
  const double value = value_node.number();
  if (value < parameter.min || value > parameter.max) {
    value_node.fail(fmt::format("parameter '{}' = {} is out of range {}{}", parameter.name, value,
                                format_range(parameter.min, parameter.max),
                                unit_note(parameter.unit)));
  }
  return value;
}

/// The index of the state named by `node`, with a precise message when it names something else.
std::size_t state_index(const YamlNode& node, const ModelInfo& info, std::string_view role) {
  const std::string name = node.string();
  if (const auto index = info.find_state(name)) {
    return *index;
  }
  const std::string states = join(state_names(info));
  if (info.find_observable(name)) {
    node.fail(fmt::format("{} '{}' is an observable, not a state; states of model '{}': {}", role,
                          name, info.name, states));
  }
  if (info.find_parameter(name)) {
    node.fail(fmt::format("{} '{}' is a parameter, not a state; states of model '{}': {}", role,
                          name, info.name, states));
  }
  node.fail(unknown_name_message("state", name, state_names(info),
                                 fmt::format("states of model '{}'", info.name)));
}

/// A state or observable name.
std::string variable_name(const YamlNode& node, const ModelInfo& info) {
  std::string name = node.string();
  const auto names = info.variable_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    node.fail(unknown_name_message("variable", name, names,
                                   fmt::format("variables of model '{}'", info.name)));
  }
  return name;
}

double setting_value(const YamlNode& node, const ActionInfo& action, const SettingInfo& setting) {
  const double value = node.number();
  if (value < setting.min || value > setting.max) {
    node.fail(fmt::format("{} setting '{}' = {} is out of range {}{}", action.name, setting.name,
                          value, format_range(setting.min, setting.max), unit_note(setting.unit)));
  }
  return value;
}

}  // namespace cartsim::parse
