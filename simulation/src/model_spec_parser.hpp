#pragma once
// Internal to the simulation library: `model:` given as a map instead of a name.
//
//   model: {states: ..., parameters: ..., equations: ..., ...}   a model written in the scenario
//   model: {file: my_model.yaml}                                 the same, from a model file
//   model: {sbml: BIOMD0000001041.xml}                           an SBML model, imported
//
// Files are found relative to the scenario's directory. Every error is a ConfigError at the
// offending node, and inside an expression at the offending character.
#include <memory>
#include <string>

#include "cartsim/core/model.hpp"
#include "cartsim/equations/model_spec.hpp"
#include "yaml_reader.hpp"

namespace cartsim {

/// The model `node` (a map) describes, compiled. `text` is the text of the file `node` was read
/// from (to locate characters inside expressions; may be empty).
std::shared_ptr<const OdeModel> parse_model_map(const YamlNode& node, const std::string& text);

/// A model spec from a YAML map (the `model:` map, or the top level of a model file).
equations::ModelSpec parse_model_spec(const YamlNode& node, const std::string& text);

/// A model file (YAML, the keys of the `model:` map at its top level), parsed and compiled.
std::shared_ptr<const OdeModel> load_model_file(const std::string& path,
                                                const InputLocation& referenced_at);

}  // namespace cartsim
