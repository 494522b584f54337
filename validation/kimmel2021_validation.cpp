// Validation of kimmel2021 against the ZUMA-1 CAR+ counts the paper reports (Kimmel 2021, 3(d)).
//
// The typical patient (Table 1 defaults) is solved deterministically (hybrid = 0: the CAR-T and
// normal T-cell equations do not depend on the tumour, so the stochastic tumour cannot change these
// figures) with tight tolerances. The whole-body CAR-T count C becomes a blood count through the
// model's observable C_blood = C x 0.01 / 5e6 uL (the authors' conversion). Each day-7, -14 and -28
// value is printed beside the published median and interquartile range and must lie inside the IQR.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <iostream>
#include <string>

#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"

#ifndef CARTSIM_VALIDATION_DIR
#error "CARTSIM_VALIDATION_DIR must be defined"
#endif

using namespace cartsim;

int main() {
  const YAML::Node ref =
      YAML::LoadFile(std::string(CARTSIM_VALIDATION_DIR) + "/reference/kimmel2021_zuma1.yaml");
  const auto targets = ref["targets"];
  const char* keys[] = {"day_7", "day_14", "day_28"};

  const Scenario scenario = parse_scenario(
      "model: kimmel2021\n"
      "parameters: {hybrid: 0}\n"
      "solver: {name: cvode_bdf, rtol: 1.0e-10, atol: 1.0e-6}\n"
      "outputs:\n  times: [0, 7, 14, 28]\n  variables: [C_blood]\n"
      "  metrics: [car_peak_blood, t_car_peak]\n",
      "<kimmel2021 validation>");
  const RunPlan plan = make_plan(scenario);
  Simulator simulator(plan, 0);
  const SampleResult r = simulator.run(0);
  if (!r.ok) {
    std::cerr << "kimmel2021 solve failed: " << r.message << '\n';
    return 1;
  }
  std::cout << "kimmel2021 typical patient (Table 1) vs " << ref["source"].as<std::string>()
            << "\n";
  std::cout << fmt::format(
      "blood count = whole-body C x 0.01 / 5e6 uL; C_blood(0) = {:.4g} "
      "cells/uL (paper: 0.36); peak {:.4g} cells/uL at day {:.3g}\n",
      r.series(0, 0), r.metrics[0], r.metrics[1]);
  std::cout << fmt::format("{:<8} {:>14} {:>10} {:>18}  {}\n", "figure", "cartsim", "median", "IQR",
                           "result (inside IQR) [cells/uL]");
  int failures = 0;
  int row = 1;
  for (const char* key : keys) {
    const auto t = targets[key];
    const double model = r.series(row++, 0);
    const double lo = t["iqr"][0].as<double>();
    const double hi = t["iqr"][1].as<double>();
    const bool ok = model >= lo && model <= hi;
    failures += ok ? 0 : 1;
    std::cout << fmt::format("{:<8} {:>14.4g} {:>10.4g} {:>18}  {} (n = {})\n", key, model,
                             t["median"].as<double>(), fmt::format("[{:g}, {:g}]", lo, hi),
                             ok ? "PASS" : "FAIL", t["n"].as<int>());
  }
  std::cout << fmt::format("{} passed, {} failed\n", std::size(keys) - failures, failures);
  return failures == 0 ? 0 : 1;
}
