#include <array>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/text.hpp"
#include "solver_backends.hpp"

namespace cartsim {
namespace {
struct Entry {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<Solver> (*make)(std::string_view, const SolverOptions&);
};

const std::array<Entry, 6> entries{{
    {"cvode_bdf", "SUNDIALS CVODE, BDF orders 1-5, Newton with dense LU; for stiff problems",
     [](std::string_view n, const SolverOptions& o) {
       return detail::make_cvode_solver(n, true, o);
     }},
    {"cvode_adams", "SUNDIALS CVODE, Adams-Moulton orders 1-12, Newton with dense LU; non-stiff",
     [](std::string_view n, const SolverOptions& o) {
       return detail::make_cvode_solver(n, false, o);
     }},
    {"dopri5", "cartsim's Dormand-Prince 5(4), RMS error norm, dense output; non-stiff, fast",
     &detail::make_dopri5},
    {"tsit5",
     "cartsim's Tsitouras 5(4), RMS error norm, dense output; non-stiff, fastest (smaller error "
     "constants than Dormand-Prince at the same cost per step)",
     &detail::make_tsit5},
    {"odeint_dopri5", "Boost.Odeint Dormand-Prince 5(4) with dense output; non-stiff, fast",
     &detail::make_odeint_dopri5},
    {"odeint_rosenbrock4", "Boost.Odeint Rosenbrock 4(3) with dense output; stiff",
     &detail::make_odeint_rosenbrock4},
}};

void validate(const SolverOptions& o) {
  if (!(o.rtol > 0.0 && o.rtol < 1.0)) {
    throw Error("solver option rtol must be in (0, 1), got " + std::to_string(o.rtol));
  }
  if (!(o.atol > 0.0)) {
    throw Error("solver option atol must be > 0, got " + std::to_string(o.atol));
  }
  if (o.max_steps < 1) {
    throw Error("solver option max_steps must be >= 1");
  }
  if (!(o.first_step >= 0.0) || !(o.max_step >= 0.0)) {
    throw Error("solver options first_step and max_step must be >= 0");
  }
}
}  // namespace

std::vector<std::string> solver_names() {
  std::vector<std::string> names;
  for (const auto& e : entries) {
    names.emplace_back(e.name);
  }
  return names;
}

std::string_view solver_description(std::string_view name) {
  for (const auto& e : entries) {
    if (e.name == name) {
      return e.description;
    }
  }
  return {};
}

std::unique_ptr<Solver> make_solver(std::string_view name, const SolverOptions& options) {
  validate(options);
  for (const auto& e : entries) {
    if (e.name == name) {
      return e.make(name, options);
    }
  }
  throw Error(unknown_name_message("solver", name, solver_names(), "known solvers"));
}

}  // namespace cartsim
