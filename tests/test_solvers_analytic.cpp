// Every solver backend against exact solutions: logistic growth and Stein 2019's closed form.
//
// Tolerance policy: a solver run at relative tolerance rtol controls the local error per step; the
// global error over a run is a modest multiple of rtol (error propagation over tens of steps, and
// exponential growth amplifies it by at most the growth over the run). Each bound below is
// 200 x rtol, measured margins are printed by the convergence test.
#include <catch2/catch.hpp>
#include <cmath>

#include "cartsim/models/logistic.hpp"
#include "cartsim/models/stein2019.hpp"
#include "support.hpp"

using namespace cartsim;
using cartsim::testing::all_solvers;

namespace {

double logistic_max_relative_error(const std::string& solver_name, double rtol) {
  const models::Logistic model;
  Problem problem = testing::make_problem(model, 0.0, 40.0);  // r 0.5/d, K 1e9, N0 1e6 cells
  auto recorder = testing::state_recorder(model, testing::grid(0.0, 40.0, 0.5));
  SolverOptions options;
  options.rtol = rtol;
  options.atol = 1e-6;  // cells: negligible against N >= 1e6
  make_solver(solver_name, options)->solve(problem, recorder);
  REQUIRE(recorder.rows() == recorder.times().size());
  const auto& p = problem.p;
  double worst = 0.0;
  for (std::size_t i = 0; i < recorder.rows(); ++i) {
    const double exact = models::Logistic::exact(recorder.times()[i], p[models::Logistic::r],
                                                 p[models::Logistic::K], p[models::Logistic::N0]);
    worst =
        std::max(worst, std::abs(recorder.values()(static_cast<Eigen::Index>(i), 0) / exact - 1.0));
  }
  return worst;
}

double stein_max_relative_error(const std::string& solver_name, double rtol) {
  const models::Stein2019 model;
  Problem problem = testing::make_problem(model, 0.0, 365.0);
  GridRecorder recorder(model, testing::grid(0.0, 365.0, 1.0),
                        {{VariableRef::Kind::observable, 0}});
  SolverOptions options;
  options.rtol = rtol;
  options.atol = 1e-12;  // copies/ug: below every level in the run (min ~50)
  make_solver(solver_name, options)->solve(problem, recorder);
  REQUIRE(recorder.rows() == 366);
  double worst = 0.0;
  const std::span<const double> p{problem.p.data(), static_cast<std::size_t>(problem.p.size())};
  for (std::size_t i = 0; i < recorder.rows(); ++i) {
    const double exact = models::Stein2019::exact_level(recorder.times()[i], p);
    worst =
        std::max(worst, std::abs(recorder.values()(static_cast<Eigen::Index>(i), 0) / exact - 1.0));
  }
  return worst;
}

}  // namespace

TEST_CASE("every solver reproduces the exact logistic solution", "[solvers][analytic]") {
  constexpr double rtol = 1e-9;
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      const double error = logistic_max_relative_error(name, rtol);
      INFO(name << ": max relative error " << error);
      CHECK(error < 200 * rtol);
    }
  }
}

TEST_CASE("every solver reproduces Stein 2019's closed form over a year", "[solvers][analytic]") {
  constexpr double rtol = 1e-9;
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      const double error = stein_max_relative_error(name, rtol);
      INFO(name << ": max relative error " << error);
      CHECK(error < 200 * rtol);
    }
  }
}

TEST_CASE("the error falls as the tolerance tightens", "[solvers][convergence]") {
  // Over two decades of rtol the global error must fall by at least one decade, for every backend.
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      const double e4 = logistic_max_relative_error(name, 1e-4);
      const double e6 = logistic_max_relative_error(name, 1e-6);
      const double e8 = logistic_max_relative_error(name, 1e-8);
      INFO(name << ": errors at rtol 1e-4, 1e-6, 1e-8: " << e4 << ", " << e6 << ", " << e8);
      CHECK(e6 < e4 / 10);
      CHECK(e8 < e6 / 10);
    }
  }
}

TEST_CASE("CVODE and odeint agree on the same problem", "[solvers][cross-check]") {
  const models::Stein2019 model;
  Problem problem = testing::make_problem(model, 0.0, 365.0);
  SolverOptions options;  // the tolerance at which every backend is within 200 x rtol of exact
  options.rtol = 1e-9;
  options.atol = 1e-12;
  auto reference = testing::state_recorder(model, testing::grid(0.0, 365.0, 1.0));
  make_solver("cvode_bdf", options)->solve(problem, reference);
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      auto other = testing::state_recorder(model, testing::grid(0.0, 365.0, 1.0));
      make_solver(name, options)->solve(problem, other);
      REQUIRE(other.rows() == reference.rows());
      // Both within 200 x rtol of the exact solution, so within 400 x rtol of each other.
      for (Eigen::Index i = 0; i < reference.values().rows(); ++i) {
        for (Eigen::Index j = 0; j < reference.values().cols(); ++j) {
          const double a = reference.values()(i, j);
          const double b = other.values()(i, j);
          // Values below 1000 x atol are solver noise (E decays to ~1e-21 copies/ug by day
          // 365), so they are compared absolutely.
          CHECK_THAT(b, Catch::Matchers::WithinRel(a, 400 * options.rtol) ||
                            Catch::Matchers::WithinAbs(a, 1000 * options.atol));
        }
      }
    }
  }
}

TEST_CASE("a solver is reusable: the same problem twice gives bitwise the same numbers",
          "[solvers][reuse]") {
  const models::Stein2019 stein;
  const models::Logistic logistic;
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      auto solver = make_solver(name, SolverOptions{});
      Problem a = testing::make_problem(stein, 0.0, 100.0);
      Problem b = testing::make_problem(logistic, 0.0, 30.0);
      auto first = testing::state_recorder(stein, testing::grid(0.0, 100.0, 1.0));
      auto other = testing::state_recorder(logistic, testing::grid(0.0, 30.0, 1.0));
      auto again = testing::state_recorder(stein, testing::grid(0.0, 100.0, 1.0));
      const SolveStats s1 = solver->solve(a, first);
      solver->solve(b, other);  // a different state size in between
      const SolveStats s2 = solver->solve(a, again);
      CHECK(first.values() == again.values());
      CHECK(s1.steps == s2.steps);
      CHECK(s1.rhs_evaluations == s2.rhs_evaluations);
    }
  }
}
