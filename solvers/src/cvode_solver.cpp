// CVODE backends (BDF and Adams-Moulton, Newton iteration with the dense direct linear solver).
//
// One SUNContext and one CVODE memory per solver object; solve() reuses them through CVodeReInit,
// so a thread that keeps its solver pays the allocation once (SUNDIALS' advice for many solves).
// Every SUNDIALS call is checked by check_flag(), which names the flag. Model code runs inside C
// callbacks: an exception is caught there, stored, the callback returns -1, and the exception is
// rethrown unchanged after CVode() returns (as in deal.II's SUNDIALS wrappers).
#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <cmath>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "backend_solver.hpp"
#include "cartsim/core/errors.hpp"
#include "solver_backends.hpp"

namespace cartsim {
namespace {

std::string flag_name(int flag) {
  char* name = CVodeGetReturnFlagName(flag);
  std::string out = name != nullptr ? name : "NONE";
  free(name);  // NOLINT: CVodeGetReturnFlagName allocates with malloc
  // SUNDIALS 6.4 has no name for some flags; give the number instead.
  return out == "NONE" ? "flag " + std::to_string(flag) : out;
}

// RAII owners of SUNDIALS handles.
struct ContextDeleter {
  void operator()(SUNContext ctx) const { SUNContext_Free(&ctx); }
};
struct VectorDeleter {
  void operator()(N_Vector v) const { N_VDestroy(v); }
};
struct MatrixDeleter {
  void operator()(SUNMatrix m) const { SUNMatDestroy(m); }
};
struct LinearSolverDeleter {
  void operator()(SUNLinearSolver s) const { SUNLinSolFree(s); }
};
struct CvodeDeleter {
  void operator()(void* mem) const { CVodeFree(&mem); }
};
using ContextPtr = std::unique_ptr<std::remove_pointer_t<SUNContext>, ContextDeleter>;
using VectorPtr = std::unique_ptr<std::remove_pointer_t<N_Vector>, VectorDeleter>;
using MatrixPtr = std::unique_ptr<std::remove_pointer_t<SUNMatrix>, MatrixDeleter>;
using LinearSolverPtr =
    std::unique_ptr<std::remove_pointer_t<SUNLinearSolver>, LinearSolverDeleter>;
using CvodePtr = std::unique_ptr<void, CvodeDeleter>;

std::span<double> span_of(N_Vector v) {
  return {N_VGetArrayPointer(v), static_cast<std::size_t>(N_VGetLength(v))};
}

class CvodeBackend final : public Interpolant {
 public:
  static constexpr bool native_roots = true;

  CvodeBackend(int method, const SolverOptions& options) : method_(method), options_(options) {
    SUNContext ctx = nullptr;
    check_flag(SUNContext_Create(nullptr, &ctx), "SUNContext_Create");
    context_.reset(ctx);
  }

  /// Prepare for a problem of this model; reallocates only when the state size changes.
  void prepare(const OdeModel& model) {
    model_ = &model;
    const auto n = static_cast<sunindextype>(model.num_states());
    if (!memory_ || n != size_) {
      allocate(n);
    }
    jacobian_set_ = false;
    // No CVodeSetConstraints: CVODE's inequality constraints fail outright ("unable to satisfy
    // inequality constraints") when a population is driven towards zero, e.g. 0.7 % of a
    // kimmel2021 virtual population with BDF and 5 % with Adams. Without them, a non-negative state
    // can undershoot zero inside CVODE by no more than the absolute tolerance allows; the event
    // loop clips every value it reports (ClippedInterpolant), so no output, event condition or
    // restart ever sees a negative population.
    rhs_evaluations_ = 0;
    jacobian_evaluations_ = 0;
  }

  void set_parameters(std::span<const double> p) { p_ = p; }
  void set_state_events(const std::vector<StateEvent>* events, const std::vector<char>* active) {
    events_ = events;
    active_ = active;
  }

  void start(double t, std::span<const double> y) {
    std::copy(y.begin(), y.end(), span_of(y_.get()).begin());
    check(CVodeReInit(memory_.get(), t, y_.get()), "CVodeReInit");
    const bool use_jacobian = model_->has_jacobian();
    if (use_jacobian != jacobian_set_) {
      check(CVodeSetJacFn(memory_.get(), use_jacobian ? &CvodeBackend::jacobian_callback : nullptr),
            "CVodeSetJacFn");
      jacobian_set_ = use_jacobian;
    }
    const int n_roots = static_cast<int>(events_->size());
    check(
        CVodeRootInit(memory_.get(), n_roots, n_roots > 0 ? &CvodeBackend::root_callback : nullptr),
        "CVodeRootInit");
    if (n_roots > 0) {
      directions_.resize(static_cast<std::size_t>(n_roots));
      root_info_.resize(static_cast<std::size_t>(n_roots));
      for (std::size_t i = 0; i < events_->size(); ++i) {
        const Crossing c = (*events_)[i].direction;
        directions_[i] = c == Crossing::rising ? 1 : (c == Crossing::falling ? -1 : 0);
      }
      check(CVodeSetRootDirection(memory_.get(), directions_.data()), "CVodeSetRootDirection");
    }
    t_ = t;
    root_found_ = false;
  }

  double step(double t_stop) {
    check(CVodeSetStopTime(memory_.get(), t_stop), "CVodeSetStopTime");
    nonfinite_ = false;
    double t_reached = t_;
    const int flag = CVode(memory_.get(), t_stop, y_.get(), &t_reached, CV_ONE_STEP);
    rethrow_captured();
    if (flag < 0) {
      fail(flag, "CVode");
    }
    root_found_ = flag == CV_ROOT_RETURN;
    if (root_found_) {
      check(CVodeGetRootInfo(memory_.get(), root_info_.data()), "CVodeGetRootInfo");
      hits_.assign(root_info_.begin(), root_info_.end());
    }
    t_ = t_reached;
    return t_reached;
  }

  bool root_found() const { return root_found_; }
  const std::vector<int>& roots() const { return hits_; }
  const CvodeBackend& interpolant() const { return *this; }
  std::span<const double> state() const { return span_of(y_.get()); }

  void at(double t, std::span<double> y) const override {
    const int flag = CVodeGetDky(memory_.get(), t, 0, work_.get());
    if (flag != CV_SUCCESS) {
      throw SolverError(
          "CVodeGetDky failed with " + flag_name(flag) + " at t = " + std::to_string(t) + " d", t);
    }
    const auto w = span_of(work_.get());
    std::copy(w.begin(), w.end(), y.begin());
  }

  long rhs_count() const { return rhs_evaluations_; }
  long jacobian_count() const { return jacobian_evaluations_; }

 private:
  void allocate(sunindextype n) {
    linear_solver_.reset();
    matrix_.reset();
    memory_.reset();
    size_ = n;
    y_.reset(N_VNew_Serial(n, context_.get()));
    work_.reset(N_VNew_Serial(n, context_.get()));
    if (!y_ || !work_) {
      throw SolverError("N_VNew_Serial failed (out of memory?)", 0.0);
    }
    N_VConst(0.0, y_.get());
    memory_.reset(CVodeCreate(method_, context_.get()));
    if (!memory_) {
      throw SolverError("CVodeCreate failed", 0.0);
    }
    void* mem = memory_.get();
    check(CVodeSetErrHandlerFn(mem, &CvodeBackend::error_handler, this), "CVodeSetErrHandlerFn");
    check(CVodeInit(mem, &CvodeBackend::rhs_callback, 0.0, y_.get()), "CVodeInit");
    check(CVodeSetUserData(mem, this), "CVodeSetUserData");
    check(CVodeSStolerances(mem, options_.rtol, options_.atol), "CVodeSStolerances");
    matrix_.reset(SUNDenseMatrix(n, n, context_.get()));
    linear_solver_.reset(SUNLinSol_Dense(y_.get(), matrix_.get(), context_.get()));
    if (!matrix_ || !linear_solver_) {
      throw SolverError("SUNDenseMatrix / SUNLinSol_Dense failed", 0.0);
    }
    check(CVodeSetLinearSolver(mem, linear_solver_.get(), matrix_.get()), "CVodeSetLinearSolver");
    // One internal step per CVode call (CV_ONE_STEP); the step budget is counted by the event loop.
    check(CVodeSetMaxNumSteps(mem, -1), "CVodeSetMaxNumSteps");
    if (options_.first_step > 0.0) {
      check(CVodeSetInitStep(mem, options_.first_step), "CVodeSetInitStep");
    }
    if (options_.max_step > 0.0) {
      check(CVodeSetMaxStep(mem, options_.max_step), "CVodeSetMaxStep");
    }
    check(CVodeSetNoInactiveRootWarn(mem), "CVodeSetNoInactiveRootWarn");
  }

  void check(int flag, const char* call) {
    rethrow_captured();
    if (flag < 0) {
      fail(flag, call);
    }
  }
  static void check_flag(int flag, const char* call) {
    if (flag < 0) {
      throw SolverError(std::string(call) + " failed with " + flag_name(flag), 0.0);
    }
  }

  [[noreturn]] void fail(int flag, const char* call) {
    const std::string what = std::string(call) + " returned " + flag_name(flag) +
                             " at t = " + std::to_string(t_) + " d" +
                             (last_message_.empty() ? "" : ": " + last_message_);
    if (nonfinite_) {
      throw NonFiniteStateError(
          "the derivative of model '" + model_->info().name +
              "' became non-finite near t = " + std::to_string(nonfinite_time_) + " d",
          nonfinite_time_);
    }
    switch (flag) {
      case CV_TOO_MUCH_WORK:
        throw TooMuchWorkError(what, t_);
      case CV_RHSFUNC_FAIL:
      case CV_FIRST_RHSFUNC_ERR:
      case CV_REPTD_RHSFUNC_ERR:
      case CV_UNREC_RHSFUNC_ERR:
      case CV_CONV_FAILURE:
      case CV_ERR_FAILURE:
        throw ConvergenceError(what, t_);
      case CV_TOO_MUCH_ACC:
      case CV_TOO_CLOSE:
      case CV_LSETUP_FAIL:
      case CV_LSOLVE_FAIL:
        throw ConvergenceError(what, t_);
      default:
        throw SolverError(what, t_);
    }
  }

  void rethrow_captured() {
    if (captured_) {
      std::exception_ptr e = std::exchange(captured_, nullptr);
      std::rethrow_exception(e);
    }
  }

  static int rhs_callback(sunrealtype t, N_Vector y, N_Vector ydot, void* user_data) {
    auto* self = static_cast<CvodeBackend*>(user_data);
    try {
      const auto out = span_of(ydot);
      self->model_->rhs(t, span_of(y), self->p_, out);
      ++self->rhs_evaluations_;
      for (double v : out) {
        if (!std::isfinite(v)) {
          // Fatal, as in every backend: retrying smaller steps only creeps towards the point
          // where the model breaks down, until the step budget is gone.
          self->nonfinite_ = true;
          self->nonfinite_time_ = t;
          return -1;
        }
      }
      return 0;
    } catch (...) {
      self->captured_ = std::current_exception();
      return -1;
    }
  }

  static int jacobian_callback(sunrealtype t, N_Vector y, N_Vector, SUNMatrix jac, void* user_data,
                               N_Vector, N_Vector, N_Vector) {
    auto* self = static_cast<CvodeBackend*>(user_data);
    try {
      const auto n = static_cast<Eigen::Index>(SUNDenseMatrix_Rows(jac));
      Eigen::Map<Eigen::MatrixXd> j(SUNDenseMatrix_Data(jac), n, n);  // column-major, like Eigen
      j.setZero();
      self->model_->jacobian(t, span_of(y), self->p_, j);
      ++self->jacobian_evaluations_;
      return 0;
    } catch (...) {
      self->captured_ = std::current_exception();
      return -1;
    }
  }

  static int root_callback(sunrealtype t, N_Vector y, sunrealtype* gout, void* user_data) {
    auto* self = static_cast<CvodeBackend*>(user_data);
    try {
      for (std::size_t i = 0; i < self->events_->size(); ++i) {
        gout[i] =
            (*self->active_)[i] ? (*self->events_)[i].condition(t, span_of(y), self->p_) : 1.0;
      }
      return 0;
    } catch (...) {
      self->captured_ = std::current_exception();
      return -1;
    }
  }

  static void error_handler(int, const char*, const char*, char* message, void* user_data) {
    // CVODE's own messages are kept for our exception text instead of being printed to stderr.
    static_cast<CvodeBackend*>(user_data)->last_message_ = message != nullptr ? message : "";
  }

  int method_;
  SolverOptions options_;
  ContextPtr context_;
  VectorPtr y_, work_;
  MatrixPtr matrix_;
  LinearSolverPtr linear_solver_;
  CvodePtr memory_;
  sunindextype size_ = 0;
  const OdeModel* model_ = nullptr;
  std::span<const double> p_;
  const std::vector<StateEvent>* events_ = nullptr;
  const std::vector<char>* active_ = nullptr;
  std::vector<int> directions_, root_info_, hits_;
  bool jacobian_set_ = false;
  bool root_found_ = false;
  bool nonfinite_ = false;
  double nonfinite_time_ = 0.0;
  double t_ = 0.0;
  std::exception_ptr captured_;
  std::string last_message_;
  long rhs_evaluations_ = 0;
  long jacobian_evaluations_ = 0;
};

}  // namespace

namespace detail {
std::unique_ptr<Solver> make_cvode_solver(std::string_view name, bool bdf,
                                          const SolverOptions& options) {
  return std::make_unique<BackendSolver<CvodeBackend>>(std::string(name), options,
                                                       bdf ? CV_BDF : CV_ADAMS, options);
}
}  // namespace detail

}  // namespace cartsim
