// Cross-validation of the SBML import against cartsim's hand-written models, on the curated
// BioModels files in validation/biomodels/ (provenance in its README.md).
//
// Each curated file is imported (model: {sbml: FILE}) and run beside the hand-written model with
// the same parameters, on one solver at tight tolerances (CVODE BDF, rtol 1e-10); the largest
// difference of every compared trajectory, relative to max(|a|, |b|, floor), is printed beside its
// bound. Where the curated file and the hand-written model differ in a parameter or a term, the
// difference is named and the comparison is run with the file's values (what the check shows is
// that cartsim reads the file's mathematics right, not that the file is right).
//
//   Kimmel 2021 (BIOMD0000001041)  blood counts (cells/uL) against kimmel2021's whole-body counts
//                                  (x 5e8 = V / f), deterministic tumour
//   León-Triana 2021 eqs (4) (BIOMD0000001011) against leon_triana2021
//   León-Triana 2021 eqs (3) (BIOMD0000001012) against eqs (4): no hand-written model; the
//                                  file's progenitor terms, and how much they change C and L
//   Hanson 2016 (BIOMD0000000837)  per-hour rates, converted by the import to days, against
//                                  hanson2016 (whose rates were converted by hand)
// Then each imported model is exported to SBML and imported again: the compiled right-hand side
// and the trajectories must be identical.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/equations/equation_model.hpp"
#include "cartsim/sbml/sbml.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"

#ifndef CARTSIM_VALIDATION_DIR
#error "CARTSIM_VALIDATION_DIR must be defined"
#endif

using namespace cartsim;

namespace {

int failures = 0;

/// Runs a scenario (text) whose paths are relative to validation/biomodels/.
SampleResult run(const std::string& text) {
  const Scenario s =
      parse_scenario(text, std::string(CARTSIM_VALIDATION_DIR) + "/biomodels/scenario.yaml");
  const RunPlan plan = make_plan(s);
  Simulator sim(plan, s.seed);
  SampleResult r = sim.run(0);
  if (!r.ok) {
    throw Error("run failed: " + r.message);
  }
  return r;
}

/// max over rows of |a - b| / max(|a|, |b|, floor) for column ja of a and jb of b, with b scaled.
double worst(const SampleResult& a, Eigen::Index ja, const SampleResult& b, Eigen::Index jb,
             double b_scale, double floor) {
  double w = 0.0;
  for (Eigen::Index i = 0; i < a.series.rows(); ++i) {
    const double x = a.series(i, ja);
    const double y = b.series(i, jb) * b_scale;
    w = std::max(w, std::abs(x - y) / std::max({std::abs(x), std::abs(y), floor}));
  }
  return w;
}

void check(const std::string& what, double value, double bound) {
  const bool ok = value <= bound;
  failures += ok ? 0 : 1;
  std::cout << fmt::format("  {:<58} {:>10.2e}  (bound {:.0e})  {}\n", what, value, bound,
                           ok ? "ok" : "FAILED");
}

const char* solver = "solver: {name: cvode_bdf, rtol: 1.0e-10, atol: 1.0e-10}\n";

void kimmel() {
  std::cout << "Kimmel 2021, BIOMD0000001041 (blood counts, cells/uL) vs kimmel2021 (whole body)\n";
  // The file's parameters, in cartsim's whole-body units (x V/f = 5e6 uL / 0.01 = 5e8).
  const double s = 5.0e8;
  const std::string builtin = fmt::format(
      "model: kimmel2021\n"
      "parameters: {{hybrid: 0, kn: {}, kc: {}, kb: {}, rb: 0.01, rho_c: 0.0251, rn: 0.17, "
      "a: 0.423, b: 0.525, gamma_b: 1.15, n0: {}, c0: {}, b0: {}}}\n"
      "outputs: {{times: {{from: 0, to: 365, step: 1}}, variables: [N_blood, C_blood, B]}}\n{}",
      500.0 * s, 139.0 * s, 4.05 * s, 6.0 * s, 0.36 * s, 94.86 * s, solver);
  // The same problem in units 5e8 times smaller: the absolute tolerance scales with them (the
  // CAR-T count falls to 5e-5 cells/uL by day 365 and the tumour to 1e-6 at its nadir, where an
  // unscaled atol would dominate the comparison).
  const std::string imported =
      std::string(
          "model: {sbml: BIOMD0000001041.xml}\n"
          "outputs: {times: {from: 0, to: 365, step: 1}, variables: [Normal_T_cells, "
          "CAR_T_cells, Antigen_presenting_tumour_cells]}\n") +
      fmt::format("solver: {{name: cvode_bdf, rtol: 1.0e-10, atol: {}}}\n", 1.0e-10 / s);
  const SampleResult a = run(imported);
  const SampleResult b = run(builtin);
  check("normal T cells N (cells/uL), 0-365 d", worst(a, 0, b, 0, 1.0, 1e-6), 1e-6);
  check("CAR-T cells C (cells/uL)", worst(a, 1, b, 1, 1.0, 1e-6), 1e-6);
  check("tumour B (file's units = whole-body cells / 5e8)", worst(a, 2, b, 2, 1.0 / s, 1e-6), 1e-6);
  std::cout << "  the file differs from kimmel2021's defaults (compared above with the file's):\n"
               "    K_C = 139 cells/uL (6.95e10 cells; kimmel2021 kc = 6.96e10, Table 1),\n"
               "    k_B = 4.05 cells/uL (2.025e9; kb = 2.024e9), r_B = 0.01 /d (the curators' Fig. "
               "2a,b value; rb = 0.065 /d, the authors' code),\n"
               "    b has unit 'd' in the file (a rate: 1/d); the tumour has no stochastic regime "
               "(SBML core has no random draws)\n";
}

void leon_triana() {
  std::cout << "\nLeón-Triana 2021 eqs (4), BIOMD0000001011 vs leon_triana2021\n";
  const std::string times = "outputs: {times: {from: 0, to: 200, step: 1}, variables: ";
  const std::string imported = "model: {sbml: BIOMD0000001011.xml}\n" + times +
                               "[CAR_T_cells, Leukaemic_B_cells, B_cells_healthy]}\n" + solver;
  // The file writes rho_L = 0.03333333333 (1/30 to 10 digits); compared with the file's value.
  const std::string builtin = "model: leon_triana2021\nparameters: {rho_l: 0.03333333333}\n" +
                              times + "[C, L, B]}\n" + solver;
  const SampleResult a = run(imported);
  const SampleResult b = run(builtin);
  check("CAR-T cells C, 0-200 d", worst(a, 0, b, 0, 1.0, 1.0), 1e-6);
  check("leukaemic cells L", worst(a, 1, b, 1, 1.0, 1.0), 1e-6);
  check("healthy B cells B", worst(a, 2, b, 2, 1.0, 1.0), 1e-6);
  std::cout << "  differences: rho_L = 0.03333333333 /d in the file (1/30 in leon_triana2021); "
               "rho_C is an assignment rule alpha/4 in the file, a parameter (default alpha/4) in "
               "cartsim\n";

  std::cout << "\nLeón-Triana 2021 eqs (3), BIOMD0000001012 (with progenitors I) vs eqs (4)\n";
  const std::string full = "model: {sbml: BIOMD0000001012.xml}\n" + times +
                           "[CAR_T_cells, Leukaemic_B_cells, B_cells_healthy, "
                           "B_cell_progenitors]}\n" +
                           solver;
  const SampleResult c = run(full);
  // No hand-written model has these equations: compare with the file's equations typed here and
  // integrated by classical RK4 at a fixed step of 1e-3 d (error ~ h^4 ~ 1e-12 per day).
  const double alpha = 4.5e-11, rho_c = alpha / 4, rho_l = 0.03333333333, tau_c = 14, tau_b = 60,
               tau_i = 6, beta = 0.1, c50 = 1e9, i0 = 1e7;
  auto f = [&](const std::array<double, 4>& y) {
    // (no term of the file depends on the progenitor state I = y[3]: see the artefacts below)
    const double cc = y[0], l = y[1], bb = y[2];
    const double maturation = i0 / tau_i / (1 + cc / c50);
    return std::array<double, 4>{
        rho_c * (l + bb) * cc + rho_c * beta * i0 / (1 + cc / c50) - cc / tau_c,
        rho_l * l - alpha * l * cc, maturation - (alpha * bb * cc + bb / tau_b), i0 - maturation};
  };
  std::array<double, 4> y{1e7, 5e10, 2.5e10, i0};
  double rk4_worst = 0.0;
  const int steps = 1000;
  for (int day = 0; day <= 200; ++day) {
    for (int j = 0; j < 4; ++j) {
      const double x = c.series(day, j);
      rk4_worst =
          std::max(rk4_worst, std::abs(x - y[j]) / std::max({std::abs(x), std::abs(y[j]), 1.0}));
    }
    for (int k = 0; k < steps; ++k) {
      const double h = 1.0 / steps;
      auto add = [](std::array<double, 4> u, double w, const std::array<double, 4>& v) {
        for (int j = 0; j < 4; ++j) {
          u[j] += w * v[j];
        }
        return u;
      };
      const auto k1 = f(y);
      const auto k2 = f(add(y, h / 2, k1));
      const auto k3 = f(add(y, h / 2, k2));
      const auto k4 = f(add(y, h, k3));
      for (int j = 0; j < 4; ++j) {
        y[j] += h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
      }
    }
  }
  check("C, L, B, I of the imported file vs its equations by RK4", rk4_worst, 1e-6);
  double b_gap = 0.0;
  for (Eigen::Index i = 0; i < c.series.rows(); ++i) {
    b_gap = std::max(b_gap, std::abs(c.series(i, 0) - a.series(i, 0)) / a.series(i, 0));
  }
  std::cout << fmt::format(
      "  the file's artefacts: the CAR-T source from progenitors is rho_c beta I_0 / (1 + "
      "C/C_50), with the parameter I_0 for the state I\n  and no factor C (the issue names the "
      "missing factor C); maturation I_0 / (tau_I (1 + C/C_50)) does not depend on I either,\n"
      "  so I grows without bound (I(200 d) = {:.4g}). With these terms C departs from eqs (4) by "
      "up to {:.1f} %.\n",
      c.series(c.series.rows() - 1, 3), 100 * b_gap);
}

void hanson() {
  std::cout << "\nHanson 2016, BIOMD0000000837 (per hour) vs hanson2016 (per day)\n";
  const std::string times = "outputs: {times: {from: 0, to: 30, step: 0.25}, variables: ";
  const std::string imported = "model: {sbml: BIOMD0000000837.xml}\n" + times +
                               "[C_e, C_m, H_e, H_m, B, L, Inflam]}\n" + solver;
  const std::string builtin =
      "model: hanson2016\n" + times + "[Ce, Cm, He, Hm, B, L, I]}\n" + solver;
  const SampleResult a = run(imported);
  const SampleResult b = run(builtin);
  const char* names[] = {"Ce", "Cm", "He", "Hm", "B", "L", "I"};
  for (Eigen::Index j = 0; j < 7; ++j) {
    check(fmt::format("{} (time unit converted by the import: x 24)", names[j]),
          worst(a, j, b, j, 1.0, 1e-3), 1e-6);
  }
  std::cout << "  the file's time unit is the hour; the import multiplies every rate by 24 and "
               "reads 'time' as t * 24 (hanson2016 converted each parameter by hand)\n";
}

void round_trip(const std::string& file, const std::string& variables) {
  const std::string path = std::string(CARTSIM_VALIDATION_DIR) + "/biomodels/" + file;
  const equations::ModelSpec first = sbml::import_sbml_file(path);
  const std::string xml = sbml::export_sbml(first);
  const equations::ModelSpec second = sbml::import_sbml_string(xml, file + " (exported)");
  const auto m1 = equations::compile_model(first);
  const auto m2 = equations::compile_model(second);
  const bool same_program = m1->rhs_listing() == m2->rhs_listing();
  const bool same_names = m1->info().states.size() == m2->info().states.size() &&
                          m1->info().parameters.size() == m2->info().parameters.size();
  failures += same_program && same_names ? 0 : 1;
  // Re-export the second import: a fixed point.
  const bool fixed = sbml::export_sbml(second) == xml;
  failures += fixed ? 0 : 1;
  std::cout << fmt::format(
      "  {:<22} right-hand side {} ({} instructions), states/parameters {}, export of the "
      "re-import {}\n",
      file, same_program ? "identical" : "DIFFERS", m1->rhs_instructions(),
      same_names ? "identical" : "DIFFER", fixed ? "identical" : "DIFFERS");
  (void)variables;
}

}  // namespace

int main() {
  try {
    kimmel();
    leon_triana();
    hanson();
    std::cout << "\nRound trip: import -> export SBML -> import\n";
    round_trip("BIOMD0000001041.xml", "");
    round_trip("BIOMD0000001011.xml", "");
    round_trip("BIOMD0000001012.xml", "");
    round_trip("BIOMD0000000837.xml", "");
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  std::cout << (failures == 0 ? "\nall figures within their bounds\n"
                              : fmt::format("\n{} figure(s) outside their bounds\n", failures));
  return failures == 0 ? 0 : 1;
}
