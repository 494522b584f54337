// leon_triana2021 (reduced): right-hand side at hand-computed values, the conservation law behind
// the paper's dose-independent peak, and positivity through every solver.
#include <catch2/catch.hpp>
#include <cmath>

#include "cartsim/models/leon_triana2021.hpp"
#include "support.hpp"

using namespace cartsim;
using M = models::LeonTriana2021;

namespace {
std::span<double> view(Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}
}  // namespace

TEST_CASE("leon_triana2021 right-hand side at a chosen state", "[leon_triana2021]") {
  const M m;
  Eigen::VectorXd p = m.info().default_parameters();
  Eigen::VectorXd y(3), dy(3);
  y << 1.0e9, 2.0e10, 1.0e10;  // C, L, B
  m.rhs(0.0, view(y), view(p), view(dy));
  // dC = (alpha/4)(L + B) C - C/14 = 1.125e-11 * 3e10 * 1e9 - 1e9/14
  //    = 3.375e8 - 7.142857e7 = 2.6607143e8 cells/d
  CHECK(dy[M::C] == Approx(3.375e8 - 1.0e9 / 14.0).epsilon(1e-14));
  // dL = L/30 - alpha L C = 6.6666667e8 - 4.5e-11 * 2e10 * 1e9 = 6.6666667e8 - 9e8 = -2.3333333e8
  CHECK(dy[M::L] == Approx(2.0e10 / 30.0 - 9.0e8).epsilon(1e-14));
  // dB = -alpha B C - B/60 = -4.5e8 - 1.6666667e8 = -6.1666667e8
  CHECK(dy[M::B] == Approx(-4.5e8 - 1.0e10 / 60.0).epsilon(1e-14));
  CHECK(p[M::rho_c] == Approx(p[M::alpha] / 4.0).epsilon(1e-15));  // the paper's rho_c = alpha/4
}

TEST_CASE("leon_triana2021 conserves C + (rho_c/alpha)(L + B) without births and deaths",
          "[leon_triana2021]") {
  // With rho_l = 0 and no death terms, d/dt [C + (rho_c/alpha)(L + B)] = 0 exactly: the law that
  // gives the paper's dose-independent peak C_max ~ C(0) + (L(0) + B(0))/4. tau_c and tau_b are
  // set to their maximum (1e6 d); the death terms then change the invariant by at most
  // 60 d x (C/tau_c + ...) / invariant ~ 6e-5 relative, so 1e-4 is the bound.
  const M m;
  for (const auto& name : testing::all_solvers()) {
    SECTION(name) {
      Problem problem = testing::make_problem(m, 0.0, 60.0);
      problem.p[M::rho_l] = 0.0;
      problem.p[M::tau_c] = 1.0e6;
      problem.p[M::tau_b] = 1.0e6;
      auto recorder = testing::state_recorder(m, testing::grid(0.0, 60.0, 5.0));
      SolverOptions options;
      options.rtol = 1e-10;
      options.atol = 1e-3;
      make_solver(name, options)->solve(problem, recorder);
      const double k = problem.p[M::rho_c] / problem.p[M::alpha];
      const auto& v = recorder.values();
      const double invariant0 = v(0, M::C) + k * (v(0, M::L) + v(0, M::B));
      for (Eigen::Index i = 0; i < v.rows(); ++i) {
        const double invariant = v(i, M::C) + k * (v(i, M::L) + v(i, M::B));
        CHECK_THAT(invariant, Catch::Matchers::WithinRel(invariant0, 1e-4));
        CHECK(v.row(i).minCoeff() >= 0.0);
      }
      CHECK(v.col(M::C).maxCoeff() > 1.8e10);  // the peak approaches C(0) + (L(0) + B(0))/4
    }
  }
}
