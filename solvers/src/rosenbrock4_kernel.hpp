#pragma once
// A narrow, C++17-compatible interface to Boost.Odeint's rosenbrock4 dense-output stepper.
//
// Why this exists: odeint's Rosenbrock stepper is written for uBLAS vectors and matrices, and the
// uBLAS of Boost 1.74 (Debian 12) calls std::allocator::construct, which C++20 removed. The kernel
// is therefore compiled as C++17 in its own translation unit (rosenbrock4_kernel.cpp) and the rest
// of cartsim, C++20, talks to it only through this header (raw pointers, no uBLAS types).
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <utility>

namespace cartsim::detail {

/// odeint could not find an acceptable step size.
struct StepAdjustmentFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Rosenbrock4Kernel {
 public:
  /// dydt = f(t, y)
  using RhsFn = void (*)(void* context, double t, const double* y, double* dydt);
  /// jac_col_major[i + n*j] = df_i/dy_j; dfdt[i] = df_i/dt
  using JacobianFn = void (*)(void* context, double t, const double* y, double* jac_col_major,
                              double* dfdt);

  Rosenbrock4Kernel(std::size_t n, double atol, double rtol, double max_dt);
  ~Rosenbrock4Kernel();
  Rosenbrock4Kernel(const Rosenbrock4Kernel&) = delete;
  Rosenbrock4Kernel& operator=(const Rosenbrock4Kernel&) = delete;

  void resize(std::size_t n);
  void initialize(const double* y, double t, double dt);
  /// One accepted step; returns (t_old, t_new). Throws StepAdjustmentFailure, or whatever the
  /// callbacks throw.
  std::pair<double, double> do_step(RhsFn rhs, JacobianFn jacobian, void* context);
  void calc_state(double t, double* y) const;
  const double* current_state() const;
  const double* previous_state() const;
  double current_time() const;
  double previous_time() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cartsim::detail
