#pragma once
// Internal to the simulation library: readers of scenario values that several parts of the parser
// share (names of states and parameters, ranges, times). Each fails with a ConfigError at the node.
#include <string>
#include <string_view>
#include <vector>

#include "cartsim/core/model.hpp"
#include "yaml_reader.hpp"

namespace cartsim::parse {

/// "[0, inf)", "(-inf, 1]", "[1, 100]": an inclusive range.
std::string format_range(double min, double max);
/// " (unit 1/d)", " (dimensionless)" or "".
std::string unit_note(const std::string& unit);
std::vector<std::string> state_names(const ModelInfo& info);
/// Parameters a scenario may set (the internal ones are driven by the model itself).
std::vector<std::string> settable_parameter_names(const ModelInfo& info);

/// A string that must not be empty.
std::string non_empty_string(const YamlNode& node, std::string_view what);
/// A time (days) that must lie in the run [t_start, t_end].
double time_in_run(const YamlNode& node, double t_start, double t_end);
/// A value for the state `state`: rejects negative values of a non-negative state.
double state_value(const YamlNode& node, const StateInfo& state, std::string_view what);
/// A value for `parameter`: rejects internal parameters (at `name_node`) and values out of range.
double parameter_value(const YamlNode& name_node, const YamlNode& value_node,
                       const ParameterInfo& parameter, const ModelInfo& info);
/// A value for a model action's setting: rejects values out of its range.
double setting_value(const YamlNode& node, const ActionInfo& action, const SettingInfo& setting);
/// The index of the state named by `node`, with a precise message when it names something else.
std::size_t state_index(const YamlNode& node, const ModelInfo& info, std::string_view role);
/// A state or observable name.
std::string variable_name(const YamlNode& node, const ModelInfo& info);

}  // namespace cartsim::parse
