// scenarios/models/kimmel2021.yaml, kimmel2021 written in cartsim's model language, against the
// built-in C++ model: the same right-hand side bitwise, the same trajectories on every explicit
// solver bitwise, the same Jacobian, and the same hybrid outcomes for the same seed.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "cartsim/equations/equation_model.hpp"
#include "cartsim/models/kimmel2021.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "support.hpp"

using cartsim::parse_scenario;
using cartsim::Scenario;

namespace {

const std::string model_file =
    std::string(CARTSIM_SOURCE_DIR) + "/scenarios/models/kimmel2021.yaml";

std::string scenario(const std::string& model, const std::string& rest) {
  return "model: " + model + "\n" + rest;
}

std::string yaml_model() {
  return "{file: " + model_file + "}";
}

cartsim::SampleResult run(const std::string& text, std::size_t sample = 0) {
  const Scenario s = parse_scenario(text, "kimmel.yaml");
  const cartsim::RunPlan plan = cartsim::make_plan(s);
  cartsim::Simulator sim(plan, s.seed);
  return sim.run(sample);
}

}  // namespace

TEST_CASE("kimmel2021.yaml: the right-hand side equals the built-in model's bitwise",
          "[equations][kimmel2021]") {
  const Scenario s = parse_scenario(scenario(yaml_model(), "outputs: {times: [0, 1]}\n"), "k.yaml");
  const auto& yaml = *s.bound_model->as_ode();
  const cartsim::models::Kimmel2021 builtin;
  // Parameters: the YAML model declares the built-in's in the same order, then its own derived
  // values; states N, C, B, H in the same order.
  REQUIRE(yaml.num_states() == builtin.num_states());
  for (std::size_t j = 0; j < 19; ++j) {
    CHECK(yaml.info().parameters[j].name == builtin.info().parameters[j].name);
    CHECK(yaml.info().parameters[j].default_value == builtin.info().parameters[j].default_value);
  }
  std::vector<double> py(yaml.num_parameters());
  std::vector<double> pb(builtin.num_parameters());
  for (std::size_t j = 0; j < py.size(); ++j) {
    py[j] = yaml.info().parameters[j].default_value;
  }
  for (std::size_t j = 0; j < pb.size(); ++j) {
    pb[j] = builtin.info().parameters[j].default_value;
  }
  const std::vector<std::vector<double>> states = {{3e9, 1.8e8, 9.486e10, 0.0},
                                                   {2.4e11, 3e10, 50.0, 0.3},
                                                   {1e6, 1e11, 0.0, 0.0},
                                                   {0, 0, 1e3, 0}};
  for (const double mode : {0.0, 1.0}) {
    py[cartsim::models::Kimmel2021::mode] = mode;
    pb[cartsim::models::Kimmel2021::mode] = mode;
    yaml.derive_parameters(py);
    builtin.derive_parameters(pb);
    for (const auto& y : states) {
      std::vector<double> a(4), b(4);
      yaml.rhs(2.0, y, py, a);
      builtin.rhs(2.0, y, pb, b);
      for (std::size_t i = 0; i < 4; ++i) {
        INFO("mode " << mode << ", state " << i << ", N = " << y[0]);
        CHECK(a[i] == b[i]);
      }
      Eigen::MatrixXd ja = Eigen::MatrixXd::Zero(4, 4);
      Eigen::MatrixXd jb = Eigen::MatrixXd::Zero(4, 4);
      yaml.jacobian(2.0, y, py, ja);
      builtin.jacobian(2.0, y, pb, jb);
      for (Eigen::Index i = 0; i < 4; ++i) {
        for (Eigen::Index j = 0; j < 4; ++j) {
          // Both are exact derivatives written differently (ln(K/T) vs ln K - ln T): equal to
          // round-off relative to the row's largest entry.
          const double scale = std::max(1.0, jb.row(i).cwiseAbs().maxCoeff());
          CHECK_THAT(ja(i, j), Catch::Matchers::WithinAbs(jb(i, j), 1e-12 * scale));
        }
      }
    }
  }
}

TEST_CASE("kimmel2021.yaml: deterministic trajectories equal the built-in model's bitwise",
          "[equations][kimmel2021]") {
  for (const char* solver : {"dopri5", "tsit5", "odeint_dopri5"}) {
    INFO(solver);
    const std::string rest = std::string("parameters: {hybrid: 0, rb: 0.2}\n") +
                             "solver: {name: " + solver + "}\n" +
                             "outputs: {times: {from: 0, to: 365, step: 1}, variables: [N, C, B, "
                             "C_blood], metrics: [car_peak, tumour_min]}\n";
    const auto a = run(scenario(yaml_model(), rest));
    const auto b = run(scenario("kimmel2021", rest));
    REQUIRE(a.ok);
    REQUIRE(b.ok);
    CHECK(a.stats.steps == b.stats.steps);
    CHECK(a.series == b.series);
    CHECK(a.metrics == b.metrics);
  }
}

TEST_CASE("kimmel2021.yaml: hybrid runs end as the built-in model's for the same seed",
          "[equations][kimmel2021]") {
  // The events draw the same numbers in the same order; the event times agree to the root
  // finder's tolerance, so the integer tumour and the outcome are the same.
  int extinct = 0;
  for (int seed = 1; seed <= 12; ++seed) {
    const std::string rest = "seed: " + std::to_string(seed) +
                             "\noutputs: {times: {from: 0, to: 365, step: 1}, variables: [B], "
                             "metrics: [extinct, tumour_final, t_tumour_below]}\n";
    const auto a = run(scenario(yaml_model(), rest));
    const auto b = run(scenario("kimmel2021", rest));
    REQUIRE(a.ok);
    REQUIRE(b.ok);
    INFO("seed " << seed);
    CHECK(a.metrics[0] == b.metrics[0]);
    CHECK(a.metrics[1] == b.metrics[1]);
    CHECK_THAT(a.metrics[2], Catch::Matchers::WithinRel(b.metrics[2], 1e-9));
    CHECK(a.stats.events_fired == b.stats.events_fired);
    extinct += a.metrics[0] > 0.5 ? 1 : 0;
  }
  CHECK(extinct > 0);  // the comparison covers cures, not only regrowth
}
