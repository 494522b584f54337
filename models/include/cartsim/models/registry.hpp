#pragma once
// Models by name. Each model is an immutable value shared by every run and thread.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cartsim/core/model.hpp"

namespace cartsim {

/// Registered model names, sorted.
std::vector<std::string> model_names();
/// The model called `name`, or nullptr.
std::shared_ptr<const Model> find_model(std::string_view name);
/// The model called `name`; throws ModelError listing the known names.
std::shared_ptr<const Model> get_model(std::string_view name);

}  // namespace cartsim
