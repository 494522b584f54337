// Validation of leon_triana2021 (reduced model).
//
// (1) The 60-day trajectory from cartsim (CVODE BDF, tight tolerances) against an independent
//     solution: the equations re-typed here and integrated with classical RK4 at a fixed step of
//     1e-4 d. The RK4 error is estimated by Richardson extrapolation (the same run at h/2; RK4's
//     error falls 16-fold) and must be far below the 1e-6 relative tolerance of the comparison.
// (2) The paper's qualitative claim that the outcome hardly depends on the dose: a loop over doses
//     1e5-1e9 CAR-T cells prints C_max, its time, the leukaemic nadir and L(60 d) per dose, and
//     checks C_max against the dose-free formula C(0) + (L(0) + B(0))/4, the spread of C_max over
//     the doses, and that every dose reduces the leukaemic load by 4 logs.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"

#ifndef CARTSIM_VALIDATION_DIR
#error "CARTSIM_VALIDATION_DIR must be defined"
#endif

using namespace cartsim;

namespace {
using State = std::array<double, 3>;  // C, L, B

struct Reduced {
  double alpha, rho_c, tau_c, rho_l, tau_b;
  State operator()(const State& y) const {
    const double c = y[0], l = y[1], b = y[2];
    return {rho_c * (l + b) * c - c / tau_c, rho_l * l - alpha * l * c, -alpha * b * c - b / tau_b};
  }
};

/// Classical RK4 from t = 0 with a fixed step; returns the state at every whole day 0..days.
std::vector<State> rk4_daily(const Reduced& f, State y, int days, int steps_per_day) {
  std::vector<State> out{y};
  const double h = 1.0 / steps_per_day;
  auto axpy = [](const State& a, double s, const State& k) {
    return State{a[0] + s * k[0], a[1] + s * k[1], a[2] + s * k[2]};
  };
  for (int day = 0; day < days; ++day) {
    for (int i = 0; i < steps_per_day; ++i) {
      const State k1 = f(y);
      const State k2 = f(axpy(y, h / 2, k1));
      const State k3 = f(axpy(y, h / 2, k2));
      const State k4 = f(axpy(y, h, k3));
      for (int j = 0; j < 3; ++j) {
        y[j] += h / 6.0 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
      }
    }
    out.push_back(y);
  }
  return out;
}

SampleResult solve(double dose, int days) {
  const Scenario scenario = parse_scenario(
      fmt::format("model: leon_triana2021\nparameters: {{c0: {:.17g}}}\n"
                  "solver: {{name: cvode_bdf, rtol: 1.0e-11, atol: 1.0e-6}}\n"
                  "outputs:\n  times: {{from: 0, to: {}, step: 1}}\n  variables: [C, L, B]\n"
                  "  metrics: [C_max, t_C_max, L_min]\n",
                  dose, days),
      "<leon_triana2021 validation>");
  const RunPlan plan = make_plan(scenario);
  Simulator simulator(plan, 0);
  return simulator.run(0);
}
}  // namespace

int main() {
  const YAML::Node ref = YAML::LoadFile(std::string(CARTSIM_VALIDATION_DIR) +
                                        "/reference/leon_triana2021_reduced.yaml");
  const auto par = ref["parameters"];
  const double alpha = par["alpha"].as<double>();
  const Reduced f{alpha, alpha / 4.0, par["tau_c"].as<double>(),
                  1.0 / par["rho_l_inverse_days"].as<double>(), par["tau_b"].as<double>()};
  const State y0{ref["initial"]["C"].as<double>(), ref["initial"]["L"].as<double>(),
                 ref["initial"]["B"].as<double>()};
  const int days = ref["days"].as<int>();
  const double tolerance = ref["trajectory_tolerance_relative"].as<double>();
  int failures = 0;

  std::cout << "leon_triana2021 (reduced) vs " << ref["source"].as<std::string>() << "\n";
  // (1) Trajectory.
  const auto fine = rk4_daily(f, y0, days, 10000);   // h = 1e-4 d
  const auto finer = rk4_daily(f, y0, days, 20000);  // h = 5e-5 d
  const SampleResult r = solve(y0[0], days);
  if (!r.ok) {
    std::cerr << "solve failed: " << r.message << '\n';
    return 1;
  }
  double worst = 0.0, worst_rk4 = 0.0;
  int worst_day = 0, worst_state = 0;
  for (int day = 0; day <= days; ++day) {
    for (int j = 0; j < 3; ++j) {
      // Richardson: the h/2 error is (finer - fine)/15; the extrapolated value is the reference.
      const double reference = finer[day][j] + (finer[day][j] - fine[day][j]) / 15.0;
      const double rk4_error = std::abs(finer[day][j] - reference) / std::abs(reference);
      const double error = std::abs(r.series(day, j) / reference - 1.0);
      worst_rk4 = std::max(worst_rk4, rk4_error);
      if (error > worst) {
        worst = error;
        worst_day = day;
        worst_state = j;
      }
    }
  }
  const char* names[] = {"C", "L", "B"};
  std::cout << fmt::format("{:<10} {:>8} {:>14} {:>14} {:>14} {:>12}\n", "day", "state", "cartsim",
                           "RK4+Richardson", "rel.err", "");
  for (int day : {0, 10, 20, 30, 40, 50, 60}) {
    for (int j = 0; j < 3; ++j) {
      const double reference = finer[day][j] + (finer[day][j] - fine[day][j]) / 15.0;
      std::cout << fmt::format("{:<10} {:>8} {:>14.8g} {:>14.8g} {:>14.2e}\n", day, names[j],
                               r.series(day, j), reference,
                               std::abs(r.series(day, j) / reference - 1.0));
    }
  }
  const bool trajectory_ok = worst <= tolerance && worst_rk4 <= tolerance / 100.0;
  failures += trajectory_ok ? 0 : 1;
  std::cout << fmt::format(
      "trajectory: worst relative error {:.2e} ({} at day {}), tolerance {:g}; RK4 reference "
      "error (Richardson) {:.2e}, must be <= {:g}: {}\n",
      worst, names[worst_state], worst_day, tolerance, worst_rk4, tolerance / 100.0,
      trajectory_ok ? "PASS" : "FAIL");

  // (2) Dose insensitivity.
  const double formula_tolerance = ref["cmax_formula_tolerance_relative"].as<double>();
  const double response = ref["response_fraction_of_l0"].as<double>() * y0[1];
  std::cout << fmt::format(
      "\ndose loop: C_max formula C(0) + (L(0) + B(0))/4; accepted within "
      "{:g} %; response = L nadir below {:g} cells\n",
      100 * formula_tolerance, response);
  std::cout << fmt::format("{:>10} {:>12} {:>12} {:>9} {:>8} {:>12} {:>12}  {}\n", "dose", "C_max",
                           "formula", "rel.err", "t_C_max", "L_min", "L(60 d)", "result");
  double cmax_lo = 1e300, cmax_hi = 0.0;
  for (const auto& node : ref["doses"]) {
    const double dose = node.as<double>();
    const SampleResult d = solve(dose, days);
    if (!d.ok) {
      std::cerr << "solve failed at dose " << dose << ": " << d.message << '\n';
      return 1;
    }
    const double formula = dose + (y0[1] + y0[2]) / 4.0;
    cmax_lo = std::min(cmax_lo, d.metrics[0]);
    cmax_hi = std::max(cmax_hi, d.metrics[0]);
    const double error = std::abs(d.metrics[0] / formula - 1.0);
    const bool ok = error <= formula_tolerance && d.metrics[2] <= response;
    failures += ok ? 0 : 1;
    std::cout << fmt::format(
        "{:>10.3g} {:>12.5g} {:>12.5g} {:>8.2f}% {:>8.3g} {:>12.4g} "
        "{:>12.4g}  {}\n",
        dose, d.metrics[0], formula, 100 * error, d.metrics[1], d.metrics[2], d.series(days, 1),
        ok ? "PASS" : "FAIL");
  }
  const double spread_limit = ref["cmax_spread_max_ratio"].as<double>();
  const bool spread_ok = cmax_hi / cmax_lo <= spread_limit;
  failures += spread_ok ? 0 : 1;
  std::cout << fmt::format(
      "C_max spread over a 10^4-fold dose range: max/min = {:.3f}, limit {:g}: "
      "{}\n",
      cmax_hi / cmax_lo, spread_limit, spread_ok ? "PASS" : "FAIL");
  std::cout << (failures == 0 ? "all passed\n" : fmt::format("{} failed\n", failures));
  return failures == 0 ? 0 : 1;
}
