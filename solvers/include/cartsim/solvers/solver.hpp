#pragma once
// One contract over every integrator backend (CVODE BDF/Adams, odeint Dormand-Prince/Rosenbrock):
// the same options, the same problem, the same observer calls, the same typed errors.
//
//  - Options: rtol, atol, max_steps (internal steps over the whole solve), first_step.
//  - Scheduled events: the solver integrates exactly to the event time (CVODE: stop time; odeint:
//    the step that crosses it is cut there on its dense output), applies the actions in order and
//    restarts the integrator there.
//  - State events: located by CVODE's root finding, or on odeint's dense output by TOMS 748, to a
//    relative accuracy of 1e-12 in time; then handled like scheduled events.
//  - Non-negative states (StateInfo::nonnegative) are never reported negative: every value an
//    observer, an event condition or a restart sees is clipped at zero. Inside the integrator a
//    non-negative state may undershoot zero by no more than the absolute tolerance: odeint
//    backends reject and halve a step that takes one below -atol; CVODE's error control bounds it
//    (its inequality constraints are not used: they fail outright when a population is driven
//    towards zero).
//  - Failures: TooMuchWorkError, NonFiniteStateError, ConvergenceError, whichever backend ran.
//    An exception thrown by model code is captured inside C callbacks and rethrown unchanged after
//    the C solver returns, so it never crosses SUNDIALS' C frames.
#include <Eigen/Core>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cartsim/core/events.hpp"
#include "cartsim/core/model.hpp"
#include "cartsim/core/observer.hpp"

namespace cartsim {

struct SolverOptions {
  double rtol = 1e-6;       ///< relative tolerance
  double atol = 1e-9;       ///< absolute tolerance, in each state's own unit
  long max_steps = 500000;  ///< internal steps allowed over the whole solve
  double first_step = 0.0;  ///< days; 0 lets the solver choose
  double max_step = 0.0;    ///< days; 0 means no limit
};

/// One initial-value problem with its events. The solver copies y0 and p; events change the copies.
struct Problem {
  const OdeModel* model = nullptr;
  Eigen::VectorXd y0;
  Eigen::VectorXd p;
  double t0 = 0.0;     ///< days
  double t_end = 0.0;  ///< days
  EventSet events;
  RandomStream* random = nullptr;  ///< handed to event actions (EventContext::random); not owned
};

struct SolveStats {
  long steps = 0;  ///< accepted internal steps
  long rhs_evaluations = 0;
  long jacobian_evaluations = 0;
  long events_fired = 0;
  double t_final = 0.0;  ///< where the run ended (days)
  bool stopped = false;  ///< true when an event stopped the run before t_end
};

/// A reusable integrator: keep one per thread and call solve() many times (sweeps).
class Solver {
 public:
  virtual ~Solver() = default;
  virtual std::string_view name() const = 0;
  virtual const SolverOptions& options() const = 0;
  /// Integrate `problem` from t0 to t_end (or to a stop event), reporting to `observer`.
  virtual SolveStats solve(const Problem& problem, Observer& observer) = 0;
  /// Statistics of the last solve, complete up to the failure when it threw.
  virtual const SolveStats& last_stats() const = 0;
};

/// Registered backend names, e.g. "cvode_bdf", "cvode_adams", "odeint_dopri5",
/// "odeint_rosenbrock4".
std::vector<std::string> solver_names();
/// One line describing a backend.
std::string_view solver_description(std::string_view name);
/// Create a backend by name; throws Error for an unknown name or invalid options.
std::unique_ptr<Solver> make_solver(std::string_view name, const SolverOptions& options);

}  // namespace cartsim
