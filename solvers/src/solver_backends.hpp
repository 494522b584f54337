#pragma once
// Factories of the concrete backends, for the registry (internal to the solvers library).
#include <memory>
#include <string_view>

#include "cartsim/solvers/solver.hpp"

namespace cartsim::detail {
std::unique_ptr<Solver> make_cvode_solver(std::string_view name, bool bdf,
                                          const SolverOptions& options);
std::unique_ptr<Solver> make_dopri5(std::string_view name, const SolverOptions& options);
std::unique_ptr<Solver> make_tsit5(std::string_view name, const SolverOptions& options);
std::unique_ptr<Solver> make_odeint_dopri5(std::string_view name, const SolverOptions& options);
std::unique_ptr<Solver> make_odeint_rosenbrock4(std::string_view name,
                                                const SolverOptions& options);
}  // namespace cartsim::detail
