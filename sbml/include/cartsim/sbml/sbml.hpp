#pragma once
// SBML import and export (libSBML), between SBML Level 2/3 core models and cartsim's model specs.
//
// Import: species, compartments, parameters, reactions (with local parameters), rate, assignment
// and initial assignments, events and function definitions become states, parameters,
// observables, equations, events and functions (docs/user_guide.md, "Write your own model", says
// how each maps). What cannot be translated is refused with the element named: algebraic rules,
// fast reactions, delays (in math or on events), event priorities, variable stoichiometry,
// conversion factors, compartments whose size changes under concentration species, rateOf, and
// any required package. A model's time unit, if declared, is converted to cartsim's days.
//
// Export: a model spec (any model written in YAML, or imported) as SBML Level 3 Version 2 core,
// states as species with rate rules, observables as assignment rules; what SBML has no place for
// (units as written, ranges, sources, descriptions, metrics, cartsim's event options) is kept in
// an annotation in cartsim's namespace, so that importing the export gives the same model back.
// Random draws and round() have no SBML core equivalent: such a model is refused.
#include <string>

#include "cartsim/equations/model_spec.hpp"

namespace cartsim::sbml {

/// The namespace of cartsim's annotations.
inline constexpr const char* annotation_namespace = "urn:cartsim:sbml:1";

/// Reads an SBML file. Throws ConfigError naming the file, line and column of the offending
/// element (or of the XML error) for a file that is not SBML or uses what cartsim cannot run.
equations::ModelSpec import_sbml_file(const std::string& path);
/// Same, from text in memory; `label` names it in messages.
equations::ModelSpec import_sbml_string(const std::string& xml, const std::string& label);

/// The spec as an SBML Level 3 Version 2 document. Throws ModelError naming the element for what
/// SBML core cannot express.
std::string export_sbml(const equations::ModelSpec& spec);

}  // namespace cartsim::sbml
