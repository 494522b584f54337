#pragma once
// Models from files, for `cartsim describe FILE` and `cartsim export-sbml FILE`: the model of a
// scenario, a model file (the keys of a scenario's `model:` map at its top level), or an SBML file
// (by its extension, .xml or .sbml). Throws ConfigError for bad input, at the offending place.
#include <filesystem>
#include <memory>

#include "cartsim/core/model.hpp"

namespace cartsim {

std::shared_ptr<const Model> load_model_from_file(const std::filesystem::path& path);

/// True when `path` names an SBML file (.xml or .sbml).
bool is_sbml_path(const std::filesystem::path& path);

}  // namespace cartsim
