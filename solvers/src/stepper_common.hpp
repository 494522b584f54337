#pragma once
// What the one-step backends (odeint's Dormand-Prince and Rosenbrock, cartsim's Dormand-Prince)
// share: the model and parameters they integrate, evaluation counters, the positivity check and
// the initial step. Internal to the solvers library.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/solvers/solver.hpp"

namespace cartsim::detail {

/// Rejections of one step for negativity before giving up (2^-60 of the proposed step).
inline constexpr int max_positivity_retries = 60;

/// Sizes a state container: std::vector is resized, std::array must already have the size.
template <class State>
void resize_state(State& x, std::size_t n) {
  if constexpr (requires { x.resize(n); }) {
    x.resize(n);
  }
}

template <class Vector>
std::span<const double> view(const Vector& v) {
  return {&v[0], static_cast<std::size_t>(v.size())};
}
template <class Vector>
std::span<double> view_mut(Vector& v) {
  return {&v[0], static_cast<std::size_t>(v.size())};
}

/// What the explicit and odeint backends share: the model, the parameters, counters and the
/// positivity mask.
struct StepperCommon {
  const OdeModel* model = nullptr;
  std::span<const double> p;
  SolverOptions options;
  long rhs_evaluations = 0;
  long jacobian_evaluations = 0;
  std::vector<std::size_t> nonnegative;

  void prepare(const OdeModel& m) {
    model = &m;
    rhs_evaluations = 0;
    jacobian_evaluations = 0;
    nonnegative.clear();
    for (std::size_t i = 0; i < m.num_states(); ++i) {
      if (m.info().states[i].nonnegative) {
        nonnegative.push_back(i);
      }
    }
  }

  void rhs(double t, std::span<const double> y, std::span<double> dydt) {
    model->rhs(t, y, p, dydt);
    ++rhs_evaluations;
  }

  /// rhs() that fails at once on a non-finite derivative. Rosenbrock needs it: its controller
  /// would otherwise shrink the step until it gives up (a ConvergenceError). Dormand-Prince does
  /// not: a NaN derivative makes the step's state NaN, which the event loop reports as
  /// NonFiniteStateError after the step, at no cost per evaluation.
  void checked_rhs(double t, std::span<const double> y, std::span<double> dydt) {
    rhs(t, y, dydt);
    for (double v : dydt) {
      if (!std::isfinite(v)) {
        throw NonFiniteStateError("the derivative of model '" + model->info().name +
                                      "' became non-finite near t = " + std::to_string(t) + " d",
                                  t);
      }
    }
  }

  /// A non-negative state below -atol. Undershoot within the absolute tolerance is accepted, as
  /// in CVODE: it is noise the tolerance allows (reported values are clipped at zero), and
  /// demanding exact non-negativity stalls a higher-order method on a state that starts at zero
  /// and whose first step's sign is set by its error term (prodigy_tct's empty stage chains).
  template <class Vector>
  bool violates_positivity(const Vector& x) const {
    for (std::size_t i : nonnegative) {
      if (x[i] < -options.atol) {
        return true;
      }
    }
    return false;
  }

  /// Initial step (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4) when the user gave none.
  double initial_step(double t, std::span<const double> y, double t_limit, int order) {
    if (options.first_step > 0.0) {
      return std::min(options.first_step, t_limit - t);
    }
    const std::size_t n = y.size();
    Eigen::VectorXd f0(static_cast<Eigen::Index>(n)), f1(static_cast<Eigen::Index>(n)),
        y1(static_cast<Eigen::Index>(n));
    rhs(t, y, view_mut(f0));
    double d0 = 0.0, d1 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double scale = options.atol + options.rtol * std::abs(y[i]);
      d0 += std::pow(y[i] / scale, 2);
      d1 += std::pow(f0[static_cast<Eigen::Index>(i)] / scale, 2);
    }
    d0 = std::sqrt(d0 / static_cast<double>(n));
    d1 = std::sqrt(d1 / static_cast<double>(n));
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    h0 = std::min(h0, t_limit - t);
    for (std::size_t i = 0; i < n; ++i) {
      y1[static_cast<Eigen::Index>(i)] = y[i] + h0 * f0[static_cast<Eigen::Index>(i)];
    }
    rhs(t + h0, view(y1), view_mut(f1));
    double d2 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double scale = options.atol + options.rtol * std::abs(y[i]);
      d2 += std::pow((f1[static_cast<Eigen::Index>(i)] - f0[static_cast<Eigen::Index>(i)]) / scale,
                     2);
    }
    d2 = std::sqrt(d2 / static_cast<double>(n)) / h0;
    const double dmax = std::max(d1, d2);
    const double h1 =
        dmax <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dmax, 1.0 / (order + 1));
    double h = std::min(100.0 * h0, h1);
    if (options.max_step > 0.0) {
      h = std::min(h, options.max_step);
    }
    return std::min(h, t_limit - t);
  }
};

}  // namespace cartsim::detail
