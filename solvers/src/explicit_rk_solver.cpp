// dopri5 and tsit5: cartsim's explicit Runge-Kutta 5(4) steppers, one backend over two tables
// (rk_tableaux.hpp): Dormand-Prince (1980) and Tsitouras (2011). Both have seven stages with
// first-same-as-last (six evaluations per accepted step) and a free 4th-order dense output.
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
//     (bench/population_bench) even though it took 4 % fewer steps. The controller works on the
//     squared norm (err^-1/5 = (err^2)^-1/10), so no step waits for a square root.
//     The growth factor is computed in single precision (powf): it is a proposal, and pow's
//     latency sat on every growing step's critical path.
//   - Continuous extensions: Dormand-Prince's (Hairer's form) is stored as 5 coefficients per state
//     at the end of each accepted step; Tsitouras's is evaluated from the stages at each output
//     time (y0 + h sum_j b_j(s) k_j), which costs nothing for steps without an output time.
//   - The stage sums are unrolled at compile time and skip the tables' zero coefficients, in the
//     tables' order (Dormand-Prince gives the same bits as a hand-written stepper).
// Like the odeint backends, a step that leaves a non-negative state below -atol is rejected and
// retried with half the step. A step whose error estimate is not finite (a derivative that
// overflowed or became NaN on a too-large trial step) is retried with a fifth of the step; after
// max_nonfinite_retries such retries, or when the step underflows, NonFiniteStateError is thrown.
//
// Tsitouras's pair: the same cost per step as Dormand-Prince and smaller error constants. On the
// kimmel2021 population of issue 6 (rtol 1e-6, atol 1e-3) it takes 12 % fewer evaluations with
// half the error against a tight reference (bench/population_bench), so it is that model's default.
//
// Compiled models. A step makes six calls to the model's right-hand side. Through the OdeModel
// interface each is an indirect call the compiler cannot see into, so the stage arithmetic and the
// model's arithmetic cannot be scheduled together. For the model classes listed in
// `compiled_models` below (final classes whose rhs() is defined in their header) the backend is
// also instantiated with the class itself: the solver checks the model's exact class at each solve
// and, on a match, runs that instantiation, where the call is direct and inlined. The arithmetic is
// the same, so the results are bitwise identical to the generic path (tests/test_kimmel2021.cpp);
// on the kimmel2021 population the solve is about 20 % faster (bench/population_bench).
//
// Why not odeint's runge_kutta_dopri5, which computes the same stages: on the kimmel2021
// population its generic controller and dense output cost about 30 % of the solve around the
// model's own work; this backend takes 13 % fewer right-hand-side evaluations for the same
// tolerances (the norm) and evaluates its dense output in a third of the instructions.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "cartsim/core/errors.hpp"
#include "cartsim/models/kimmel2021.hpp"
#include "rk_tableaux.hpp"
#include "size_dispatch.hpp"
#include "solver_backends.hpp"
#include "stepper_common.hpp"

namespace cartsim {
namespace {

using detail::StepperCommon;

/// Retries of one step after a non-finite error estimate, each with a fifth of the step.
constexpr int max_nonfinite_retries = 10;

// Step-size update (odeint's default controller, see above).
namespace control {
constexpr double safety = 0.9;
constexpr double grow_below = 0.5;  // errors below this grow the next step
constexpr double max_growth = 5.0;
constexpr double min_shrink = 0.2;  // a rejected step shrinks at most 5x
}  // namespace control

/// State: std::array<double, N> (fixed size) or std::vector<double>. Model: void (the right-hand
/// side through the OdeModel interface) or the final model class to call directly (compiled).
/// Method: a table of rk_tableaux.hpp.
template <class State, class Model, class Method>
class ExplicitRkBackend final : public Interpolant {
  static_assert(Method::a[1][0] != 0.0 && Method::a[2][0] != 0.0 && Method::a[3][0] != 0.0 &&
                    Method::a[4][0] != 0.0 && Method::a[5][0] != 0.0 && Method::a[6][0] != 0.0 &&
                    Method::e[0] != 0.0,
                "the stage sums start from their first term");
  static constexpr bool hairer_dense = requires { Method::d; };

 public:
  static constexpr bool native_roots = false;
  /// at() clips the non-negative states itself (ClippedInterpolant need not).
  static constexpr bool clips_nonnegative = true;
  using model_type = Model;

  explicit ExplicitRkBackend(const SolverOptions& options) { common.options = options; }

  void prepare(const OdeModel& model) {
    common.prepare(model);
    n_ = model.num_states();
    inverse_size_ = 1.0 / static_cast<double>(n_);
    detail::resize_state(lower_, n_);
    std::fill(lower_.begin(), lower_.end(), -std::numeric_limits<double>::infinity());
    for (std::size_t i : common.nonnegative) {
      lower_[i] = 0.0;
    }
    for (State* v : {&y_, &y_new_, &y_stage_}) {
      detail::resize_state(*v, n_);
    }
    for (State& v : k_) {
      detail::resize_state(v, n_);
    }
    if constexpr (hairer_dense) {
      for (State& v : r_) {
        detail::resize_state(v, n_);
      }
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
    const std::size_t n = size();
    if (need_first_step_) {
      common.rhs(t_, view(y_), view_mut(k_[0]));
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
        throw ConvergenceError(std::string(Method::name) + ": the step size underflowed near t = " +
                                   std::to_string(t_) + " d",
                               t_);
      }
      stage<1>(h);
      stage<2>(h);
      stage<3>(h);
      stage<4>(h);
      stage<5>(h);
      const double t_new = t_ + h;
      for (std::size_t i = 0; i < n; ++i) {
        y_new_[i] = y_[i] + h * sum<6>(Method::a[6], i);
      }
      rhs(t_new, y_new_, k_[6]);

      // The squared norm: the controller needs no square root (see the top of the file).
      double squares = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double e = h * sum<7>(Method::e, i);
        const double scale = common.options.atol +
                             common.options.rtol * std::max(std::abs(y_[i]), std::abs(y_new_[i]));
        squares += (e / scale) * (e / scale);
      }
      const double error_squared = squares * inverse_size_;

      if (!std::isfinite(error_squared)) {
        if (++nonfinite_retries > max_nonfinite_retries) {
          throw non_finite();
        }
        h_ = h * control::min_shrink;
        continue;
      }
      if (error_squared > 1.0) {
        h_ = h *
             std::max(control::safety * std::pow(error_squared, -1.0 / 6.0), control::min_shrink);
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
      dense_coefficients(h);
      step_start_ = t_;
      inverse_step_ = 1.0 / h;
      std::swap(y_, y_new_);
      std::swap(k_[0], k_[6]);
      t_ = t_new;

      h_ = h;
      if (error_squared < control::grow_below * control::grow_below) {
        // In single precision: a step-size proposal needs no more, and powf is about twice as
        // quick as pow on the step's critical path (error_squared is clamped at 1e-30, far below
        // where the growth is capped anyway).
        const float growth = std::pow(std::max(static_cast<float>(error_squared), 1e-30F), -0.1F);
        h_ = h * std::min(control::safety * static_cast<double>(growth), control::max_growth);
      }
      return t_;
    }
  }

  const ExplicitRkBackend& interpolant() const { return *this; }
  std::span<const double> state() const { return view(y_); }

  /// The continuous extension on the last accepted step, non-negative states clipped at 0 in the
  /// same pass (lower_ is 0 or -inf).
  void at(double t, std::span<double> y) const override {
    const double s = (t - step_start_) * inverse_step_;
    const std::size_t n = size();
    if constexpr (hairer_dense) {
      const double s1 = 1.0 - s;
      for (std::size_t i = 0; i < n; ++i) {
        y[i] =
            std::max(r_[0][i] + s * (r_[1][i] + s1 * (r_[2][i] + s * (r_[3][i] + s1 * r_[4][i]))),
                     lower_[i]);
      }
    } else {
      // y0 + h sum_j b_j(s) k_j straight from the stages (nothing is precomputed per step: a step
      // without an output time, common where steps are short, costs nothing here). After the
      // step's first-same-as-last swap, y0 is in y_new_, k_1 in k_[6] and k_7 in k_[0].
      std::array<double, 7> w{};
      for (std::size_t j = 0; j < 7; ++j) {
        const auto& d = Method::dense[j];
        w[j] = step_h_ * s * (d[0] + s * (d[1] + s * (d[2] + s * d[3])));
      }
      for (std::size_t i = 0; i < n; ++i) {
        const double increment = w[0] * k_[6][i] + w[1] * k_[1][i] + w[2] * k_[2][i] +
                                 w[3] * k_[3][i] + w[4] * k_[4][i] + w[5] * k_[5][i] +
                                 w[6] * k_[0][i];
        y[i] = std::max(y_new_[i] + increment, lower_[i]);
      }
    }
  }

  bool root_found() const { return false; }
  const std::vector<int>& roots() const { return no_roots_; }
  long rhs_count() const { return common.rhs_evaluations; }
  long jacobian_count() const { return 0; }

  StepperCommon common;

 private:
  /// sum_{j < Count} w[j] k_j[i], in order, the zero weights left out at compile time.
  template <std::size_t Count, class Weights>
  double sum(const Weights& w, std::size_t i) const {
    return sum_from<Count>(w, i, w[0] * k_[0][i], std::make_index_sequence<Count - 1>{});
  }
  template <std::size_t Count, class Weights, std::size_t... J>
  double sum_from(const Weights& w, [[maybe_unused]] std::size_t i, double first,
                  std::index_sequence<J...>) const {
    double total = first;
    ((w[J + 1] != 0.0 ? void(total += w[J + 1] * k_[J + 1][i]) : void()), ...);
    return total;
  }

  /// Stage Row: its state y + h sum_j a[Row][j] k_j and its derivative k_Row.
  template <std::size_t Row>
  void stage(double h) {
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i) {
      y_stage_[i] = y_[i] + h * sum<Row>(Method::a[Row], i);
    }
    rhs(t_ + Method::c[Row] * h, y_stage_, k_[Row]);
  }

  /// Hairer's r_ over the step just accepted (y_ -> y_new_, stages k_); other methods evaluate
  /// their dense output from the stages in at().
  void dense_coefficients(double h) {
    step_h_ = h;
    const std::size_t n = size();
    for (std::size_t i = 0; i < n; ++i) {
      if constexpr (hairer_dense) {
        const double difference = y_new_[i] - y_[i];
        const double bspl = h * k_[0][i] - difference;
        r_[0][i] = y_[i];
        r_[1][i] = difference;
        r_[2][i] = bspl;
        r_[3][i] = difference - h * k_[6][i] - bspl;
        r_[4][i] = h * sum<7>(Method::d, i);
      }
    }
  }

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
  std::array<State, 7> k_{};  // the stages; k_[0] is f(t_, y_)
  std::array<State, 5> r_{};  // Hairer's dense-output coefficients of the last step (dopri5 only)
  State lower_{};             // per state: 0 (non-negative, clipped in at()) or -inf
  double t_ = 0.0;
  double h_ = 0.0;
  double step_start_ = 0.0;
  double inverse_step_ = 1.0;  // 1/h of the last step: an output time costs no division
  double step_h_ = 0.0;        // h of the last step
  double inverse_size_ = 1.0;  // 1/n
  bool need_first_step_ = true;
  std::vector<int> no_roots_;
};

/// Generic backends of every size for any model, plus one backend compiled for each class in
/// `Compiled` (each with a `state_count` constant), chosen by the model's exact class at each
/// solve.
template <class Method, class... Compiled>
class ExplicitRkSolver final : public Solver {
  template <class State>
  using Generic = ExplicitRkBackend<State, void, Method>;

 public:
  ExplicitRkSolver(std::string name, const SolverOptions& options)
      : generic_(name, options), name_(std::move(name)), options_(options) {}

  std::string_view name() const override { return name_; }
  const SolverOptions& options() const override { return options_; }
  const SolveStats& last_stats() const override { return *last_; }

  SolveStats solve(const Problem& problem, Observer& observer) override {
    if (problem.model != nullptr) {
      const std::type_info& type = typeid(*problem.model);
      std::optional<SolveStats> done;
      std::apply(
          [&](auto&... backend) { (try_compiled(backend, type, problem, observer, done) || ...); },
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

  detail::SizeDispatchSolver<Generic> generic_;
  std::tuple<std::optional<
      ExplicitRkBackend<std::array<double, Compiled::state_count>, Compiled, Method>>...>
      compiled_;
  std::string name_;
  SolverOptions options_;
  SolveStats stats_;
  const SolveStats* last_ = &stats_;
};

/// The model classes compiled into the explicit steppers (see the top of the file): those whose
/// populations are large enough for the call to matter.
template <class Method>
using CompiledSolver = ExplicitRkSolver<Method, models::Kimmel2021>;

}  // namespace

namespace detail {
std::unique_ptr<Solver> make_dopri5(std::string_view name, const SolverOptions& options) {
  return std::make_unique<CompiledSolver<detail::tableau::DormandPrince>>(std::string(name),
                                                                          options);
}
std::unique_ptr<Solver> make_tsit5(std::string_view name, const SolverOptions& options) {
  return std::make_unique<CompiledSolver<detail::tableau::Tsitouras>>(std::string(name), options);
}
}  // namespace detail

}  // namespace cartsim
