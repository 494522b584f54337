// stein2019 covariates and residual error: the covariate effects against hand computation, the
// observation noise's reproducibility (same key -> same numbers, other sample -> other numbers, any
// thread count -> same files) and its spread (sample SD of log(C_obs / C) against sigma_log),
// positivity of a virtual population, and the weight-band dosing rule of the example population.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cartsim/models/stein2019.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/sweeps/output_files.hpp"
#include "cartsim/sweeps/sample_inputs.hpp"
#include "cartsim/sweeps/sweep_runner.hpp"
#include "sweep_support.hpp"

using namespace cartsim;
using S = models::Stein2019;
namespace fs = std::filesystem;

namespace {
std::span<double> view(Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}

/// A one-year daily stein2019 scenario with `extra` appended (parameters, sweep ...).
std::string scenario_text(const std::string& parameters, const std::string& extra = "") {
  return "model: stein2019\n"
         "seed: 7\n"
         "parameters: {" +
         parameters +
         "}\n"
         "outputs:\n"
         "  times: {from: 0, to: 365, step: 1}\n"
         "  variables: [C, C_obs]\n" +
         extra;
}

}  // namespace

TEST_CASE("stein2019 covariate effects on Cmax by hand", "[stein2019][covariates]") {
  const S m;
  Eigen::VectorXd p = m.info().default_parameters();
  // Defaults: exponents 0, so any weight or dose leaves Cmax at exactly 24000 copies/ug.
  p[S::weight_kg] = 80.0;
  p[S::dose_per_kg] = 1.25e6;
  CHECK(S::individual_cmax(view(p)) == 24000.0);
  // Dose exponent 0.5, dose 6.2e6 cells/kg (2 x reference); weight exponent -1, weight 78 kg
  // (2 x reference): Cmax_i = 24000 * sqrt(2) * (1/2) = 16970.5627 copies/ug.
  p[S::dose_per_kg] = 6.2e6;
  p[S::weight_kg] = 78.0;
  p[S::cmax_dose_exponent] = 0.5;
  p[S::cmax_weight_exponent] = -1.0;
  const double expected = 24000.0 * std::sqrt(2.0) * 0.5;
  CHECK(S::individual_cmax(view(p)) == Approx(expected).epsilon(1e-14));
  Eigen::VectorXd y0(2);
  m.initial_state(view(p), view(y0));
  CHECK(y0[S::E] == Approx(expected / 3900.0).epsilon(1e-14));  // E(0) = Cmax_i / foldx
  CHECK(S::exact_level(9.3, view(p)) == Approx(expected).epsilon(1e-14));

  // Through a run: the Cmax metric is the covariate-adjusted peak.
  const Scenario s = parse_scenario(
      scenario_text("dose_per_kg: 6.2e6, weight_kg: 78, cmax_dose_exponent: 0.5, "
                    "cmax_weight_exponent: -1",
                    "  metrics: [Cmax]\nsolver: {name: cvode_bdf, rtol: 1.0e-10, atol: 1.0e-10}\n"),
      "covariates.yaml");
  const RunPlan plan = make_plan(s);
  Simulator sim(plan, s.seed);
  const SampleResult r = sim.run(0);
  REQUIRE(r.ok);
  CHECK(r.metrics[0] == Approx(expected).epsilon(1e-6));
}

TEST_CASE("stein2019 C_obs equals C when the residual error is off", "[stein2019][residual]") {
  const Scenario s = parse_scenario(scenario_text(""), "off.yaml");
  const RunPlan plan = make_plan(s);
  Simulator sim(plan, s.seed);
  const SampleResult r = sim.run(0);
  REQUIRE(r.ok);
  CHECK(r.stats.events_fired == 1);  // only the switch at Tmax
  for (Eigen::Index i = 0; i < r.series.rows(); ++i) {
    CHECK(r.series(i, 1) == r.series(i, 0));
  }
}

TEST_CASE("stein2019 residual error is reproducible and keyed by seed and sample",
          "[stein2019][residual]") {
  const Scenario s = parse_scenario(scenario_text("residual_error: 1"), "on.yaml");
  const RunPlan plan = make_plan(s);
  Simulator sim(plan, s.seed);
  const SampleResult a = sim.run(3);
  const SampleResult b = sim.run(3);     // same seed, sample, replicate: identical
  const SampleResult c = sim.run(4);     // another sample
  const SampleResult d = sim.run(3, 1);  // another replicate
  Simulator other_seed(plan, s.seed + 1);
  const SampleResult e = other_seed.run(3);
  for (const SampleResult* r : {&a, &b, &c, &d, &e}) {
    REQUIRE(r->ok);
  }
  CHECK(a.stats.events_fired == 2);  // the keying at t = 0 and the switch at Tmax
  CHECK(a.series == b.series);
  // The level itself (column 0) does not depend on the key; the observation does, at every time.
  CHECK(a.series.col(0) == c.series.col(0));
  const Eigen::Index n = a.series.rows();
  Eigen::Index differ_c = 0, differ_d = 0, differ_e = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    differ_c += a.series(i, 1) != c.series(i, 1) ? 1 : 0;
    differ_d += a.series(i, 1) != d.series(i, 1) ? 1 : 0;
    differ_e += a.series(i, 1) != e.series(i, 1) ? 1 : 0;
  }
  CHECK(differ_c == n);
  CHECK(differ_d == n);
  CHECK(differ_e == n);
  // The noise at a time is a pure function of (key, t).
  CHECK(S::residual_normal(12345.0, 28.0) == S::residual_normal(12345.0, 28.0));
  CHECK(S::residual_normal(12345.0, 28.0) != S::residual_normal(12345.0, 29.0));
  CHECK(S::residual_normal(12345.0, 28.0) != S::residual_normal(12346.0, 28.0));
}

TEST_CASE("stein2019 log-residuals have SD sigma_log and mean 0", "[stein2019][residual]") {
  // 8 samples x 366 daily observations = 2928 residuals r = log(C_obs / C) ~ N(0, 0.56^2).
  // Monte-Carlo standard errors: mean 0.56/sqrt(2928) = 0.0103, SD 0.56/sqrt(2 x 2928) = 0.0073;
  // the bounds are 4 standard errors. Treating 0.56 as a variance (SD 0.748) would fail.
  const Scenario s = parse_scenario(scenario_text("residual_error: 1"), "spread.yaml");
  const RunPlan plan = make_plan(s);
  Simulator sim(plan, s.seed);
  double sum = 0.0, sum2 = 0.0;
  std::size_t n = 0;
  for (std::size_t sample = 0; sample < 8; ++sample) {
    const SampleResult r = sim.run(sample);
    REQUIRE(r.ok);
    for (Eigen::Index i = 0; i < r.series.rows(); ++i) {
      const double residual = std::log(r.series(i, 1) / r.series(i, 0));
      sum += residual;
      sum2 += residual * residual;
      ++n;
    }
  }
  const double mean = sum / static_cast<double>(n);
  const double sd =
      std::sqrt((sum2 - static_cast<double>(n) * mean * mean) / static_cast<double>(n - 1));
  INFO("mean " << mean << ", sd " << sd << ", n " << n);
  CHECK(std::abs(mean) < 4 * 0.56 / std::sqrt(static_cast<double>(n)));
  CHECK(std::abs(sd - 0.56) < 4 * 0.56 / std::sqrt(2.0 * static_cast<double>(n)));
}

TEST_CASE("stein2019 population files with residual error do not depend on the thread count",
          "[stein2019][residual][determinism]") {
  const std::string text = scenario_text("residual_error: 1",
                                         "  timeseries: all\n"
                                         "sweep:\n"
                                         "  population:\n"
                                         "    subjects: 16\n"
                                         "    variability:\n"
                                         "      - {path: parameters.cmax, omega2: 0.65}\n"
                                         "      - {path: parameters.tmax, omega2: 0.38}\n");
  std::string files[2];
  for (int threads : {1, 2}) {
    const fs::path dir = testing::fresh_dir("stein_threads" + std::to_string(threads));
    CHECK(testing::run_to(text, dir, threads).failed == 0);
    files[threads - 1] =
        testing::read_file(dir / "timeseries.csv") + testing::read_file(dir / "summary.csv");
  }
  CHECK_FALSE(files[0].empty());
  CHECK(files[0] == files[1]);
}

TEST_CASE("stein2019 virtual patients stay positive, and the weight-band rule sets the dose",
          "[stein2019][population]") {
  // The example population's covariate model (scenarios/examples/stein2019_population.yaml).
  const std::string text = scenario_text(
      "residual_error: 1",
      "sweep:\n"
      "  population:\n"
      "    subjects: 40\n"
      "    covariates:\n"
      "      - name: weight_kg\n"
      "        distribution: {lognormal: {median: 39, cv: 0.5}, truncate: [14, 140]}\n"
      "    rules:\n"
      "      - {path: parameters.weight_kg, expression: \"weight_kg\"}\n"
      "      - {path: parameters.dose_per_kg, expression: \"weight_kg <= 50 ? 3.1e6 : 1.0e8 / "
      "weight_kg\"}\n"
      "    variability:\n"
      "      - {path: parameters.foldx, omega2: 2.4}\n"
      "      - {path: parameters.tmax, omega2: 0.38}\n"
      "      - {path: parameters.cmax, omega2: 0.65}\n");
  const Scenario scenario = parse_scenario(text, "population.yaml");
  const RunPlan plan = make_plan(scenario);
  const SampleInputs inputs(scenario, plan);
  REQUIRE(inputs.columns() == std::vector<std::string>{"weight_kg", "parameters.weight_kg",
                                                       "parameters.dose_per_kg", "parameters.foldx",
                                                       "parameters.tmax", "parameters.cmax"});
  std::vector<Assignment> assignments;
  std::vector<double> values;
  Simulator sim(plan, scenario.seed);
  int light = 0, heavy = 0;
  for (std::size_t s = 0; s < inputs.samples(); ++s) {
    inputs.generate(s, assignments, values);
    const double weight = values[0];
    CHECK(values[1] == weight);
    if (weight <= 50.0) {
      CHECK(values[2] == 3.1e6);
      ++light;
    } else {
      CHECK(values[2] == Approx(1.0e8 / weight).epsilon(1e-15));
      ++heavy;
    }
    const SampleResult r = sim.run(s, 0, assignments);
    REQUIRE(r.ok);
    CHECK(r.series.minCoeff() > 0.0);  // C and C_obs
  }
  CHECK(light > 0);
  CHECK(heavy > 0);
}
