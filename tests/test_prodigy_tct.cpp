// prodigy_tct: right-hand side at hand-computed values, each protocol action's effect, the
// protocol checks (located at the right step), the copy-number classes against the Poisson and
// negative-binomial distributions, and positivity and mass balance through every solver.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/models/prodigy_tct.hpp"
#include "cartsim/models/registry.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "support.hpp"

using namespace cartsim;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using models::ProdigyTct;

namespace {
using Vec = std::vector<double>;

Vec default_parameters() {
  return testing::default_parameter_vector(ProdigyTct());
}

Vec empty_state() {
  Vec y(ProdigyTct::num_states);
  ProdigyTct().initial_state({}, y);
  return y;
}

/// Apply action `name` with `given` settings (defaults for the rest); `stop` receives whether
/// the action ends the run.
void apply(const char* name, const std::vector<std::pair<const char*, double>>& given, Vec& y,
           Vec& p, double t = 0.0, bool* stop = nullptr) {
  const bool stops = testing::apply_action(ProdigyTct(), name, given, y, p, t);
  if (stop != nullptr) {
    *stop = stops;
  }
}

Vec observables(const Vec& y, const Vec& p) {
  Vec out(ProdigyTct::num_observables);
  ProdigyTct().observables(0.0, y, p, out);
  return out;
}

/// cells_added + cells_born - (every cell in the chamber + lysed + removed), relative.
double cell_balance_error(const Vec& y) {
  const double in = y[ProdigyTct::cells_added] + y[ProdigyTct::cells_born];
  const double out =
      ProdigyTct::all_cells(y) + y[ProdigyTct::cells_lysed] + y[ProdigyTct::cells_removed];
  return std::abs(in - out) / in;
}

/// glucose_added - (glucose + consumed + removed), relative.
double glucose_balance_error(const Vec& y) {
  const double in = y[ProdigyTct::glucose_added_mmol];
  const double out = y[ProdigyTct::glucose_mmol] + y[ProdigyTct::glucose_consumed_mmol] +
                     y[ProdigyTct::glucose_removed_mmol];
  return std::abs(in - out) / in;
}

/// A chamber after seed (3.6e8 cells, 70 mL), select and activate, at the default settings.
void seeded_chamber(Vec& y, Vec& p) {
  y = empty_state();
  p = default_parameters();
  apply("seed",
        {{"cells", 3.6e8},
         {"t_cell_fraction", 0.5},
         {"viability", 0.98},
         {"volume_ml", 70.0},
         {"il2_iu", 7000.0}},
        y, p);
  apply("select", {}, y, p);
  apply("activate", {}, y, p);
}

std::string scenario_text(const std::string& protocol, double end = 13.0) {
  return "model: prodigy_tct\nprotocol:\n" + protocol +
         "outputs:\n  times: {from: 0, to: " + std::to_string(end) + ", step: 1}\n";
}

void expect_protocol_error(const std::string& protocol, const std::string& message, int line) {
  try {
    make_plan(parse_scenario(scenario_text(protocol), "prodigy.yaml"));
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.message(), Catch::Matchers::Contains(message));
    CHECK(e.where().line == line);
  }
}

const char* const seed_step =
    "  - at: 0\n    seed: {cells: 2.0e8, volume_ml: 70}\n";  // lines 3-4 of the scenario

/// The default example's protocol (scenarios/examples/prodigy_tct_default.yaml), condensed.
const char* const default_protocol =
    "  - at: 0\n    seed: {cells: 3.6e8, t_cell_fraction: 0.5, viability: 0.98, volume_ml: 70, "
    "il2_iu: 7000}\n"
    "  - at: 0\n    select: {recovery: 0.55, purity: 0.89}\n"
    "  - at: 0\n    activate: {transact_ul_per_ml: 10, duration_d: 4}\n"
    "  - at: 1\n    feed: {volume_ml: 30, il2_iu: 3000}\n"
    "  - at: 1\n    transduce: {moi: 5}\n"
    "  - at: 3\n    wash: {cell_loss: 0.1, volume_ml: 100, il2_iu: 10000}\n"
    "  - at: 4\n    medium_exchange: {removed_fraction: 0.5, volume_ml: 150, il2_iu: 10000}\n"
    "  - at: 5\n    medium_exchange: {removed_fraction: 0.5, volume_ml: 200, il2_iu: 12500}\n"
    "  - at: 6\n    medium_exchange: {removed_fraction: 0.5, volume_ml: 250, il2_iu: 15000}\n"
    "  - at: 7\n    sample: {volume_ml: 2}\n"
    "  - at: [7, 8, 9, 10, 11, 12]\n    medium_exchange: {volume_ml: 250, il2_iu: 20000}\n"
    "  - at: 13\n    harvest:\n";
}  // namespace

TEST_CASE("prodigy_tct right-hand side at hand-computed values", "[prodigy_tct]") {
  const ProdigyTct m;
  Vec p = default_parameters();
  Vec y = empty_state();
  // 1e8 resting CD4 cells and 1e7 dividing CD8 cells (destiny stage 1) in 70 mL with TransAct at
  // 10 uL/mL, IL-2 at 100 IU/mL and glucose at 17.5 mM; no lactate, no vector.
  y[ProdigyTct::cd4_block + ProdigyTct::resting] = 1e8;
  y[ProdigyTct::cd8_block + ProdigyTct::destiny_first] = 1e7;
  y[ProdigyTct::volume_ml] = 70.0;
  y[ProdigyTct::reagent_ul] = 700.0;
  y[ProdigyTct::il2_iu] = 7000.0;
  y[ProdigyTct::glucose_mmol] = 1.225;
  Vec dy(ProdigyTct::num_states);
  m.rhs(0.0, y, p, dy);

  const double s = 10.0 / (10.0 + 2.5);           // stimulus 0.8
  const double support = 100.0 / (100.0 + 10.0);  // IL-2 only
  const double starvation = 2.0 / (1.0 + std::pow(17.5 / 0.5, 4));
  const double d_rest = 0.03 + starvation;
  const double d_act = 0.01 + 0.1 * (1.0 - support) + starvation;
  const double mu = 0.8 * (0.4 + 0.6 * support) * (17.5 / 18.0);  // lactate 0: no inhibition
  const double clock = 4.0 / 5.7 * (1.0 + 0.5 * (1.0 - s));
  // Exact up to the order of floating-point operations: 1e-14 relative.
  CHECK_THAT(dy[ProdigyTct::cd4_block + ProdigyTct::resting],
             WithinRel(-(3.0 * s + d_rest) * 1e8, 1e-14));
  CHECK_THAT(dy[ProdigyTct::cd4_block + ProdigyTct::lag_first], WithinRel(3.0 * s * 1e8, 1e-14));
  CHECK_THAT(dy[ProdigyTct::cd8_block + ProdigyTct::destiny_first],
             WithinRel((mu - clock - d_act) * 1e7, 1e-14));
  CHECK_THAT(dy[ProdigyTct::cd8_block + ProdigyTct::destiny_first + 1],
             WithinRel(clock * 1e7, 1e-14));
  CHECK_THAT(dy[ProdigyTct::cells_born], WithinRel(mu * 1e7, 1e-14));
  CHECK_THAT(dy[ProdigyTct::dead_cells], WithinRel(d_rest * 1e8 + d_act * 1e7, 1e-14));
  // Glucose: 0.02 pmol/cell/h for resting, 0.1 for dividing cells, times G / (G + 0.5 mM);
  // 1 pmol/h = 2.4e-8 mmol/d.
  const double uptake = 2.4e-8 * (17.5 / 18.0) * (0.02 * 1e8 + 0.1 * 1e7);
  CHECK_THAT(dy[ProdigyTct::glucose_mmol], WithinRel(-uptake, 1e-14));
  CHECK_THAT(dy[ProdigyTct::lactate_mmol], WithinRel(1.7 * uptake, 1e-14));
  CHECK_THAT(dy[ProdigyTct::glucose_consumed_mmol], WithinRel(uptake, 1e-14));
  // IL-2: 0.35 /d decay plus 5e-8 mL/(cell d) * 1.1e8 cells / 70 mL clearance.
  CHECK_THAT(dy[ProdigyTct::il2_iu], WithinRel(-(0.35 + 5e-8 * 1.1e8 / 70.0) * 7000.0, 1e-14));
  CHECK_THAT(dy[ProdigyTct::reagent_ul], WithinRel(-0.25 * 700.0, 1e-14));
  // No vector: nobody moves between copy classes.
  CHECK(dy[ProdigyTct::copies_first] == 0.0);
  CHECK(dy[ProdigyTct::exposure] == 0.0);
  // The cell balance holds in the derivative: births = d/dt (cells + lysed).
  double d_cells =
      dy[ProdigyTct::cells_lysed] + dy[ProdigyTct::other_cells] + dy[ProdigyTct::dead_cells];
  for (std::size_t i = 0; i < ProdigyTct::other_cells; ++i) {
    const std::size_t offset = i % ProdigyTct::lineage_size;
    if (offset < ProdigyTct::phenotype_first) {  // phenotype tallies count the same cells again
      d_cells += dy[i];
    }
  }
  CHECK_THAT(d_cells, WithinRel(dy[ProdigyTct::cells_born], 1e-12));
}

TEST_CASE("prodigy_tct seed and select load the chamber", "[prodigy_tct][actions]") {
  Vec y = empty_state();
  Vec p = default_parameters();
  apply("seed",
        {{"cells", 4e8},
         {"t_cell_fraction", 0.5},
         {"cd4_fraction", 0.6},
         {"viability", 0.9},
         {"volume_ml", 70.0},
         {"glucose_mm", 20.0}},
        y, p);
  CHECK(y[ProdigyTct::cd4_block + ProdigyTct::resting] == Approx(4e8 * 0.9 * 0.5 * 0.6));
  CHECK(y[ProdigyTct::cd8_block + ProdigyTct::resting] == Approx(4e8 * 0.9 * 0.5 * 0.4));
  CHECK(y[ProdigyTct::other_cells] == Approx(4e8 * 0.9 * 0.5));
  CHECK(y[ProdigyTct::dead_cells] == Approx(4e8 * 0.1));
  CHECK(y[ProdigyTct::glucose_mmol] == Approx(20.0 * 70.0 / 1000.0));
  CHECK(p[ProdigyTct::culture_start_cells] == Approx(3.6e8));
  CHECK(p[ProdigyTct::seed_effector_fraction] == Approx(0.1));  // 1 - 0.4 - 0.2 - 0.3
  apply("select", {{"recovery", 0.5}, {"purity", 0.9}}, y, p);
  const double t_kept = 1.8e8 * 0.5;
  CHECK(ProdigyTct::total_t_cells(y) == Approx(t_kept));
  CHECK(y[ProdigyTct::other_cells] == Approx(t_kept * 0.1 / 0.9));  // CD3+ = purity
  CHECK(y[ProdigyTct::dead_cells] == 0.0);
  CHECK(observables(y, p)[ProdigyTct::cd3_fraction] == Approx(0.9));
  CHECK(p[ProdigyTct::culture_start_cells] == Approx(t_kept / 0.9));
  CHECK(cell_balance_error(y) < 1e-15);
}

TEST_CASE("prodigy_tct feed conserves cells and dilutes exactly", "[prodigy_tct][actions]") {
  Vec y, p;
  seeded_chamber(y, p);
  apply("transduce", {{"moi", 5.0}}, y, p);
  const Vec before = y;
  const Vec obs_before = observables(y, p);
  // 70 mL + 70 mL: every concentration halves except glucose, which mixes with the 17.5 mM feed.
  apply("feed", {{"volume_ml", 70.0}, {"glucose_mm", 10.0}, {"il2_iu", 0.0}}, y, p);
  for (std::size_t i = 0; i <= ProdigyTct::dead_cells; ++i) {
    CHECK(y[i] == before[i]);  // cells untouched
  }
  const Vec obs = observables(y, p);
  CHECK(obs[ProdigyTct::vector_iu_per_ml] == obs_before[ProdigyTct::vector_iu_per_ml] / 2.0);
  CHECK(obs[ProdigyTct::cell_density_per_ml] == obs_before[ProdigyTct::cell_density_per_ml] / 2.0);
  CHECK(y[ProdigyTct::il2_iu] == before[ProdigyTct::il2_iu]);
  CHECK_THAT(obs[ProdigyTct::glucose_mm],
             WithinRel((obs_before[ProdigyTct::glucose_mm] * 70.0 + 10.0 * 70.0) / 140.0, 1e-15));
  CHECK(y[ProdigyTct::glucose_added_mmol] ==
        before[ProdigyTct::glucose_added_mmol] + 10.0 * 70.0 / 1000.0);
  CHECK(glucose_balance_error(y) < 1e-15);
}

TEST_CASE("prodigy_tct activate, transduce, wash, exchange, sample and harvest",
          "[prodigy_tct][actions]") {
  Vec y, p;
  seeded_chamber(y, p);
  CHECK(y[ProdigyTct::reagent_ul] == Approx(10.0 * 70.0));  // 10 uL/mL x 70 mL
  CHECK(p[ProdigyTct::reagent_decay_per_d] == Approx(1.0 / 4.0));
  const double viable = observables(y, p)[ProdigyTct::viable_cells];
  apply("transduce", {{"moi", 5.0}, {"vector_half_life_h", 35.0}}, y, p);
  CHECK(y[ProdigyTct::vector_iu] == Approx(5.0 * viable));
  CHECK(p[ProdigyTct::vector_decay_per_d] == Approx(std::numbers::ln2 * 24.0 / 35.0));

  SECTION("wash removes the whole supernatant and a share of the cells") {
    const double cells = ProdigyTct::all_cells(y);
    const double glucose = y[ProdigyTct::glucose_mmol];
    apply("wash", {{"cell_loss", 0.1}, {"volume_ml", 100.0}, {"glucose_mm", 17.5}}, y, p);
    CHECK(y[ProdigyTct::vector_iu] == 0.0);
    CHECK(y[ProdigyTct::reagent_ul] == 0.0);
    CHECK(y[ProdigyTct::il2_iu] == 0.0);
    CHECK(y[ProdigyTct::volume_ml] == 100.0);
    CHECK(ProdigyTct::all_cells(y) == Approx(0.9 * cells));
    CHECK(y[ProdigyTct::glucose_mmol] == Approx(1.75));
    CHECK(y[ProdigyTct::glucose_removed_mmol] == Approx(glucose));
    CHECK(cell_balance_error(y) < 1e-15);
    CHECK(glucose_balance_error(y) < 1e-15);
  }
  SECTION("medium exchange removes a fraction of the supernatant and tops up") {
    const double vector = y[ProdigyTct::vector_iu];
    apply("medium_exchange", {{"removed_fraction", 0.8}, {"cell_loss", 0.0}, {"volume_ml", 100.0}},
          y, p);
    CHECK(y[ProdigyTct::vector_iu] == Approx(0.2 * vector));
    CHECK(y[ProdigyTct::volume_ml] == Approx(100.0));
    // 14 mL kept at 17.5 mM + 86 mL fresh at 17.5 mM: still 17.5 mM.
    CHECK(observables(y, p)[ProdigyTct::glucose_mm] == Approx(17.5));
    CHECK(glucose_balance_error(y) < 1e-15);
  }
  SECTION("a sample takes a proportional share and leaves concentrations alone") {
    const Vec obs_before = observables(y, p);
    const double cells = ProdigyTct::all_cells(y);
    apply("sample", {{"volume_ml", 7.0}}, y, p);
    const Vec obs = observables(y, p);
    CHECK(ProdigyTct::all_cells(y) == Approx(0.9 * cells));
    CHECK(obs[ProdigyTct::cell_density_per_ml] ==
          Approx(obs_before[ProdigyTct::cell_density_per_ml]));
    CHECK(obs[ProdigyTct::glucose_mm] == Approx(obs_before[ProdigyTct::glucose_mm]));
    CHECK(y[ProdigyTct::volume_ml] == Approx(63.0));
    CHECK(cell_balance_error(y) < 1e-15);
  }
  SECTION("harvest ends the run") {
    bool stop = false;
    apply("harvest", {}, y, p, 13.0, &stop);
    CHECK(stop);
  }
  SECTION("a feed past the capacity fails at run time too (state-triggered steps)") {
    CHECK_THROWS_AS(apply("feed", {{"volume_ml", 250.0}}, y, p), ModelError);
  }
}

TEST_CASE("prodigy_tct steps after the harvest never run", "[prodigy_tct][protocol]") {
  // A harvest moved before the last feed (as a harvest-day sweep does): the run ends at the
  // harvest and the feed on day 6 does not fire, even one that would overfill the chamber.
  const RunPlan plan =
      make_plan(parse_scenario(scenario_text(std::string(seed_step) + "  - at: 5\n    harvest:\n" +
                                             "  - at: 6\n    feed: {volume_ml: 5000}\n"),
                               "prodigy.yaml"));
  Simulator simulator(plan, 0);
  const SampleResult r = simulator.run(0);
  REQUIRE(r.ok);
  CHECK(r.stats.t_final == 5.0);
  CHECK(r.stats.stopped);
  CHECK(r.stats.events_fired == 2);  // seed and harvest
  CHECK(r.rows == 6);                // days 0-5
}

TEST_CASE("prodigy_tct protocol errors point at the offending step", "[prodigy_tct][protocol]") {
  // The scenario opens with "model: ..." and "protocol:", so the first step starts on line 3.
  expect_protocol_error("  - at: 13\n    harvest:\n",
                        "a harvest on day 13 before the chamber is seeded", 3);
  expect_protocol_error(
      "  - at: 1\n    feed: {volume_ml: 10}\n"
      "  - at: 2\n    seed: {cells: 2.0e8, volume_ml: 70}\n",
      "'feed' on day 1 comes before the chamber is seeded", 3);
  // Seed 70 mL, then feeds of 150 and 100 mL: 320 mL > 300 mL at the second feed (line 7).
  expect_protocol_error(std::string(seed_step) + "  - at: 2\n    feed: {volume_ml: 150}\n" +
                            "  - at: 4\n    feed: {volume_ml: 100}\n",
                        "feed on day 4 brings the chamber to 320 mL, past its capacity of 300 mL",
                        7);
  expect_protocol_error(std::string(seed_step) + "  - at: 3\n    sample: {volume_ml: 80}\n",
                        "sample on day 3 takes 80 mL but the chamber holds 70 mL", 5);
  expect_protocol_error(
      std::string(seed_step) + "  - at: 3\n    seed: {cells: 1e8, volume_ml: 50}\n",
      "a second 'seed' on day 3", 5);
  expect_protocol_error(
      std::string(seed_step) +
          "  - at: 3\n    medium_exchange: {removed_fraction: 0.5, volume_ml: 20}\n",
      "the new volume 20 mL is below the 35 mL kept", 5);
  // Out-of-range settings are caught by the parser at the setting itself (line 6, the value).
  expect_protocol_error(std::string(seed_step) + "  - at: 1\n    feed:\n      volume_ml: -5\n",
                        "feed setting 'volume_ml' = -5 is out of range [0, 10000] (unit mL)", 7);
  expect_protocol_error(std::string(seed_step) + "  - at: 1\n    transduce:\n      moi: 0\n",
                        "transduce setting 'moi' = 0 is out of range [0.01, 1000] (unit IU/cell)",
                        7);
}

TEST_CASE("prodigy_tct Poisson copy classes match e^-m m^k / k! for one exposure",
          "[prodigy_tct][transduction]") {
  const OdeModel* model = get_model("prodigy_tct")->as_ode();
  for (const double copy_model : {0.0, 1.0}) {
    INFO("copy_model " << copy_model);
    Problem problem = testing::make_problem(*model, 0.0, 40.0);
    auto& p = problem.p;
    auto& y = problem.y0;
    // Resting cells that neither divide, die nor activate, all fully susceptible, one dose of
    // vector that decays and is taken up until it is gone (40 d = 55 half-lives of 17.5 h).
    p[ProdigyTct::k_activation] = 0.0;
    p[ProdigyTct::death_resting_per_d] = 0.0;
    p[ProdigyTct::death_starvation_per_d] = 0.0;
    p[ProdigyTct::resting_susceptibility] = 1.0;
    p[ProdigyTct::copy_model] = copy_model;
    p[ProdigyTct::vector_decay_per_d] = std::numbers::ln2 * 24.0 / 17.5;
    y[ProdigyTct::cd4_block + ProdigyTct::resting] = 1e8;
    y[ProdigyTct::volume_ml] = 100.0;
    y[ProdigyTct::glucose_mmol] = 2.0;
    y[ProdigyTct::vector_iu] = 5e8;
    auto solver = make_solver("cvode_bdf", {.rtol = 1e-11, .atol = 1e-15});
    testing::Trace trace;
    solver->solve(problem, trace);
    const Vec& yf = trace.y_finish;
    const double m = yf[ProdigyTct::exposure];
    REQUIRE(m > 1.0);  // a real exposure: about 2 copies per cell
    const double k_d = p[ProdigyTct::copy_dispersion_k];
    double log_term = 0.0;  // log of the k-th probability, built up by recurrence
    double sum = 0.0;
    double mean = 0.0;
    for (std::size_t k = 0; k < ProdigyTct::max_copies; ++k) {
      const double kk = static_cast<double>(k);
      if (copy_model < 0.5) {
        log_term = k == 0 ? -m : log_term + std::log(m / kk);
      } else {
        log_term = k == 0 ? -k_d * std::log1p(m / k_d)
                          : log_term + std::log((k_d + kk - 1.0) / kk * m / (k_d + m));
      }
      INFO("k = " << k);
      // The solve is accurate to about 1e-9 in these fractions (rtol 1e-11 over ~200 steps).
      CHECK_THAT(yf[ProdigyTct::copies_first + k], WithinAbs(std::exp(log_term), 1e-9));
      sum += yf[ProdigyTct::copies_first + k];
      mean += kk * yf[ProdigyTct::copies_first + k];
    }
    sum += yf[ProdigyTct::copies_first + ProdigyTct::max_copies];
    CHECK_THAT(sum, WithinAbs(1.0, 1e-12));  // the classes conserve every cell
    CHECK(mean <= m);                        // the top class holds 15 or more copies
  }
}

TEST_CASE("prodigy_tct stays non-negative and balances cells and glucose on every solver",
          "[prodigy_tct][solvers]") {
  for (const auto& solver : testing::all_solvers()) {
    INFO(solver);
    Scenario s = parse_scenario(scenario_text(default_protocol) + "solver: {name: " + solver +
                                    ", rtol: 1.0e-8, atol: 1.0e-9}\n",
                                "prodigy.yaml");
    const RunPlan plan = make_plan(s);
    Simulator simulator(plan, 0);
    const SampleResult r = simulator.run(0);
    INFO(r.message);
    REQUIRE(r.ok);
    REQUIRE(r.rows == 14);
    for (Eigen::Index row = 0; row < r.series.rows(); ++row) {
      Vec y(ProdigyTct::num_states);
      for (std::size_t i = 0; i < y.size(); ++i) {
        y[i] = r.series(row, static_cast<Eigen::Index>(i));
        CHECK(y[i] >= 0.0);
      }
      INFO("day " << row);
      // Linear invariants survive every backend to round-off (the right-hand side conserves them
      // exactly and linear multistep and Runge-Kutta methods preserve linear invariants).
      CHECK(cell_balance_error(y) < 1e-9);
      CHECK(glucose_balance_error(y) < 1e-9);
    }
    // Harvest at day 13: the Zhu-2018-like run expands and transduces.
    const Vec last = [&] {
      Vec y(ProdigyTct::num_states);
      for (std::size_t i = 0; i < y.size(); ++i) {
        y[i] = r.series(13, static_cast<Eigen::Index>(i));
      }
      return y;
    }();
    CHECK(1.0 - last[ProdigyTct::copies_first] > 0.2);
  }
}

TEST_CASE("prodigy_tct right-hand side never pushes a zero state negative", "[prodigy_tct]") {
  // Quasi-positivity: for any state y >= 0 and any i with y_i = 0, dy_i/dt >= 0, so the exact
  // solution stays non-negative. Checked on states from a real run with random entries zeroed.
  Vec y, p;
  seeded_chamber(y, p);
  apply("transduce", {{"moi", 5.0}}, y, p);
  const ProdigyTct m;
  Vec dy(ProdigyTct::num_states);
  // Give every state a positive value of its typical size, then zero subsets of them.
  for (std::size_t i = 0; i < y.size(); ++i) {
    y[i] = std::max(y[i], i < ProdigyTct::copies_first ? 1e6 : 0.01);
  }
  std::uint64_t bits = 0x9E3779B97F4A7C15ull;
  for (int trial = 0; trial < 200; ++trial) {
    Vec z = y;
    for (std::size_t i = 0; i < z.size(); ++i) {
      bits ^= bits << 13;
      bits ^= bits >> 7;
      bits ^= bits << 17;
      if (bits % 3 == 0) {
        z[i] = 0.0;
      }
    }
    m.rhs(0.0, z, p, dy);
    for (std::size_t i = 0; i < z.size(); ++i) {
      if (z[i] == 0.0) {
        INFO("trial " << trial << ", state " << m.info().states[i].name);
        CHECK(dy[i] >= 0.0);
      }
    }
  }
}
