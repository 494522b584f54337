#pragma once
// Internal to the sbml library: MathML (libSBML's ASTNode) <-> cartsim expressions.
#include <sbml/math/ASTNode.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "cartsim/core/expression.hpp"

namespace cartsim::sbml {

LIBSBML_CPP_NAMESPACE_USE  // libSBML is built with or without its C++ namespace

    /// What a formula cannot be translated; the caller names the element.
    struct MathError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ImportContext {
  /// cartsim's name for an SBML id (ids that clash with cartsim's reserved names are renamed).
  std::function<std::string(const std::string&)> rename;
  /// Model time units per day (1 when the model's time unit is the day): `time` becomes t * this.
  double time_per_day = 1.0;
};

/// The formula in cartsim's expression language. Throws MathError for what has no equivalent
/// (delay, rateOf, factorial, random distributions, ...).
std::string math_to_text(const ASTNode& math, const ImportContext& context);

/// The expression as MathML. `node` indexes tree.nodes. Throws MathError for what SBML core cannot
/// express (random draws, round).
std::unique_ptr<ASTNode> text_to_math(const expr::SyntaxTree& tree, int node);
std::unique_ptr<ASTNode> text_to_math(const expr::SyntaxTree& tree);

}  // namespace cartsim::sbml
