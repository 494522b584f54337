// Boost.Odeint backends behind the solver contract:
//   odeint_dopri5       Dormand-Prince 5(4), adaptive, with its 4th-order dense output (non-stiff)
//   odeint_rosenbrock4  Rosenbrock 4(3) (Shampine), adaptive, 3rd-order dense output (stiff), using
//                       the model's analytic Jacobian or forward differences
// odeint has no event location and no positivity constraint, so this file adds both the way the
// contract describes: state events are located by the shared event loop on the dense output, and a
// step that leaves a non-negative state below zero is rejected and retried from the same point with
// half the step (the odeint analogue of CVODE's inequality constraints).
#include <Eigen/Core>
#include <array>
#include <boost/numeric/odeint.hpp>
#include <boost/numeric/odeint/external/eigen/eigen.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "backend_solver.hpp"
#include "cartsim/core/errors.hpp"
#include "rosenbrock4_kernel.hpp"
#include "size_dispatch.hpp"
#include "solver_backends.hpp"
#include "stepper_common.hpp"

namespace cartsim {
namespace {
namespace ode = boost::numeric::odeint;
using detail::max_positivity_retries;
using detail::StepperCommon;
using detail::view;
using detail::view_mut;

/// The guarded step both backends use: reject and halve while a non-negative state goes negative.
/// `take_step()` returns (t_old, t_new); `state()` the state at t_new; `retry(t_old, dt)` restarts
/// from the state at t_old with step dt.
template <class TakeStep, class State, class Retry>
double guarded_step(TakeStep take_step, State state, Retry retry, const StepperCommon& common,
                    double t_now) {
  auto step_failure = [t_now](const char* what) {
    return ConvergenceError(
        "odeint could not adjust the step size near t = " + std::to_string(t_now) + " d: " + what,
        t_now);
  };
  for (int attempt = 0;; ++attempt) {
    double t_old = 0.0;
    double t_new = 0.0;
    try {
      std::tie(t_old, t_new) = take_step();
    } catch (const ode::odeint_error& e) {
      throw step_failure(e.what());
    } catch (const detail::StepAdjustmentFailure& e) {
      throw step_failure(e.what());
    }
    if (!common.violates_positivity(state())) {
      return t_new;
    }
    if (attempt == max_positivity_retries) {
      throw ConvergenceError("a non-negative state stays negative after " +
                                 std::to_string(max_positivity_retries) +
                                 " step halvings near t = " + std::to_string(t_old) + " d",
                             t_old);
    }
    retry(t_old, 0.5 * (t_new - t_old));
  }
}

// -----------------------------------------------------------------------------------------------
// Dormand-Prince 5(4)
using detail::resize_state;
using detail::SizeDispatchSolver;

/// State: std::array<double, N> for small models (odeint's loops unroll, nothing lives on the
/// heap), std::vector<double> otherwise. Both use odeint's range algebra, which allocates nothing
/// per step; vector_space_algebra over Eigen::VectorXd created temporaries in every step (18 % of
/// a kimmel2021 population run went to malloc/free).
template <class State>
class Dopri5Backend final : public Interpolant {
 public:
  static constexpr bool native_roots = false;
  using Stepper = ode::runge_kutta_dopri5<State>;
  using Dense = ode::result_of::make_dense_output<Stepper>::type;

  explicit Dopri5Backend(const SolverOptions& options) : dense_(make_dense(options)) {
    common.options = options;
  }

  void prepare(const OdeModel& model) {
    common.prepare(model);
    const std::size_t n = model.num_states();
    if (n != size_) {
      // odeint sizes its buffers once (initially_resizer): a new state size needs a new stepper.
      // Dormand-Prince keeps no step history across initialize(), so same-size reuse is exact.
      dense_ = make_dense(common.options);
      size_ = n;
    }
    resize_state(x_, n);
    resize_state(probe_, n);
  }
  void set_parameters(std::span<const double> p) { common.p = p; }
  void set_state_events(const std::vector<StateEvent>*, const std::vector<char>*) {}

  void start(double t, std::span<const double> y) {
    std::copy(y.begin(), y.end(), x_.begin());
    t_limit_ = std::numeric_limits<double>::infinity();
    dense_.initialize(x_, t, 1.0);  // replaced below once the step is known
    start_time_ = t;
    need_first_step_ = true;
  }

  double step(double t_stop) {
    if (need_first_step_) {
      dense_.initialize(x_, start_time_, common.initial_step(start_time_, view(x_), t_stop, 5));
      need_first_step_ = false;
    }
    auto system = [this](const State& x, State& dxdt, double t) {
      common.rhs(t, view(x), view_mut(dxdt));
    };
    return guarded_step([&] { return dense_.do_step(system); },
                        [&]() -> const State& { return dense_.current_state(); },
                        [&](double t_old, double dt) {
                          retry_state_ = dense_.previous_state();
                          dense_.initialize(retry_state_, t_old, dt);
                        },
                        common, dense_.current_time());
  }

  const Dopri5Backend& interpolant() const { return *this; }
  std::span<const double> state() const { return view(dense_.current_state()); }
  static Dense make_dense(const SolverOptions& o) {
    return ode::make_dense_output(o.atol, o.rtol, o.max_step, Stepper());
  }
  void at(double t, std::span<double> y) const override {
    dense_.calc_state(t, probe_);
    std::copy(probe_.begin(), probe_.end(), y.begin());
  }
  // Unused (no native root finding) but part of the backend shape.
  bool root_found() const { return false; }
  const std::vector<int>& roots() const { return no_roots_; }

  long rhs_count() const { return common.rhs_evaluations; }
  long jacobian_count() const { return common.jacobian_evaluations; }

  StepperCommon common;

 private:
  mutable Dense dense_;
  std::size_t size_ = 0;
  State x_{};
  State retry_state_{};
  mutable State probe_{};
  double t_limit_ = 0.0;
  double start_time_ = 0.0;
  bool need_first_step_ = true;
  std::vector<int> no_roots_;
};

// -----------------------------------------------------------------------------------------------
// Rosenbrock 4(3)

class Rosenbrock4Backend final : public Interpolant {
 public:
  static constexpr bool native_roots = false;

  explicit Rosenbrock4Backend(const SolverOptions& options)
      : kernel_(1, options.atol, options.rtol, options.max_step) {
    common.options = options;
  }

  void prepare(const OdeModel& model) {
    common.prepare(model);
    n_ = model.num_states();
    const auto n = static_cast<Eigen::Index>(n_);
    kernel_.resize(n_);
    jac_.resize(n, n);
    f0_.resize(n);
    f1_.resize(n);
    y_shift_.resize(n);
    retry_state_.resize(n);
  }
  void set_parameters(std::span<const double> p) { common.p = p; }
  void set_state_events(const std::vector<StateEvent>*, const std::vector<char>*) {}

  void start(double t, std::span<const double> y) {
    start_state_.assign(y.begin(), y.end());
    start_time_ = t;
    need_first_step_ = true;
  }

  double step(double t_stop) {
    if (need_first_step_) {
      kernel_.initialize(start_state_.data(), start_time_,
                         common.initial_step(start_time_, start_state_, t_stop, 4));
      need_first_step_ = false;
    }
    return guarded_step([&] { return kernel_.do_step(&rhs_callback, &jacobian_callback, this); },
                        [&] { return state(); },
                        [&](double t_old, double dt) {
                          std::copy(kernel_.previous_state(), kernel_.previous_state() + n_,
                                    retry_state_.data());
                          kernel_.initialize(retry_state_.data(), t_old, dt);
                        },
                        common, kernel_.current_time());
  }

  const Rosenbrock4Backend& interpolant() const { return *this; }
  std::span<const double> state() const { return {kernel_.current_state(), n_}; }
  void at(double t, std::span<double> y) const override { kernel_.calc_state(t, y.data()); }
  bool root_found() const { return false; }
  const std::vector<int>& roots() const { return no_roots_; }

  long rhs_count() const { return common.rhs_evaluations; }
  long jacobian_count() const { return common.jacobian_evaluations; }

  StepperCommon common;

 private:
  static void rhs_callback(void* context, double t, const double* y, double* dydt) {
    auto* self = static_cast<Rosenbrock4Backend*>(context);
    self->common.checked_rhs(t, {y, self->n_}, {dydt, self->n_});
  }
  static void jacobian_callback(void* context, double t, const double* y, double* jac,
                                double* dfdt) {
    auto* self = static_cast<Rosenbrock4Backend*>(context);
    self->fill_jacobian(t, {y, self->n_});
    const auto n = static_cast<Eigen::Index>(self->n_);
    Eigen::Map<Eigen::MatrixXd>(jac, n, n) = self->jac_;
    self->time_derivative(t, {y, self->n_}, {dfdt, self->n_});
  }

  // d(rhs)/dy: analytic when the model has it, else forward differences.
  void fill_jacobian(double t, std::span<const double> y) {
    jac_.setZero();
    ++common.jacobian_evaluations;
    if (common.model->has_jacobian()) {
      common.model->jacobian(t, y, common.p, jac_);
      return;
    }
    common.rhs(t, y, view_mut(f0_));
    std::copy(y.begin(), y.end(), y_shift_.data());
    const double root_eps = std::sqrt(std::numeric_limits<double>::epsilon());
    for (Eigen::Index c = 0; c < jac_.cols(); ++c) {
      const double h = root_eps * std::max(std::abs(y_shift_[c]), 1.0);
      const double saved = y_shift_[c];
      y_shift_[c] = saved + h;
      common.rhs(t, view(y_shift_), view_mut(f1_));
      y_shift_[c] = saved;
      jac_.col(c) = (f1_ - f0_) / h;
    }
  }
  // d(rhs)/dt by a forward difference (zero for autonomous models, at two evaluations' cost).
  void time_derivative(double t, std::span<const double> y, std::span<double> dfdt) {
    const double h = std::sqrt(std::numeric_limits<double>::epsilon()) * std::max(1.0, std::abs(t));
    common.rhs(t, y, view_mut(f0_));
    common.rhs(t + h, y, view_mut(f1_));
    for (std::size_t i = 0; i < dfdt.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      dfdt[i] = (f1_[k] - f0_[k]) / h;
    }
  }

  detail::Rosenbrock4Kernel kernel_;
  std::size_t n_ = 0;
  Eigen::MatrixXd jac_;
  Eigen::VectorXd f0_, f1_, y_shift_, retry_state_;
  std::vector<double> start_state_;
  double start_time_ = 0.0;
  bool need_first_step_ = true;
  std::vector<int> no_roots_;
};

}  // namespace

namespace detail {
std::unique_ptr<Solver> make_odeint_dopri5(std::string_view name, const SolverOptions& options) {
  return std::make_unique<SizeDispatchSolver<Dopri5Backend>>(std::string(name), options);
}
std::unique_ptr<Solver> make_odeint_rosenbrock4(std::string_view name,
                                                const SolverOptions& options) {
  return std::make_unique<BackendSolver<Rosenbrock4Backend>>(std::string(name), options, options);
}
}  // namespace detail

}  // namespace cartsim
