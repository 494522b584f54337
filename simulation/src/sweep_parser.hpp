#pragma once
// Internal to the simulation library: parsing of a scenario's `sweep:` section.
#include "cartsim/simulation/scenario.hpp"
#include "yaml_reader.hpp"

namespace cartsim::parse {

/// The sweep section, validated against the (otherwise complete) scenario: every path must name
/// one of its inputs.
SweepSpec parse_sweep(const YamlNode& node, const Scenario& scenario);
/// The sensitivity section (factors with distributions, method, metrics of the scenario).
SensitivitySpec parse_sensitivity(const YamlNode& node, const Scenario& scenario);
/// A distribution map, e.g. {lognormal: {median: 39, cv: 0.6}, truncate: [14, 140]}.
Distribution parse_distribution(const YamlNode& node);

}  // namespace cartsim::parse
