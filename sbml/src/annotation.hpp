#pragma once
// Internal to the sbml library: cartsim's annotations (what SBML core has no place for), units,
// notes.
#include <sbml/SBMLTypes.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cartsim/equations/model_spec.hpp"

namespace cartsim::sbml {

LIBSBML_CPP_NAMESPACE_USE  // libSBML is built with or without its C++ namespace

    /// What a cartsim annotation says about one element (`<cartsim:info .../>`).
    struct Annotation {
  std::optional<std::string> name, unit, description, source, trigger;
  std::optional<double> min, max;
  std::optional<bool> internal, nonnegative, repeat;
  bool generated = false;  ///< an element cartsim's export added (a one-shot event's flag)
};

Annotation read_annotation(const SBase& element);
/// Title, summary, references, deviations, solver, check_units and metrics from the model's
/// cartsim annotation, when it has one.
void read_model_info(const Model& model, equations::ModelSpec& spec);

/// `<cartsim:info xmlns:cartsim="..." key="value" .../>` inside <annotation>.
std::string info_annotation(const std::vector<std::pair<std::string, std::string>>& attributes);
/// The model's annotation: texts and metrics.
std::string model_annotation(const equations::ModelSpec& spec);

/// A unit definition (or base unit) as cartsim writes units ("1/d", "mmol/L", "items/uL"); empty
/// when not given.
std::string unit_text(const Model& model, const std::string& units);
/// The element's notes as plain text (tags removed, white space collapsed).
std::string notes_text(const SBase& element);

/// A double as annotation text ("inf", "-inf", or the shortest exact decimal).
std::string number_attribute(double v);

}  // namespace cartsim::sbml
