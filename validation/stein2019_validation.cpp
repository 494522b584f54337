// Validation of stein2019 against the values derived from Stein 2019 Table 1.
//
// Every figure is measured on the simulated trajectory (not read off the parameters): the initial
// level at t = 0, the expansion rate and doubling time from the log-slope over the expansion phase,
// the contraction half-life from E over days 12-20, the persistence half-life from M over days
// 200-365 (where E has vanished), and AUC(0-28) from the run's metric. Each is printed beside its
// target and source and must lie within the reference file's relative tolerance (1 %).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <iostream>
#include <string>

#include "cartsim/models/registry.hpp"
#include "cartsim/simulation/runner.hpp"

#ifndef CARTSIM_VALIDATION_DIR
#error "CARTSIM_VALIDATION_DIR must be defined"
#endif

using namespace cartsim;

int main() {
  const YAML::Node ref =
      YAML::LoadFile(std::string(CARTSIM_VALIDATION_DIR) + "/reference/stein2019_typical_patient.yaml");
  const double tolerance = ref["tolerance_relative"].as<double>();
  const auto targets = ref["targets"];

  // Solve the typical patient, 0-365 d, with the outputs the measurements need.
  Scenario scenario;
  scenario.file = "<validation>";
  scenario.name = "stein2019_validation";
  scenario.model = "stein2019";
  scenario.t_start = 0.0;
  scenario.t_end = 365.0;
  scenario.solver.name = "cvode_bdf";
  scenario.solver.options.rtol = 1e-10;
  scenario.solver.options.atol = 1e-12;
  scenario.outputs.times = {0.0, 4.0, 9.3, 12.0, 20.0, 200.0, 365.0};
  const auto model = get_model("stein2019");
  scenario.outputs.metrics = model->info().metrics;
  const RunPlan plan = make_plan(scenario);
  Simulator simulator(plan, 0);
  const SampleResult r = simulator.run(0);
  if (!r.ok) {
    std::cerr << "stein2019 solve failed: " << r.message << '\n';
    return 1;
  }
  // Columns: E, M, C (states then observables); rows: the output times above.
  auto value = [&](int row, int column) { return r.series(row, column); };
  const double c0 = value(0, 2);
  const double rho = std::log(value(2, 2) / value(1, 2)) / (9.3 - 4.0);
  const double alpha = -std::log(value(4, 0) / value(3, 0)) / (20.0 - 12.0);
  const double beta = -std::log(value(6, 1) / value(5, 1)) / (365.0 - 200.0);
  const double auc = r.metrics[2];  // AUC_0_28

  struct Figure {
    const char* key;
    double measured;
  };
  const Figure figures[] = {
      {"initial_level", c0},
      {"expansion_rate_per_day", rho},
      {"doubling_time_days", std::log(2.0) / rho},
      {"contraction_half_life_days", std::log(2.0) / alpha},
      {"persistence_half_life_days", std::log(2.0) / beta},
      {"auc_0_28", auc},
  };
  std::cout << "stein2019 typical patient vs " << ref["source"].as<std::string>() << "\n";
  std::cout << fmt::format("{:<28} {:>14} {:>14} {:>9}  {}\n", "figure", "cartsim", "target",
                           "rel.err", "result (tolerance " + fmt::format("{:g}", tolerance) + ")");
  int failures = 0;
  for (const auto& f : figures) {
    const double target = targets[f.key]["value"].as<double>();
    const std::string unit = targets[f.key]["unit"].as<std::string>();
    const double error = std::abs(f.measured / target - 1.0);
    const bool ok = error <= tolerance;
    failures += ok ? 0 : 1;
    std::cout << fmt::format("{:<28} {:>14.6g} {:>14.6g} {:>8.3f}%  {} [{}]\n", f.key, f.measured,
                             target, 100 * error, ok ? "PASS" : "FAIL", unit);
  }
  std::cout << fmt::format("{} passed, {} failed\n", std::size(figures) - failures, failures);
  return failures == 0 ? 0 : 1;
}
