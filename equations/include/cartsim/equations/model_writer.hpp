#pragma once
// A model spec as YAML: the keys of a scenario's `model:` map (docs/scenario_reference.md), as
// `cartsim import-sbml` writes them. Reading the text back (model: {file: ...}) gives the same
// spec; every string is quoted and every number written with the shortest exact digits.
#include <string>

#include "cartsim/equations/model_spec.hpp"

namespace cartsim::equations {

/// `header` is written first as comment lines (e.g. the provenance of an import).
std::string write_model_yaml(const ModelSpec& spec, const std::string& header = "");

}  // namespace cartsim::equations
