#pragma once
// Internal to the equations library: symbolic differentiation on an expression graph.
#include <span>
#include <vector>

#include "cartsim/core/expression.hpp"

namespace cartsim::equations {

/// d(root)/d(variable) for each of `roots`, as nodes of `graph` (forward mode over the nodes the
/// roots need, in topological order: no recursion). `variable` is a variable node. An exact zero
/// is the constant 0 (so callers can skip structurally zero entries). Derivatives of piecewise
/// functions are taken branch by branch (comparisons, floor, ceil and sign have derivative 0);
/// min and max follow the operand they select; abs(u)' = sign(u) u'. Random draws must not occur.
std::vector<expr::NodeId> differentiate(expr::Graph& graph, std::span<const expr::NodeId> roots,
                                        expr::NodeId variable);

}  // namespace cartsim::equations
