// Events through every backend: order of simultaneous actions, output semantics at event times,
// state-event timing against analytic crossings, repeated and one-shot events, stop.
#include <catch2/catch.hpp>
#include <cmath>

#include "cartsim/models/logistic.hpp"
#include "support.hpp"

using namespace cartsim;
using cartsim::testing::all_solvers;
using cartsim::testing::DecayModel;

namespace {
SolverOptions tight() {
  SolverOptions o;
  o.rtol = 1e-10;
  o.atol = 1e-12;
  return o;
}
EventAction set_y(double value) {
  return [value](EventContext& ctx) { ctx.y[0] = value; };
}
}  // namespace

TEST_CASE("simultaneous scheduled events fire in the order written", "[events]") {
  DecayModel model;
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      Problem problem = testing::make_problem(model, 0.0, 2.0);
      problem.p[DecayModel::k] = 0.0;  // y stays where the events put it
      problem.events.scheduled = {{1.0, "first", set_y(5.0)}, {1.0, "second", set_y(7.0)}};
      auto recorder = testing::state_recorder(model, {0.0, 1.0, 2.0});
      testing::Trace trace;
      testing::Both both(recorder, trace);
      make_solver(name, tight())->solve(problem, both);
      REQUIRE(trace.events.size() == 2);
      CHECK(trace.events[0].label == "first");
      CHECK(trace.events[1].label == "second");
      CHECK(recorder.values()(1, 0) == 7.0);  // output at t = 1 is after both events

      std::swap(problem.events.scheduled[0], problem.events.scheduled[1]);
      auto swapped = testing::state_recorder(model, {0.0, 1.0, 2.0});
      make_solver(name, tight())->solve(problem, swapped);
      CHECK(swapped.values()(1, 0) == 5.0);
      CHECK(swapped.values()(2, 0) == 5.0);
    }
  }
}

TEST_CASE("a dose mid-run matches the piecewise exact solution", "[events]") {
  DecayModel model;  // y' = -k y, k = 0.1 /d
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      Problem problem = testing::make_problem(model, 0.0, 10.0);
      problem.p[DecayModel::k] = 0.1;
      problem.events.scheduled = {{2.0, "dose", [](EventContext& c) { c.y[0] += 1.0; }}};
      auto recorder = testing::state_recorder(model, testing::grid(0.0, 10.0, 0.5));
      make_solver(name, tight())->solve(problem, recorder);
      for (std::size_t i = 0; i < recorder.rows(); ++i) {
        const double t = recorder.times()[i];
        const double exact =
            t < 2.0 ? std::exp(-0.1 * t) : (std::exp(-0.2) + 1.0) * std::exp(-0.1 * (t - 2.0));
        INFO("t = " << t);
        // 200 x rtol, as in test_solvers_analytic.cpp.
        CHECK_THAT(recorder.values()(static_cast<Eigen::Index>(i), 0),
                   Catch::Matchers::WithinRel(exact, 200 * tight().rtol));
      }
    }
  }
}

TEST_CASE("a state event fires at the analytic crossing time", "[events][roots]") {
  // Logistic growth crosses K/2 at t_half = ln((K - N0)/N0)/r; the issue asks for 1e-6 relative.
  const models::Logistic model;
  for (const auto& name : all_solvers()) {
    for (const bool via_observable : {false, true}) {
      SECTION(name + (via_observable ? " (observable)" : " (state)")) {
        Problem problem = testing::make_problem(model, 0.0, 60.0);
        const double r = problem.p[models::Logistic::r];
        const double k = problem.p[models::Logistic::K];
        const double n0 = problem.p[models::Logistic::N0];
        const double t_half = std::log((k - n0) / n0) / r;
        double fired_at = NAN;
        StateEvent e;
        e.label = "half capacity";
        e.direction = Crossing::rising;
        if (via_observable) {
          e.condition = [](double, std::span<const double> y, std::span<const double> p) {
            return y[0] / p[models::Logistic::K] - 0.5;
          };
        } else {
          e.condition = [k](double, std::span<const double> y, std::span<const double>) {
            return y[0] - k / 2;
          };
        }
        e.action = [&fired_at](EventContext& ctx) { fired_at = ctx.t; };
        problem.events.state.push_back(e);
        testing::Trace trace;
        SolverOptions options;  // default tolerances: event location is independent of them
        options.rtol = 1e-8;
        options.atol = 1e-6;
        make_solver(name, options)->solve(problem, trace);
        INFO(name << ": fired at " << fired_at << ", exact " << t_half);
        CHECK_THAT(fired_at, Catch::Matchers::WithinRel(t_half, 1e-6));
        CHECK(trace.events.size() == 1);
      }
    }
  }
}

TEST_CASE("repeated and one-shot state events", "[events][roots]") {
  // y' = -y from 1; each time y falls to 0.5 the action adds 0.5, so it fires at n ln 2, n >= 1.
  DecayModel model;
  for (const auto& name : all_solvers()) {
    for (const bool repeat : {true, false}) {
      SECTION(name + (repeat ? " repeat" : " once")) {
        Problem problem = testing::make_problem(model, 0.0, 10.0);
        StateEvent e;
        e.label = "top up";
        e.direction = Crossing::falling;
        e.repeat = repeat;
        e.condition = [](double, std::span<const double> y, std::span<const double>) {
          return y[0] - 0.5;
        };
        e.action = [](EventContext& ctx) { ctx.y[0] += 0.5; };
        problem.events.state.push_back(e);
        testing::Trace trace;
        make_solver(name, tight())->solve(problem, trace);
        const std::size_t expected = repeat ? 14 : 1;  // 14 ln2 = 9.70 < 10 < 15 ln2
        REQUIRE(trace.events.size() == expected);
        for (std::size_t i = 0; i < trace.events.size(); ++i) {
          CHECK_THAT(trace.events[i].t,
                     Catch::Matchers::WithinRel(static_cast<double>(i + 1) * std::log(2.0), 1e-6));
        }
      }
    }
  }
}

TEST_CASE("a stop action ends the run and the output", "[events]") {
  DecayModel model;
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      Problem problem = testing::make_problem(model, 0.0, 10.0);
      problem.events.scheduled = {{5.0, "stop", [](EventContext& c) { c.stop = true; }}};
      auto recorder = testing::state_recorder(model, testing::grid(0.0, 10.0, 1.0));
      const SolveStats stats = make_solver(name, tight())->solve(problem, recorder);
      CHECK(stats.stopped);
      CHECK(stats.t_final == 5.0);
      CHECK(recorder.rows() == 6);  // t = 0..5
      CHECK_THAT(recorder.values()(5, 0), Catch::Matchers::WithinRel(std::exp(-5.0), 1e-7));
    }
  }
}

TEST_CASE("segments tile the run without gaps or overlaps", "[events][observer]") {
  DecayModel model;
  for (const auto& name : all_solvers()) {
    SECTION(name) {
      Problem problem = testing::make_problem(model, 0.0, 10.0);
      problem.events.scheduled = {{3.0, "a", set_y(2.0)}, {7.5, "b", set_y(1.0)}};
      testing::Trace trace;
      make_solver(name, SolverOptions{})->solve(problem, trace);
      REQUIRE_FALSE(trace.segments.empty());
      CHECK(trace.segments.front().first == 0.0);
      CHECK(trace.segments.back().second == 10.0);
      for (std::size_t i = 1; i < trace.segments.size(); ++i) {
        CHECK(trace.segments[i].first == trace.segments[i - 1].second);
        CHECK(trace.segments[i].second >= trace.segments[i].first);
      }
      CHECK(trace.t_finish == 10.0);
    }
  }
}
