// Runs a logistic-growth scenario through the installed cartsim libraries and checks N(5) against
// the exact solution N(t) = K / (1 + (K / N0 - 1) exp(-r t)); exit 0 when it agrees to 1e-5.
#include <cmath>
#include <cstdio>

#include "cartsim/models/registry.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/version.hpp"

int main() {
  const std::string text =
      "cartsim: 1\n"
      "model: logistic\n"
      "parameters: {r: 0.8, K: 1.0e9, N0: 1.0e6}\n"
      "outputs: {times: [0, 5], variables: [N]}\n";
  const cartsim::Scenario scenario = cartsim::parse_scenario(text, "consumer.yaml");
  const cartsim::RunPlan plan = cartsim::make_plan(scenario);
  cartsim::Simulator simulator(plan, 1);
  const cartsim::SampleResult result = simulator.run(0);
  const double exact = 1.0e9 / (1.0 + (1.0e9 / 1.0e6 - 1.0) * std::exp(-0.8 * 5.0));
  const double got = result.series(1, 0);
  const double error = std::abs(got - exact) / exact;
  std::printf("cartsim %s: N(5) = %.9g, exact %.9g, relative error %.2e\n",
              cartsim::version_string, got, exact, error);
  return result.ok && error < 1e-5 ? 0 : 1;
}
