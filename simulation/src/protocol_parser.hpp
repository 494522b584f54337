#pragma once
// Internal to the simulation library: parsing of a scenario's `protocol:` list.
#include <vector>

#include "cartsim/core/model.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "yaml_reader.hpp"

namespace cartsim::parse {

/// The steps of `protocol:` (a list), validated against the model; `at` times must lie in
/// [t_start, t_end] (days).
std::vector<ProtocolStep> parse_protocol(const YamlNode& node, const ModelInfo& info,
                                         double t_start, double t_end);

}  // namespace cartsim::parse
