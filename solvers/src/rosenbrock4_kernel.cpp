// Compiled as C++17 (see rosenbrock4_kernel.hpp and solvers/CMakeLists.txt).
#include "rosenbrock4_kernel.hpp"

#include <boost/numeric/odeint.hpp>
#include <optional>
#include <vector>

namespace cartsim::detail {
namespace ode = boost::numeric::odeint;
namespace ublas = boost::numeric::ublas;

struct Rosenbrock4Kernel::Impl {
  using State = ublas::vector<double>;
  using Matrix = ublas::matrix<double>;
  using Controller = ode::rosenbrock4_controller<ode::rosenbrock4<double>>;
  using Dense = ode::rosenbrock4_dense_output<Controller>;

  Impl(std::size_t n, double atol_, double rtol_, double max_dt_)
      : atol(atol_), rtol(rtol_), max_dt(max_dt_), x(n), probe(n), jac(n * n) {}

  double atol, rtol, max_dt;
  std::optional<Dense> dense;  // odeint's steppers are not assignable: emplaced per initialize()
  State x;
  mutable State probe;
  std::vector<double> jac;
};

Rosenbrock4Kernel::Rosenbrock4Kernel(std::size_t n, double atol, double rtol, double max_dt)
    : impl_(std::make_unique<Impl>(n, atol, rtol, max_dt)) {}

Rosenbrock4Kernel::~Rosenbrock4Kernel() = default;

void Rosenbrock4Kernel::resize(std::size_t n) {
  impl_->x.resize(n);
  impl_->probe.resize(n);
  impl_->jac.resize(n * n);
}

void Rosenbrock4Kernel::initialize(const double* y, double t, double dt) {
  Impl& impl = *impl_;
  std::copy(y, y + impl.x.size(), impl.x.begin());
  // A fresh stepper: rosenbrock4_controller keeps the previous step's size and error (Gustafsson
  // control) across initialize(), and its buffers are sized once. Without this, a reused solver's
  // results would depend on what it solved before, breaking reproducibility across threads.
  impl.dense.emplace(Impl::Controller(impl.atol, impl.rtol, impl.max_dt));
  impl.dense->initialize(impl.x, t, dt);
}

std::pair<double, double> Rosenbrock4Kernel::do_step(RhsFn rhs, JacobianFn jacobian,
                                                     void* context) {
  Impl& impl = *impl_;
  auto derivative = [rhs, context](const Impl::State& x, Impl::State& dxdt, double t) {
    rhs(context, t, &x[0], &dxdt[0]);
  };
  auto jacobian_fn = [jacobian, context, &impl](const Impl::State& x, Impl::Matrix& j,
                                                const double& t, Impl::State& dfdt) {
    const std::size_t n = x.size();
    jacobian(context, t, &x[0], impl.jac.data(), &dfdt[0]);
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t c = 0; c < n; ++c) {
        j(r, c) = impl.jac[r + n * c];
      }
    }
  };
  try {
    return impl.dense->do_step(std::make_pair(derivative, jacobian_fn));
  } catch (const ode::odeint_error& e) {
    throw StepAdjustmentFailure(e.what());
  }
}

void Rosenbrock4Kernel::calc_state(double t, double* y) const {
  impl_->dense->calc_state(t, impl_->probe);
  std::copy(impl_->probe.begin(), impl_->probe.end(), y);
}

const double* Rosenbrock4Kernel::current_state() const {
  return &impl_->dense->current_state()[0];
}
const double* Rosenbrock4Kernel::previous_state() const {
  return &impl_->dense->previous_state()[0];
}
double Rosenbrock4Kernel::current_time() const {
  return impl_->dense->current_time();
}
double Rosenbrock4Kernel::previous_time() const {
  return impl_->dense->previous_time();
}

}  // namespace cartsim::detail
