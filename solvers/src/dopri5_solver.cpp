// dopri5: an explicit Dormand-Prince 5(4) written for cartsim.
//   - The Dormand-Prince 5(4) tableau with first-same-as-last: 6 evaluations per accepted step.
//   - The local error in the weighted root-mean-square norm, weights atol + rtol max(|y0|, |y1|)
//     per state, as in Hairer's DOPRI5, CVODE and LSODA (E. Hairer, S.P. Norsett, G. Wanner,
//     Solving Ordinary Differential Equations I, 2nd ed., 1993, sec. II.4). odeint's steppers use
//     the maximum norm with weights atol + rtol (|y0| + h |y0'|) instead.
//   - The step-size update of odeint's default controller (its defaults, documented in
//     boost/numeric/odeint/stepper/controlled_runge_kutta.hpp): an accepted step with error
//     err < 0.5 grows the next step by 0.9 err^(-1/5), at most 5x; 0.5 <= err <= 1 keeps it; a
//     rejected step shrinks by max(0.9 err^(-1/3), 0.2). Keeping the step unchanged in the common
//     case keeps the update off the step's critical path: Hairer's PI controller, which changes
//     the step after every step with two powers, made a kimmel2021 population 20 % slower
//     (bench/population_bench) even though it took 4 % fewer steps.
//   - Hairer's 4th-order continuous extension (dopri5.f, CONTD5), stored as 5 coefficients per
//     state at the end of each accepted step, so an output time costs 4 multiply-adds per state.
// Like the odeint backends, a step that leaves a non-negative state below -atol is rejected and
// retried with half the step. A step whose error estimate is not finite (a derivative that
// overflowed or became NaN on a too-large trial step) is retried with a fifth of the step; after
// max_nonfinite_retries such retries, or when the step underflows, NonFiniteStateError is thrown.
//
// Compiled models. A step makes six calls to the model's right-hand side. Through the OdeModel
// interface each is an indirect call the compiler cannot see into, so the stage arithmetic and the
// model's arithmetic cannot be scheduled together. For the model classes listed in `make_dopri5`
// (final classes whose rhs() is defined in their header) the backend is also instantiated with the
// class itself: the solver checks the model's exact class at each solve and, on a match, runs that
// instantiation, where the call is direct and inlined. The arithmetic is the same, so the results
// are bitwise identical to the generic path (tests/test_solvers_analytic.cpp); on the kimmel2021
// population of issue 6 the solve is about 15 % faster (bench/population_bench).
//
// Why not odeint's runge_kutta_dopri5, which computes the same stages: on the kimmel2021
// population of issue 6 its generic controller and dense output cost about 30 % of the solve
// around the model's own work; this backend takes 13 % fewer right-hand-side evaluations for the
// same tolerances (the norm) and evaluates its dense output in a third of the instructions.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>

#include "cartsim/core/errors.hpp"
#include "cartsim/models/kimmel2021.hpp"
#include "size_dispatch.hpp"
#include "solver_backends.hpp"
#include "stepper_common.hpp"

namespace cartsim {
namespace {

using detail::StepperCommon;

/// Retries of one step after a non-finite error estimate, each with a fifth of the step.
constexpr int max_nonfinite_retries = 10;

// Butcher tableau (Dormand & Prince 1980), error coefficients b - b_hat, and the dense-output
// coefficients of dopri5.f.
namespace tableau {
constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
constexpr double a21 = 1.0 / 5;
constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561,
                 a54 = -212.0 / 729;
constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
                 a65 = -5103.0 / 18656;
constexpr double a71 = 35.0 / 384, a73 = 500.0 / 1113, a74 = 125.0 / 192, a75 = -2187.0 / 6784,
                 a76 = 11.0 / 84;
constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200,
                 e6 = 22.0 / 525, e7 = -1.0 / 40;
constexpr double d1 = -12715105075.0 / 11282082432, d3 = 87487479700.0 / 32700410799,
                 d4 = -10690763975.0 / 1880347072, d5 = 701980252875.0 / 199316789632,
                 d6 = -1453857185.0 / 822651844, d7 = 69997945.0 / 29380423;
}  // namespace tableau

// Step-size update (odeint's default controller, see above).
namespace control {
constexpr double safety = 0.9;
constexpr double grow_below = 0.5;     // errors below this grow the next step
constexpr double max_growth = 5.0;
constexpr double min_shrink = 0.2;     // a rejected step shrinks at most 5x
}  // namespace control

/// State: std::array<double, N> (fixed size) or std::vector<double>. Model: void (the right-hand
/// side through the OdeModel interface) or the final model class to call directly (compiled).
template <class State, class Model = void>
class NativeDopri5Backend final : public Interpolant {
 public:
  static constexpr bool native_roots = false;
  /// at() clips the non-negative states itself (ClippedInterpolant need not).
  static constexpr bool clips_nonnegative = true;
  using model_type = Model;

  explicit NativeDopri5Backend(const SolverOptions& options) { common.options = options; }

  void prepare(const OdeModel& model) {
    common.prepare(model);
    n_ = model.num_states();
    inverse_size_ = 1.0 / static_cast<double>(n_);
    detail::resize_state(lower_, n_);
    std::fill(lower_.begin(), lower_.end(), -std::numeric_limits<double>::infinity());
    for (std::size_t i : common.nonnegative) {
      lower_[i] = 0.0;
    }
    for (State* v : {&y_, &y_new_, &y_stage_, &k1_, &k2_, &k3_, &k4_, &k5_, &k6_, &k7_,
                     &r1_, &r2_, &r3_, &r4_, &r5_}) {
      detail::resize_state(*v, n_);
    }
  }
  void set_parameters(std::span<const double> p) { common.p = p; }
  void set_state_events(const std::vector<StateEvent>*, const std::vector<char>*) {}

  void start(double t, std::span<const double> y) {
    std::copy(y.begin(), y.end(), y_.begin());
    t_ = t;
    need_first_step_ = true;
  }

  /// One accepted step from the current time; returns its end. Rejected attempts are retried
  /// inside, with the step the controller proposes.
  double step(double t_stop) {
    using namespace tableau;
    const std::size_t n = size();
    if (need_first_step_) {
      common.rhs(t_, view(y_), view_mut(k1_));
      h_ = common.initial_step(t_, view(y_), t_stop, 5);
      need_first_step_ = false;
    }
    int negative_retries = 0;
    int nonfinite_retries = 0;
    for (;;) {
      const double h = limit(h_);
      if (!(t_ + h > t_)) {
        if (nonfinite_retries > 0) {
          throw non_finite();
        }
        throw ConvergenceError("dopri5: the step size underflowed near t = " + std::to_string(t_) +
                                   " d",
                               t_);
      }
      for (std::size_t i = 0; i < n; ++i) y_stage_[i] = y_[i] + h * a21 * k1_[i];
      rhs(t_ + c2 * h, y_stage_, k2_);
      for (std::size_t i = 0; i < n; ++i) y_stage_[i] = y_[i] + h * (a31 * k1_[i] + a32 * k2_[i]);
      rhs(t_ + c3 * h, y_stage_, k3_);
      for (std::size_t i = 0; i < n; ++i) {
        y_stage_[i] = y_[i] + h * (a41 * k1_[i] + a42 * k2_[i] + a43 * k3_[i]);
      }
      rhs(t_ + c4 * h, y_stage_, k4_);
      for (std::size_t i = 0; i < n; ++i) {
        y_stage_[i] = y_[i] + h * (a51 * k1_[i] + a52 * k2_[i] + a53 * k3_[i] + a54 * k4_[i]);
      }
      rhs(t_ + c5 * h, y_stage_, k5_);
      for (std::size_t i = 0; i < n; ++i) {
        y_stage_[i] = y_[i] + h * (a61 * k1_[i] + a62 * k2_[i] + a63 * k3_[i] + a64 * k4_[i] +
                                   a65 * k5_[i]);
      }
      const double t_new = t_ + h;
      rhs(t_new, y_stage_, k6_);
      for (std::size_t i = 0; i < n; ++i) {
        y_new_[i] = y_[i] + h * (a71 * k1_[i] + a73 * k3_[i] + a74 * k4_[i] + a75 * k5_[i] +
                                 a76 * k6_[i]);
      }
      rhs(t_new, y_new_, k7_);

      // The squared norm: the controller needs no square root (err^-1/5 = (err^2)^-1/10), which
      // keeps one from every step's critical path.
      double sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double e = h * (e1 * k1_[i] + e3 * k3_[i] + e4 * k4_[i] + e5 * k5_[i] +
                              e6 * k6_[i] + e7 * k7_[i]);
        const double scale =
            common.options.atol + common.options.rtol * std::max(std::abs(y_[i]), std::abs(y_new_[i]));
        sum += (e / scale) * (e / scale);
      }
      const double error_squared = sum * inverse_size_;

      if (!std::isfinite(error_squared)) {
        if (++nonfinite_retries > max_nonfinite_retries) {
          throw non_finite();
        }
        h_ = h * control::min_shrink;
        continue;
      }
      if (error_squared > 1.0) {
        h_ = h * std::max(control::safety * std::pow(error_squared, -1.0 / 6.0),
                          control::min_shrink);
        continue;
      }
      if (common.violates_positivity(y_new_)) {
        if (++negative_retries > detail::max_positivity_retries) {
          throw ConvergenceError("a non-negative state stays negative after " +
                                     std::to_string(detail::max_positivity_retries) +
                                     " step halvings near t = " + std::to_string(t_) + " d",
                                 t_);
        }
        h_ = 0.5 * h;
        continue;
      }

      // Accepted: dense-output coefficients over [t_, t_new], then advance (first same as last).
      for (std::size_t i = 0; i < n; ++i) {
        const double difference = y_new_[i] - y_[i];
        const double bspl = h * k1_[i] - difference;
        r1_[i] = y_[i];
        r2_[i] = difference;
        r3_[i] = bspl;
        r4_[i] = difference - h * k7_[i] - bspl;
        r5_[i] = h * (d1 * k1_[i] + d3 * k3_[i] + d4 * k4_[i] + d5 * k5_[i] + d6 * k6_[i] +
                      d7 * k7_[i]);
      }
      step_start_ = t_;
      inverse_step_ = 1.0 / h;
      std::swap(y_, y_new_);
      std::swap(k1_, k7_);
      t_ = t_new;

      h_ = h;
      if (error_squared < control::grow_below * control::grow_below) {
        h_ = h * std::min(control::safety * std::pow(error_squared, -0.1), control::max_growth);
      }
      return t_;
    }
  }

  const NativeDopri5Backend& interpolant() const { return *this; }
  std::span<const double> state() const { return view(y_); }

  /// Hairer's continuous extension on the last accepted step, non-negative states clipped at 0.
  void at(double t, std::span<double> y) const override {
    const double s = (t - step_start_) * inverse_step_;
    const double s1 = 1.0 - s;
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i) {
      // Clipped here, in the same pass (see ClippedInterpolant): lower_ is 0 or -inf.
      y[i] = std::max(r1_[i] + s * (r2_[i] + s1 * (r3_[i] + s * (r4_[i] + s1 * r5_[i]))), lower_[i]);
    }
  }

  bool root_found() const { return false; }
  const std::vector<int>& roots() const { return no_roots_; }
  long rhs_count() const { return common.rhs_evaluations; }
  long jacobian_count() const { return 0; }

  StepperCommon common;

 private:
  std::size_t size() const {
    if constexpr (requires { std::tuple_size<State>::value; }) {
      return std::tuple_size<State>::value;
    } else {
      return n_;
    }
  }
  NonFiniteStateError non_finite() const {
    return NonFiniteStateError("the state of model '" + common.model->info().name +
                                   "' became non-finite near t = " + std::to_string(t_) + " d",
                               t_);
  }
  double limit(double h) const {
    return common.options.max_step > 0.0 ? std::min(h, common.options.max_step) : h;
  }
  void rhs(double t, const State& y, State& dydt) {
    if constexpr (std::is_void_v<Model>) {
      common.rhs(t, view(y), view_mut(dydt));
    } else {
      // A qualified call: direct, and inlined where Model::rhs is defined in its header.
      static_cast<const Model&>(*common.model).Model::rhs(t, view(y), common.p, view_mut(dydt));
      ++common.rhs_evaluations;
    }
  }
  static std::span<const double> view(const State& v) { return {v.data(), v.size()}; }
  static std::span<double> view_mut(State& v) { return {v.data(), v.size()}; }

  std::size_t n_ = 0;
  State y_{}, y_new_{}, y_stage_{};
  State k1_{}, k2_{}, k3_{}, k4_{}, k5_{}, k6_{}, k7_{};
  State r1_{}, r2_{}, r3_{}, r4_{}, r5_{};  // dense-output coefficients of the last step
  State lower_{};  // per state: 0 (non-negative, clipped in at()) or -inf
  double t_ = 0.0;
  double h_ = 0.0;
  double step_start_ = 0.0;
  double inverse_step_ = 1.0;  // 1/h of the last step: an output time costs no division
  double inverse_size_ = 1.0;  // 1/n
  bool need_first_step_ = true;
  std::vector<int> no_roots_;
};

/// Generic backends of every size for any model, plus one backend compiled for each class in
/// `Compiled` (each with a `state_count` constant), chosen by the model's exact class at each solve.
template <class... Compiled>
class Dopri5Solver final : public Solver {
 public:
  Dopri5Solver(std::string name, const SolverOptions& options)
      : generic_(name, options), name_(std::move(name)), options_(options) {}

  std::string_view name() const override { return name_; }
  const SolverOptions& options() const override { return options_; }
  const SolveStats& last_stats() const override { return *last_; }

  SolveStats solve(const Problem& problem, Observer& observer) override {
    if (problem.model != nullptr) {
      const std::type_info& type = typeid(*problem.model);
      std::optional<SolveStats> done;
      std::apply([&](auto&... backend) { (try_compiled(backend, type, problem, observer, done) || ...); },
                 compiled_);
      if (done) {
        return *done;
      }
    }
    last_ = &generic_.last_stats();
    return generic_.solve(problem, observer);
  }

 private:
  template <class Backend>
  bool try_compiled(std::optional<Backend>& backend, const std::type_info& type,
                    const Problem& problem, Observer& observer, std::optional<SolveStats>& done) {
    using Model = typename Backend::model_type;
    if (type != typeid(Model)) {
      return false;
    }
    if (!backend) {
      backend.emplace(options_);
    }
    last_ = &stats_;
    done = detail::solve_with(*backend, problem, observer, options_, stats_);
    return true;
  }

  detail::SizeDispatchSolver<NativeDopri5Backend> generic_;
  std::tuple<std::optional<
      NativeDopri5Backend<std::array<double, Compiled::state_count>, Compiled>>...>
      compiled_;
  std::string name_;
  SolverOptions options_;
  SolveStats stats_;
  const SolveStats* last_ = &stats_;
};

}  // namespace

namespace detail {
std::unique_ptr<Solver> make_dopri5(std::string_view name, const SolverOptions& options) {
  // The compiled models: those whose populations are large enough for the call to matter.
  return std::make_unique<Dopri5Solver<models::Kimmel2021>>(std::string(name), options);
}
}  // namespace detail

}  // namespace cartsim
