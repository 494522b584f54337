// The failure contract, identical for every backend: the model's own exception comes back
// unchanged (across CVODE's C frames too), the step budget gives TooMuchWorkError, NaN gives
// NonFiniteStateError, and non-negative states stay non-negative.
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "support.hpp"

using namespace cartsim;
using cartsim::testing::all_solvers;
using cartsim::testing::DecayModel;

TEST_CASE("an exception thrown in model code reaches the caller unchanged", "[contract]") {
  DecayModel model;
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      Problem problem = testing::make_problem(model, 0.0, 5.0);
      problem.p[DecayModel::fail_after] = 1.0;
      testing::Trace trace;
      auto solver = make_solver(name, SolverOptions{});
      CHECK_THROWS_AS(solver->solve(problem, trace), std::domain_error);
      CHECK_THROWS_WITH(solver->solve(problem, trace),
                        Catch::Matchers::StartsWith("test model failure at t = "));
      // The solver is still usable after the failure.
      problem.p[DecayModel::fail_after] = 1e300;
      testing::Trace again;
      CHECK_NOTHROW(solver->solve(problem, again));
      CHECK(again.t_finish == 5.0);
    }
  }
}

TEST_CASE("the step budget gives TooMuchWorkError", "[contract]") {
  DecayModel model;
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      Problem problem = testing::make_problem(model, 0.0, 1000.0);
      SolverOptions options;
      options.max_steps = 5;
      testing::Trace trace;
      CHECK_THROWS_AS(make_solver(name, options)->solve(problem, trace), TooMuchWorkError);
    }
  }
}

TEST_CASE("a NaN derivative gives NonFiniteStateError", "[contract]") {
  DecayModel model;
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      Problem problem = testing::make_problem(model, 0.0, 5.0);
      problem.p[DecayModel::nan_after] = 1.0;
      testing::Trace trace;
      try {
        make_solver(name, SolverOptions{})->solve(problem, trace);
        FAIL("expected NonFiniteStateError");
      } catch (const NonFiniteStateError& e) {
        CHECK(e.time() >= 1.0);
        CHECK(e.time() <= 5.0);
      }
    }
  }
}

namespace {
/// Checks y >= 0 at both ends of every step and at every output.
struct PositivityCheck final : Observer {
  double min_seen = INFINITY;
  void on_start(double, std::span<const double> y, std::span<const double>) override {
    min_seen = std::min(min_seen, y[0]);
  }
  void on_segment(const Segment& s) override {
    double y = 0.0;
    s.solution->at(s.t_end, {&y, 1});
    min_seen = std::min(min_seen, y);
  }
  void on_event(double, const std::string&, std::span<const double>,
                std::span<const double>) override {}
  void on_finish(double, std::span<const double> y, std::span<const double>) override {
    min_seen = std::min(min_seen, y[0]);
  }
};
}  // namespace

TEST_CASE("non-negative states never go negative, even at loose tolerance", "[contract]") {
  // Fast decay (k = 50 /d) at rtol = atol = 1e-2: an unguarded explicit step overshoots below 0.
  DecayModel model;
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      Problem problem = testing::make_problem(model, 0.0, 20.0);
      problem.p[DecayModel::k] = 50.0;
      SolverOptions options;
      options.rtol = 1e-2;
      options.atol = 1e-2;
      PositivityCheck check;
      make_solver(name, options)->solve(problem, check);
      CHECK(check.min_seen >= 0.0);
    }
  }
}

TEST_CASE("unknown solver names and bad options are rejected", "[contract]") {
  CHECK_THROWS_WITH(make_solver("cvode_bfd", SolverOptions{}),
                    Catch::Matchers::Contains("did you mean 'cvode_bdf'"));
  SolverOptions bad;
  bad.rtol = 2.0;
  CHECK_THROWS_AS(make_solver("cvode_bdf", bad), Error);
}
