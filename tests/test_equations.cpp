// Models written by users (equations/): compiled programs against hand-computed values and exact
// solutions, the Jacobian against differences, events, NaN failures, and every check at load with
// its location inside the expression.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/random.hpp"
#include "cartsim/equations/equation_model.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "support.hpp"

using cartsim::ConfigError;
using cartsim::parse_scenario;
using cartsim::Scenario;

namespace {

/// A scenario around `model` (the YAML of the `model:` map, indented by two spaces).
std::string scenario_with(const std::string& model, const std::string& rest = "") {
  return "model:\n" + model + "outputs:\n  times: {from: 0, to: 10, step: 1}\n" + rest;
}

const std::string logistic_model =
    "  name: logistic_user\n"
    "  states:\n"
    "    x: {initial: x0, unit: cells}\n"
    "  parameters:\n"
    "    r: {value: 0.5, unit: 1/d, range: [0, 10]}\n"
    "    K: {value: 100, unit: cells, range: [1, 1e9]}\n"
    "    x0: {value: 5, unit: cells}\n"
    "  equations:\n"
    "    x: r * x * (1 - x / K)\n";

/// The error a scenario raises: message and location.
ConfigError error_of(const std::string& text) {
  try {
    parse_scenario(text, "model.yaml");
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError for:\n" << text);
  throw std::logic_error("unreachable");
}

void check_error(const std::string& text, int line, int column, const std::string& message) {
  const ConfigError e = error_of(text);
  INFO(e.what());
  CHECK(e.where().line == line);
  CHECK(e.where().column == column);
  CHECK_THAT(e.message(), Catch::Matchers::Contains(message));
}

cartsim::SampleResult run(const std::string& text) {
  const Scenario s = parse_scenario(text, "model.yaml");
  const cartsim::RunPlan plan = cartsim::make_plan(s);
  cartsim::Simulator sim(plan, s.seed);
  return sim.run(0);
}

}  // namespace

TEST_CASE("a logistic model written in YAML follows the exact solution on every solver",
          "[equations]") {
  for (const auto& solver : cartsim::testing::all_solvers()) {
    INFO(solver);
    const std::string text =
        scenario_with(logistic_model, "solver: {name: " + solver + ", rtol: 1e-9, atol: 1e-9}\n");
    const auto result = run(text);
    REQUIRE(result.ok);
    for (Eigen::Index i = 0; i < result.series.rows(); ++i) {
      const double t = static_cast<double>(i);
      const double exact = 100.0 / (1.0 + (100.0 / 5.0 - 1.0) * std::exp(-0.5 * t));
      // rtol 1e-9: the global error of a 10-day solve stays within 1e-6 relative.
      CHECK_THAT(result.series(i, 0), Catch::Matchers::WithinRel(exact, 1e-6));
    }
  }
}

TEST_CASE("the compiled right-hand side, Jacobian and observables give hand-computed values",
          "[equations]") {
  const std::string text = scenario_with(
      "  check_units: false\n"
      "  states:\n"
      "    u: 2\n"
      "    v: {initial: 2 * u + k, unit: '1', nonnegative: false}\n"
      "  parameters:\n"
      "    k: 3\n"
      "    m: {value: 0.5, range: [0.1, 1]}\n"
      "  functions:\n"
      "    hill(s, h, n): s^n / (h^n + s^n)\n"
      "  observables:\n"
      "    w: u * v + log(k)\n"
      "    z: {expression: 'hill(u, 1, 2) + w', unit: '1'}\n"
      "  equations:\n"
      "    u: -k * u + sin(v) / m\n"
      "    v: \"piecewise(u^2, u > 1, -u, 0) + max(u, v) * t\"\n");
  const Scenario s = parse_scenario(text, "<memory>");
  const auto& model = *s.bound_model->as_ode();
  REQUIRE(model.num_states() == 2);
  std::vector<double> p(model.num_parameters());
  for (std::size_t j = 0; j < p.size(); ++j) {
    p[j] = model.info().parameters[j].default_value;
  }
  model.derive_parameters(p);
  std::vector<double> y0(2);
  model.initial_state(p, y0);
  CHECK(y0[0] == 2.0);
  CHECK(y0[1] == 7.0);  // 2 u + k with u = 2: initial values may use other states'

  const std::vector<double> y = {1.5, -0.25};
  const double t = 2.0;
  std::vector<double> dydt(2);
  model.rhs(t, y, p, dydt);
  CHECK(dydt[0] == -3.0 * 1.5 + std::sin(-0.25) / 0.5);
  CHECK(dydt[1] == 1.5 * 1.5 + std::max(1.5, -0.25) * t);
  std::vector<double> obs(2);
  model.observables(t, y, p, obs);
  CHECK(obs[0] == 1.5 * -0.25 + std::log(3.0));
  CHECK(obs[1] == std::pow(1.5, 2.0) / (1.0 + std::pow(1.5, 2.0)) + obs[0]);

  // Jacobian against central differences.
  REQUIRE(model.has_jacobian());
  Eigen::MatrixXd jac = Eigen::MatrixXd::Zero(2, 2);
  model.jacobian(t, y, p, jac);
  for (std::size_t j = 0; j < 2; ++j) {
    std::vector<double> up = y, down = y;
    const double h = 1e-6;
    up[j] += h;
    down[j] -= h;
    std::vector<double> fu(2), fd(2);
    model.rhs(t, up, p, fu);
    model.rhs(t, down, p, fd);
    for (std::size_t i = 0; i < 2; ++i) {
      INFO("entry " << i << ", " << j);
      // central differences: O(h^2) ~ 1e-12 relative, plus round-off ~ 1e-16 / h = 1e-10.
      CHECK_THAT(jac(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)),
                 Catch::Matchers::WithinAbs((fu[i] - fd[i]) / (2 * h), 1e-8));
    }
  }
}

TEST_CASE("parameter-only values are computed once per run, not at every evaluation",
          "[equations]") {
  const std::string text = scenario_with(
      "  states: {x: 1}\n"
      "  parameters: {a: 2, b: 3}\n"
      "  equations:\n"
      "    x: -exp(a) * log(b) * x\n");
  const Scenario s = parse_scenario(text, "<memory>");
  const auto& model = dynamic_cast<const cartsim::equations::EquationModel&>(*s.bound_model);
  // (-exp(a)) * log(b) is hoisted into one derived parameter: the right-hand side is one
  // multiplication.
  CHECK(model.declared_parameters() == 2);
  CHECK(model.num_parameters() == 3);
  CHECK(model.info().parameters[2].internal);
  CHECK(model.rhs_instructions() == 1);
  std::vector<double> p = {2.0, 3.0, 0.0};
  model.derive_parameters(p);
  CHECK(p[2] == -std::exp(2.0) * std::log(3.0));
  std::vector<double> dydt(1);
  model.rhs(0.0, std::vector<double>{2.0}, p, dydt);
  CHECK(dydt[0] == (-std::exp(2.0) * std::log(3.0)) * 2.0);
}

TEST_CASE("a model's events fire when their trigger becomes true, on every solver", "[equations]") {
  // Exponential growth from 1 at rate 1; whenever x reaches 8 it is halved: x(t) = e^t until
  // t = ln 8, then the sawtooth repeats every ln 2.
  for (const auto& solver : cartsim::testing::all_solvers()) {
    INFO(solver);
    const std::string text = scenario_with(
        "  states: {x: 1, n: {initial: 0, unit: '1'}}\n"
        "  parameters: {level: 8}\n"
        "  equations: {x: x, n: 0}\n"
        "  events:\n"
        "    - {name: halve, when: x >= level, assign: {x: x / 2, n: n + 1}}\n",
        "solver: {name: " + solver + ", rtol: 1e-10, atol: 1e-10}\n");
    const auto result = run(text);
    REQUIRE(result.ok);
    // At t = 10: fired at ln 8 + k ln 2 <= 10, i.e. k = 0..11 (12 halvings).
    const double fires = std::floor((10.0 - std::log(8.0)) / std::log(2.0)) + 1.0;
    CHECK(result.series(10, 1) == fires);
    const double since = 10.0 - std::log(8.0) - (fires - 1.0) * std::log(2.0);
    CHECK_THAT(result.series(10, 0), Catch::Matchers::WithinRel(4.0 * std::exp(since), 1e-6));
  }
}

TEST_CASE("an event with at_start fires at the start when its trigger already holds",
          "[equations]") {
  const std::string text = scenario_with(
      "  states: {x: 10}\n"
      "  equations: {x: 0}\n"
      "  events:\n"
      "    - {when: x > 5, at_start: true, assign: {x: x + 1}}\n");
  CHECK(run(text).series(0, 0) == 11.0);
  const std::string without = scenario_with(
      "  states: {x: 10}\n"
      "  equations: {x: 0}\n"
      "  events:\n"
      "    - {when: x > 5, assign: {x: x + 1}}\n");
  CHECK(run(without).series(0, 0) == 10.0);  // already true: no change from false to true
}

TEST_CASE("assignments of an event apply in order; random draws come from the run's stream",
          "[equations]") {
  const std::string text = scenario_with(
      "  states: {x: 0, y: 0, z: 0}\n"
      "  equations: {x: 1, y: 0, z: 0}\n"
      "  events:\n"
      "    - when: x >= 1\n"
      "      repeat: false\n"
      "      let: {u: uniform()}\n"
      "      assign: {y: u, z: y + u}\n",
      "seed: 7\n");
  const auto result = run(text);
  REQUIRE(result.ok);
  cartsim::RandomStream stream(7, 0, 0, cartsim::RandomPurpose::events);
  const double u = stream.uniform();
  CHECK(result.series(2, 1) == u);
  CHECK(result.series(2, 2) == u + u);  // z sees the y written before it
}

TEST_CASE("a NaN derivative fails the run naming the state and the time; a sweep goes on",
          "[equations]") {
  // x falls below 2 at t = ln(5/2) = 0.916: sqrt(x - 2) is NaN from then on.
  const std::string text = scenario_with(
      "  states: {x: 5, y: 0}\n"
      "  parameters: {c: {value: 1, range: [0, 10]}}\n"
      "  equations: {x: -c * x, y: \"c > 0.5 ? sqrt(x - 2) : 0\"}\n",
      "solver: {name: dopri5}\n"
      "sweep:\n"
      "  design: grid\n"
      "  factors:\n"
      "    - {path: parameters.c, values: [1, 0]}\n");
  const Scenario s = parse_scenario(text, "<memory>");
  const cartsim::RunPlan plan = cartsim::make_plan(s);
  cartsim::Simulator sim(plan, 0);
  const std::vector<cartsim::Assignment> one = {
      {cartsim::Assignment::Target::parameter, 0, 0, 1.0}};
  const std::vector<cartsim::Assignment> zero = {
      {cartsim::Assignment::Target::parameter, 0, 0, 0.0}};
  const auto failed = sim.run(0, 0, one);
  CHECK_FALSE(failed.ok);
  CHECK_THAT(failed.message, Catch::Matchers::Contains("equation of state 'y'"));
  CHECK_THAT(failed.message, Catch::Matchers::Contains("gave NaN at t = 0.9"));
  CHECK_THAT(failed.message, Catch::Matchers::Contains("(state: x = 1.9"));
  const auto ok = sim.run(1, 0, zero);
  CHECK(ok.ok);
}

// ---------------------------------------------------------------------------------------------
// Bad models: each error names the line and column, inside the expression where there is one.

TEST_CASE("unknown names and syntax errors point into the expression", "[equations]") {
  // line 8 is "    x: r * x * (1 - x / cpa)"; cpa starts at column 25.
  std::string text = scenario_with(
      "  states:\n"
      "    x: {initial: 1}\n"
      "  parameters:\n"
      "    r: 0.5\n"
      "    cap: 100\n"
      "  equations:\n"
      "    x: r * x * (1 - x / cpa)\n");
  check_error(text, 8, 25, "unknown name 'cpa'; did you mean 'cap'?");
  // In a quoted scalar the quote is skipped.
  text = scenario_with(
      "  states: {x: 1}\n"
      "  equations:\n"
      "    x: \"2 * (x + \"\n");
  check_error(text, 4, 18, "unexpected end of expression");  // just after the last character
  // A multi-line (folded) scalar: the error is on its second line.
  text = scenario_with(
      "  states: {x: 1}\n"
      "  equations:\n"
      "    x: >\n"
      "      2 * x\n"
      "      + y\n");
  check_error(text, 6, 9, "unknown name 'y'");
}

TEST_CASE("structural errors of a model are located", "[equations]") {
  check_error(scenario_with("  states: {x: 1, y: 1}\n"
                            "  equations: {x: 0}\n"),
              2, 18, "state 'y' has no equation");
  check_error(scenario_with("  states: {x: 1}\n"
                            "  equations:\n"
                            "    x: 0\n"
                            "    x: 1\n"),
              5, 5, "duplicate key 'x'");
  check_error(scenario_with("  states: {x: 1}\n"
                            "  parameters: {k: 1}\n"
                            "  equations: {x: 0, k: 1}\n"),
              4, 21, "'k' is a parameter; only states have equations");
  check_error(scenario_with("  states: {x: 1}\n"
                            "  parameters: {x: 1}\n"
                            "  equations: {x: 0}\n"),
              3, 16, "'x' is defined twice");
  check_error(scenario_with("  states: {x: 1}\n"
                            "  observables:\n"
                            "    a: b + 1\n"
                            "    b: 2 * a\n"
                            "  equations: {x: a}\n"),
              5, 12, "cycle: a -> b -> a");
  check_error(scenario_with("  states: {t: 1}\n"
                            "  equations: {t: 0}\n"),
              2, 12, "'t' is reserved");
  check_error(scenario_with("  states: {x: 1}\n"
                            "  parameters: {k: {value: 5, range: [0, 1]}}\n"
                            "  equations: {x: k}\n"),
              3, 27, "value 5 is outside the range [0, 1]");
}

TEST_CASE("a division by parameters that may be 0 is refused at the division", "[equations]") {
  check_error(scenario_with("  states: {x: 1}\n"
                            "  parameters: {K: {value: 5, range: [0, 10]}}\n"
                            "  equations: {x: x / K}\n"),
              4, 20,
              "division by 'K', which may be 0 within the parameters' ranges (K in [0, 10])");
  check_error(scenario_with("  states: {x: 1}\n"
                            "  parameters: {a: {value: 5, range: [-1, 10]}, b: 1}\n"
                            "  equations: {x: x / (a + b)}\n"),
              4, 20, "division by 'a + b'");
  // Ranges that exclude 0 (or an omitted range: a positive value stays positive) are fine, and
  // so is a divisor that depends on a state.
  CHECK_NOTHROW(
      parse_scenario(scenario_with("  states: {x: 1}\n"
                                   "  parameters: {K: 5, a: {value: 1, range: [0.5, 2]}}\n"
                                   "  equations: {x: x / K + x / (a - 0.25) + 1 / x}\n"),
                     "<memory>"));
}

TEST_CASE("event errors are located", "[equations]") {
  check_error(scenario_with("  states: {x: 1}\n"
                            "  observables: {o: 2 * x}\n"
                            "  equations: {x: 0}\n"
                            "  events:\n"
                            "    - {when: x > 2, assign: {o: 1}}\n"),
              6, 30, "an event assigns states and parameters; 'o' is an observable");
  check_error(scenario_with("  states: {x: 1}\n"
                            "  equations: {x: uniform()}\n"),
              3, 18, "random draws are allowed only in the assignments of a model's events");
  check_error(scenario_with("  states: {x: 1}\n"
                            "  equations: {x: 0}\n"
                            "  events:\n"
                            "    - {when: x > 2, assign: {y: 1}}\n"),
              5, 30, "unknown state or parameter 'y'");
}

TEST_CASE("units that do not combine are refused where they meet", "[equations]") {
  // Adding a rate to a count.
  check_error(scenario_with("  states: {x: {initial: 1, unit: cells}}\n"
                            "  parameters: {k: {value: 1, unit: 1/d}}\n"
                            "  equations: {x: k * x + k}\n"),
              4, 24, "'k * x' is in cell*s^-1 and 'k' in s^-1");
  // A rate per hour where cartsim's time is in days: the right dimension, 24 times off.
  check_error(scenario_with("  states: {A: {initial: 100, unit: mg}}\n"
                            "  parameters: {k: {value: 0.1, unit: 1/h}}\n"
                            "  equations: {A: -k * A}\n"),
              4, 18, "has the right dimension but is 24 times mg/d");
  // A bare number may be the conversion: 24 h/d.
  CHECK_NOTHROW(parse_scenario(scenario_with("  states: {A: {initial: 100, unit: mg}}\n"
                                             "  parameters: {k: {value: 0.1, unit: 1/h}}\n"
                                             "  equations: {A: -24 * k * A}\n"),
                               "<memory>"));
  // Units flow through observables; mg/L from mg and L is ug/mL; mL and L are one dimension.
  check_error(scenario_with("  states: {A: {initial: 100, unit: mg}}\n"
                            "  parameters: {V: {value: 5, unit: L}, Vmax: {value: 1, unit: mg/d}}\n"
                            "  observables: {C: A / V}\n"
                            "  equations: {A: -Vmax * C}\n"),
              5, 18, "d(A)/dt is in");
  CHECK_NOTHROW(parse_scenario(
      scenario_with("  states: {A: {initial: 100, unit: mg}}\n"
                    "  parameters: {V: {value: 5, unit: L}, CL: {value: 1, unit: mL/d}}\n"
                    "  observables: {C: {expression: A / V, unit: ug/mL}}\n"
                    "  equations: {A: -CL * C * 1000}\n"),
      "<memory>"));
  // Off, the same model loads.
  CHECK_NOTHROW(parse_scenario(scenario_with("  check_units: false\n"
                                             "  states: {x: {initial: 1, unit: cells}}\n"
                                             "  parameters: {k: {value: 1, unit: 1/d}}\n"
                                             "  equations: {x: k * x + k}\n"),
                               "<memory>"));
}
