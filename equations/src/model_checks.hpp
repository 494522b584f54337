#pragma once
// Internal to the equations library: static checks of a model's expressions.
#include <functional>
#include <optional>
#include <string>

#include "cartsim/core/expression.hpp"
#include "cartsim/equations/model_spec.hpp"

namespace cartsim::equations {

/// A closed interval [lo, hi] (infinite bounds allowed).
struct Interval {
  double lo;
  double hi;
};

/// The range of values of `tree`'s node `node` when it depends only on names that `range_of`
/// knows (parameters, and observables of parameters); std::nullopt when it depends on anything
/// else or the interval arithmetic cannot bound it.
std::optional<Interval> interval_of(
    const expr::SyntaxTree& tree, int node,
    const std::function<std::optional<Interval>(const std::string&)>& range_of);
std::optional<Interval> interval_of(
    const expr::SyntaxTree& tree,
    const std::function<std::optional<Interval>(const std::string&)>& range_of);

/// Throws ConfigError at the '/' of a division whose divisor depends only on parameters and may
/// be 0 over their ranges (a parameter range must exclude 0 if the model divides by it).
/// `parameter_range` names the parameters in the message.
void check_divisions(
    const expr::SyntaxTree& tree, const SourceText& source,
    const std::function<std::optional<Interval>(const std::string&)>& range_of,
    const std::function<std::optional<Interval>(const std::string&)>& parameter_range);

}  // namespace cartsim::equations
