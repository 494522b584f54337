// cart_patient: right-hand side at hand-computed values, each action's exact effect (weight-band
// dose arithmetic, fractions, lymphodepletion, tocilizumab), the protocol checks (at their step),
// the blood conversions, the analytic limit without CAR-T (logistic leukaemia), positivity, the
// state-triggered tocilizumab step, remission/relapse events and solver agreement.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "cartsim/core/errors.hpp"
#include "cartsim/models/cart_patient.hpp"
#include "cartsim/models/registry.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "support.hpp"

using namespace cartsim;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using models::CartPatient;

namespace {
using Vec = std::vector<double>;
using M = CartPatient;

Vec default_parameters() {
  return testing::default_parameter_vector(CartPatient());
}

/// Apply action `name` with `given` settings (defaults for the rest).
void apply(const char* name, const std::vector<std::pair<const char*, double>>& given, Vec& y,
           Vec& p, double t = 0.0) {
  testing::apply_action(CartPatient(), name, given, y, p, t);
}

Vec observables(const Vec& y, const Vec& p) {
  Vec out(M::num_observables);
  CartPatient().observables(0.0, y, p, out);
  return out;
}

/// Run a scenario text; returns the result and keeps the plan alive for column lookups.
struct Run {
  RunPlan plan;
  SampleResult result;
  double metric(const std::string& name) const {
    for (std::size_t i = 0; i < plan.metrics.size(); ++i) {
      if (plan.metrics[i].name == name) {
        return result.metrics[i];
      }
    }
    FAIL("no metric " << name);
    return 0.0;
  }
};

Run run(const std::string& text) {
  Run r;
  r.plan = make_plan(parse_scenario(text, "cart.yaml"));
  Simulator simulator(r.plan, 0);
  r.result = simulator.run(0);
  REQUIRE(r.result.ok);
  return r;
}

void expect_protocol_error(const std::string& text, const std::string& message, int line) {
  try {
    make_plan(parse_scenario(text, "cart.yaml"));
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.message(), Catch::Matchers::Contains(message));
    CHECK(e.where().line == line);
  }
}
}  // namespace

TEST_CASE("cart_patient right-hand side at a hand-computed state", "[cart_patient]") {
  const CartPatient m;
  Vec p = default_parameters();
  p[M::body_weight_kg] = 20.0;
  // Derived by hand (defaults: 75 mL/kg, 2 % in blood, 1.1e10 marrow cells/kg, 1000 lymphocytes
  // and 300 B cells per uL): Vb = 1.5e6 uL, N0 = 7.5e10, B0 = 2.25e10, Kmarrow = 2.2e11,
  // K = 1e7/kg x 20 kg = 2e8.
  Vec y(M::num_states, 0.0);
  y[M::car_memory] = 1.0e8;
  y[M::car_effector] = 4.0e8;
  y[M::car_exhausted] = 1.0e8;
  y[M::leukaemia_cd19pos] = 1.5e8;
  y[M::b_cells] = 0.5e8;                     // A = 2e8 = K, so s = 0.5
  y[M::leukaemia_cd19neg] = 1.1e11 - 1.5e8;  // F = (Lp + Ln) / Kmarrow = 0.5
  y[M::lymphocytes] = 7.5e9;                 // 0.1 N0
  y[M::macrophage_activation] = 0.2;
  y[M::il6] = 100.0;
  Vec dy(M::num_states);
  m.rhs(0.0, y, p, dy);
  // H = (1 + 9) / (1 + 9 (7.5e9 + 6e8) / 7.5e10) = 10 / 1.972
  const double h = 10.0 / 1.972;
  CHECK_THAT(CartPatient::support(y, p), WithinRel(h, 1e-14));
  // dTm = 0.00127 x 0.5 x 4e8 - 0.0032 x 1e8 = 254000 - 320000
  CHECK_THAT(dy[M::car_memory], WithinRel(-66000.0, 1e-12));
  // dTe = 0.5 x 0.5 x 1e8 + (0.25 x 0.5 x H - 0.16 - 0.05 x 0.5 - 0.00127 x 0.5) x 4e8
  CHECK_THAT(dy[M::car_effector],
             WithinRel(2.5e7 + (0.125 * h - 0.16 - 0.025 - 0.000635) * 4e8, 1e-12));
  // dTx = 0.05 x 0.5 x 4e8 - 0.1 x 1e8 = 0
  CHECK_THAT(dy[M::car_exhausted], WithinAbs(0.0, 1e-6));
  // kill per target = 3 x 4e8 / (2e8 + 2e8) = 3 /d
  CHECK_THAT(dy[M::leukaemia_cd19pos], WithinRel(1.5e8 * 0.5 / 30.0 - 3.0 * 1.5e8, 1e-12));
  CHECK_THAT(dy[M::leukaemia_cd19neg], WithinRel((1.1e11 - 1.5e8) * 0.5 / 30.0, 1e-12));
  CHECK_THAT(dy[M::b_cells], WithinRel((2.25e10 * 0.5 - 0.5e8) / 60.0 - 3.0 * 0.5e8, 1e-12));
  CHECK_THAT(dy[M::lymphocytes], WithinRel(0.1 * 7.5e9 * 0.9, 1e-12));
  // killing 6e8 cells/d = 3e7 /kg/d; (3e7 / 1e10)^2 = 9e-6; amplification 1 + 3 x 100/200 = 2.5
  CHECK_THAT(dy[M::macrophage_activation], WithinRel(9e-6 * 2.5 * 0.8 - 0.2, 1e-12));
  CHECK_THAT(dy[M::il6], WithinRel(2.0 * (5.0 + 5000.0 * 0.2 - 100.0), 1e-12));
  CHECK(dy[M::tocilizumab_level] == 0.0);
  CHECK(dy[M::car_infused] == 0.0);

  // Tocilizumab at EC50 blocks half the signal: 50 pg/mL, amplification 1 + 3 x 50/150 = 2.
  y[M::tocilizumab_level] = 1.0;
  m.rhs(0.0, y, p, dy);
  CHECK_THAT(dy[M::macrophage_activation], WithinRel(9e-6 * 2.0 * 0.8 - 0.2, 1e-12));
  CHECK_THAT(dy[M::tocilizumab_level], WithinRel(-0.15, 1e-14));
  const Vec o = observables(y, p);
  CHECK_THAT(o[M::tocilizumab_occupancy], WithinRel(0.5, 1e-14));
  CHECK_THAT(o[M::il6_signal_pg_per_ml], WithinRel(50.0, 1e-14));
  CHECK(o[M::crs_grade_proxy] == 1.0);  // 50 >= 40, < 200
  CHECK_THAT(o[M::marrow_blasts], WithinRel(50.0, 1e-12));
  CHECK_THAT(o[M::antigen_stimulation], WithinRel(0.5, 1e-14));
}

TEST_CASE("cart_patient blood conversions follow the documented formulas", "[cart_patient]") {
  Vec p = default_parameters();
  p[M::body_weight_kg] = 40.0;  // Vb = 75 x 40 x 1000 = 3e6 uL
  p[M::product_vcn] = 2.0;
  Vec y(M::num_states, 0.0);
  y[M::car_effector] = 1.5e10;  // 0.02 x 1.5e10 / 3e6 = 100 CAR+ cells/uL
  y[M::lymphocytes] = 3.0e10;   // 200 /uL
  y[M::b_cells] = 1.5e9;        // 10 /uL
  const Vec o = observables(y, p);
  CHECK_THAT(o[M::car_t_per_ul], WithinRel(100.0, 1e-14));
  CHECK_THAT(o[M::lymphocytes_per_ul_blood], WithinRel(200.0, 1e-14));
  CHECK_THAT(o[M::b_cells_per_ul_blood], WithinRel(10.0, 1e-14));
  CHECK_THAT(o[M::b_cell_deficit_per_ul], WithinRel(20.0 - 10.0, 1e-14));
  // nucleated = 1500 myeloid + 200 + 10 + 100 = 1810 /uL; copies/ug = 1.5e5 x 2 x 100 / 1810
  CHECK_THAT(o[M::nucleated_cells_per_ul], WithinRel(1810.0, 1e-14));
  CHECK_THAT(o[M::transgene_copies_per_ug], WithinRel(1.5e5 * 2.0 * 100.0 / 1810.0, 1e-14));
  // and back: CAR+ share of nucleated cells = copies/ug / (genomes/ug x VCN) (project notes s. 6)
  CHECK_THAT(o[M::transgene_copies_per_ug] / (1.5e5 * 2.0) * o[M::nucleated_cells_per_ul],
             WithinRel(o[M::car_t_per_ul], 1e-14));
}

TEST_CASE("cart_patient: infuse adds exactly the prescribed dose by the weight-band rule",
          "[cart_patient]") {
  SECTION("<= 50 kg: per kg") {
    Vec p = default_parameters();
    p[M::body_weight_kg] = 30.0;
    Vec y(M::num_states, 0.0);
    apply("infuse", {{"cells_per_kg", 3.0e6}, {"cells", 2.0e8}, {"memory_fraction", 0.25}}, y, p);
    CHECK_THAT(y[M::car_infused], WithinRel(9.0e7, 1e-15));  // 3e6/kg x 30 kg; cells ignored
    CHECK_THAT(y[M::car_memory], WithinRel(0.25 * 9.0e7, 1e-15));
    CHECK_THAT(y[M::car_effector], WithinRel(0.75 * 9.0e7, 1e-15));
    CHECK(p[M::product_vcn] == 2.0);
  }
  SECTION("exactly 50 kg is still per kg") {
    CHECK_THAT(CartPatient::prescribed_cells(50.0, 2.0e6, 1.0e8, 1.0), WithinRel(1.0e8, 1e-15));
  }
  SECTION("> 50 kg: flat") {
    Vec p = default_parameters();
    p[M::body_weight_kg] = 70.0;
    Vec y(M::num_states, 0.0);
    apply("infuse", {{"cells_per_kg", 3.0e6}, {"cells", 1.7e8}}, y, p);
    CHECK_THAT(y[M::car_infused], WithinRel(1.7e8, 1e-15));
  }
  SECTION("label bands and free dosing") {
    CHECK_THROWS_AS(CartPatient::prescribed_cells(30.0, 0.1e6, 0.0, 1.0), ModelError);
    CHECK_THROWS_AS(CartPatient::prescribed_cells(30.0, 5.1e6, 0.0, 1.0), ModelError);
    CHECK_THROWS_AS(CartPatient::prescribed_cells(70.0, 0.0, 3.0e8, 1.0), ModelError);
    CHECK_THROWS_AS(CartPatient::prescribed_cells(70.0, 0.0, 0.05e8, 1.0), ModelError);
    CHECK_NOTHROW(CartPatient::prescribed_cells(70.0, 0.0, 0.1e8, 1.0));
    CHECK_NOTHROW(CartPatient::prescribed_cells(30.0, 5.0e6, 0.0, 1.0));
    // weight_band 0: ARI-0001 at 1e6/kg in a 70-kg adult, off the tisagenlecleucel label
    CHECK_THAT(CartPatient::prescribed_cells(70.0, 1.0e6, 0.0, 0.0), WithinRel(7.0e7, 1e-15));
    CHECK_THAT(CartPatient::prescribed_cells(70.0, 0.0, 3.0e8, 0.0), WithinRel(3.0e8, 1e-15));
    CHECK_THROWS_AS(CartPatient::prescribed_cells(70.0, 1.0e6, 3.0e8, 0.0), ModelError);
    CHECK_THROWS_AS(CartPatient::prescribed_cells(70.0, 0.0, 0.0, 0.0), ModelError);
    CHECK_THROWS_AS(CartPatient::prescribed_cells(70.0, 1.0e6, 0.0, 0.5), ModelError);
  }
  SECTION("a second product mixes its copies per cell by dose") {
    Vec p = default_parameters();
    Vec y(M::num_states, 0.0);
    apply("infuse", {{"cells_per_kg", 1.0e6}, {"vcn", 2.0}, {"fraction", 0.5}}, y, p);
    apply("infuse", {{"cells_per_kg", 1.0e6}, {"vcn", 6.0}, {"fraction", 0.5}}, y, p);
    CHECK_THAT(p[M::product_vcn], WithinRel(4.0, 1e-15));
  }
}

TEST_CASE("cart_patient: fractionated infusions add up to the prescription", "[cart_patient]") {
  const Run r = run(R"(
model: cart_patient
parameters: {body_weight_kg: 70}
protocol:
  - at: 0
    infuse: {cells_per_kg: 1.0e6, fraction: 0.1, weight_band: 0}
  - at: 1
    infuse: {cells_per_kg: 1.0e6, fraction: 0.3, weight_band: 0}
  - at: 2
    infuse: {cells_per_kg: 1.0e6, fraction: 0.6, weight_band: 0}
outputs:
  times: [0, 0.5, 1, 1.5, 2, 28]
  variables: [car_infused]
)");
  const auto& s = r.result.series;
  CHECK_THAT(s(0, 0), WithinRel(7.0e6, 1e-14));
  CHECK_THAT(s(1, 0), WithinRel(7.0e6, 1e-14));
  CHECK_THAT(s(2, 0), WithinRel(2.8e7, 1e-14));
  CHECK_THAT(s(4, 0), WithinRel(7.0e7, 1e-14));  // 1e6/kg x 70 kg
  CHECK_THAT(s(5, 0), WithinRel(7.0e7, 1e-14));
}

TEST_CASE("cart_patient: lymphodepletion cuts lymphocytes and raises homeostatic support",
          "[cart_patient]") {
  Vec p = default_parameters();
  Vec y(M::num_states);
  CartPatient().initial_state(p, y);
  const double n0 = y[M::lymphocytes];
  const double b0 = y[M::b_cells];
  const double l0 = y[M::leukaemia_cd19pos];
  CHECK_THAT(observables(y, p)[M::homeostatic_support], WithinRel(1.0, 1e-14));
  apply("lymphodeplete", {{"lymphocyte_depletion", 0.9}, {"b_cell_depletion", 0.8}}, y, p);
  CHECK_THAT(y[M::lymphocytes], WithinRel(0.1 * n0, 1e-14));
  CHECK_THAT(y[M::b_cells], WithinRel(0.2 * b0, 1e-14));
  CHECK(y[M::leukaemia_cd19pos] == l0);  // leukaemia_depletion defaults to 0
  // H = (1 + 9) / (1 + 9 x 0.1) = 5.26
  CHECK_THAT(observables(y, p)[M::homeostatic_support], WithinRel(10.0 / 1.9, 1e-14));

  // Over time the support falls back as the lymphocytes recover (logistic, 0.1/d).
  const Run r = run(R"(
model: cart_patient
time: {start: -5, end: 90}
protocol:
  - at: -4
    lymphodeplete: {}
outputs:
  times: [-5, -4, 10, 30, 90]
  variables: [lymphocytes_per_ul, homeostatic_support]
)");
  const auto& s = r.result.series;
  CHECK_THAT(s(1, 0), WithinRel(100.0, 1e-12));
  CHECK(s(1, 1) > 5.0);
  CHECK(s(2, 1) < s(1, 1));
  CHECK(s(3, 1) < s(2, 1));
  CHECK(s(4, 1) < 1.05);
  // logistic: N(t)/N0 = 1 / (1 + 9 e^{-0.1 (t + 4)})
  CHECK_THAT(s(3, 0), WithinRel(1000.0 / (1.0 + 9.0 * std::exp(-0.1 * 34.0)), 1e-6));
}

TEST_CASE("cart_patient: without CAR-T the leukaemia grows logistically and nothing expands",
          "[cart_patient]") {
  const Run r = run(R"(
model: cart_patient
parameters: {marrow_blasts_pct: 10, cd19neg_fraction: 0.2}
solver: {name: cvode_bdf, rtol: 1.0e-10, atol: 1.0e-6}
outputs:
  times: [0, 30, 60, 120]
  variables: [marrow_blasts_pct, car_t_cells, cd19neg_blast_share, il6_pg_per_ml]
)");
  // F(t) = 1 / (1 + (1/F0 - 1) e^{-r t}), r = 1/30 /d, F0 = 0.1; both clones grow alike.
  for (int i = 0; i < 4; ++i) {
    const double t = r.plan.output_times[static_cast<std::size_t>(i)];
    const double f = 1.0 / (1.0 + 9.0 * std::exp(-t / 30.0));
    CHECK_THAT(r.result.series(i, 0), WithinRel(100.0 * f, 1e-7));
    CHECK(r.result.series(i, 1) == 0.0);
    CHECK_THAT(r.result.series(i, 2), WithinRel(0.2, 1e-9));
    CHECK_THAT(r.result.series(i, 3), WithinRel(5.0, 1e-9));
  }
  CHECK(std::isnan(r.metric("day_cr")));
  CHECK(r.metric("Cmax") == 0.0);
}

TEST_CASE("cart_patient: every state stays non-negative through a year of therapy",
          "[cart_patient]") {
  for (const char* solver : {"odeint_dopri5", "cvode_bdf"}) {
    INFO(solver);
    const Run r = run(std::string(R"(
model: cart_patient
time: {start: -5, end: 365}
solver: {name: )") + solver +
                      R"(}
protocol:
  - at: -4
    lymphodeplete: {}
  - at: 0
    infuse: {cells_per_kg: 5.0e6}
outputs:
  times: {from: -5, to: 365, step: 1}
  variables: [car_memory, car_effector, car_exhausted, leukaemia_cd19pos, leukaemia_cd19neg,
              b_cells, lymphocytes, macrophage_activation, il6, tocilizumab]
)");
    CHECK(r.result.series.minCoeff() >= 0.0);
    CHECK(r.result.series.rows() == 371);
  }
}

TEST_CASE("cart_patient: a tocilizumab step triggered by IL-6 fires at the crossing",
          "[cart_patient]") {
  const Run r = run(R"(
model: cart_patient
parameters: {body_weight_kg: 25, marrow_blasts_pct: 95, crs_kill_half_per_kg_d: 5.0e9}
time: {start: -5, end: 40}
solver: {rtol: 1.0e-9, atol: 1.0e-9}
protocol:
  - at: -4
    lymphodeplete: {}
  - at: 0
    infuse: {cells_per_kg: 5.0e6}
  - when: {variable: il6_pg_per_ml, crosses: 300, direction: rising}
    tocilizumab: {}
outputs:
  times: {from: -5, to: 40, step: 1}
  variables: [tocilizumab]
  metrics:
    - {name: t_il6, kind: first_above, variable: il6_pg_per_ml, level: 300}
    - {name: t_toci, kind: first_above, variable: tocilizumab, level: 1.0e-9}
    - {name: toci_max, kind: max, variable: tocilizumab}
    - {name: signal_peak, kind: max, variable: il6_signal_pg_per_ml}
)");
  const double t_il6 = r.metric("t_il6");
  REQUIRE(std::isfinite(t_il6));
  CHECK_THAT(r.metric("t_toci"), WithinAbs(t_il6, 1e-6));
  // Label dose below 30 kg: 12 mg/kg / 0.09 L/kg = 133.3 ug/mL
  CHECK_THAT(r.metric("toci_max"), WithinRel(12.0 / 0.09, 1e-9));
  // Blocked from the crossing on: the signal never gets far past the trigger level.
  CHECK(r.metric("signal_peak") < 310.0);
  CHECK(r.result.stats.events_fired == 4);  // lymphodeplete, infuse, remission, tocilizumab
  CHECK(CartPatient::tocilizumab_mg_per_kg(30.0, 0.0) == 8.0);
  CHECK(CartPatient::tocilizumab_mg_per_kg(29.0, 0.0) == 12.0);
}

TEST_CASE("cart_patient: protocol checks reject impossible or off-label plans at their step",
          "[cart_patient]") {
  const std::string head = "model: cart_patient\nprotocol:\n";  // steps start on line 3
  const std::string tail = "outputs:\n  times: {from: 0, to: 28, step: 1}\n";
  expect_protocol_error(head + "  - at: 0\n    infuse: {cells_per_kg: 6.0e6}\n" + tail,
                        "outside the label band", 3);
  expect_protocol_error(head +
                            "  - at: 0\n    infuse: {cells_per_kg: 3.0e6}\n"
                            "  - at: 2\n    lymphodeplete: {}\n" +
                            tail,
                        "comes after an infusion", 5);
  expect_protocol_error(head +
                            "  - at: 0\n    infuse: {cells_per_kg: 3.0e6, fraction: 0.7}\n"
                            "  - at: 1\n    infuse: {cells_per_kg: 3.0e6, fraction: 0.7}\n" +
                            tail,
                        "add up to 1.4 > 1", 5);
  expect_protocol_error(
      "model: cart_patient\nparameters: {body_weight_kg: 120}\nprotocol:\n"
      "  - at: 1\n    tocilizumab: {dose_mg_per_kg: 8}\n" +
          tail,
      "exceeds the label maximum of 800 mg", 4);
  // A population sample whose weight moves it across the band fails at the infusion instead.
  Vec p = default_parameters();
  p[M::body_weight_kg] = 60.0;
  Vec y(M::num_states, 0.0);
  CHECK_THROWS_AS(apply("infuse", {{"cells_per_kg", 3.0e6}}, y, p), ModelError);
}

TEST_CASE("cart_patient: remission, MRD-negativity and a CD19- relapse are located",
          "[cart_patient]") {
  const Run r = run(R"(
model: cart_patient
parameters: {cd19neg_fraction: 1.0e-5}
time: {start: -5, end: 365}
protocol:
  - at: -4
    lymphodeplete: {}
  - at: 0
    infuse: {cells_per_kg: 3.0e6}
outputs:
  times: {from: -5, to: 365, step: 5}
  variables: [marrow_blasts_pct, cd19neg_blast_share]
)");
  const double cr = r.metric("day_cr");
  const double mrd = r.metric("day_mrd_negative");
  const double relapse = r.metric("day_relapse");
  REQUIRE(std::isfinite(cr));
  REQUIRE(std::isfinite(mrd));
  CHECK(mrd >= cr);
  CHECK(r.metric("response_day28") == 1.0);
  REQUIRE(std::isfinite(relapse));
  CHECK(relapse > mrd);
  CHECK(r.metric("relapse_cd19") == 2.0);  // the CD19- clone escaped
  // CAR-T cells persist and keep the B cells aplastic through the year.
  CHECK(r.metric("b_aplasia_until") == 365.0);
}

TEST_CASE("cart_patient solvers agree on the clinical metrics", "[cart_patient][solvers]") {
  const std::string body = R"(
model: cart_patient
time: {start: -5, end: 60}
protocol:
  - at: -4
    lymphodeplete: {}
  - at: 0
    infuse: {cells_per_kg: 3.0e6}
outputs:
  times: [0, 28, 60]
  variables: [transgene_copies_per_ug]
)";
  const Run a = run(body + "solver: {name: odeint_dopri5, rtol: 1.0e-8, atol: 1.0e-8}\n");
  const Run b = run(body + "solver: {name: cvode_bdf, rtol: 1.0e-8, atol: 1.0e-8}\n");
  for (const char* metric : {"Cmax", "Tmax", "AUC_0_28", "il6_peak", "day_cr"}) {
    INFO(metric);
    CHECK_THAT(a.metric(metric), WithinRel(b.metric(metric), 1e-4));
  }
}

TEST_CASE("cart_patient describes its sources", "[cart_patient][description]") {
  const ModelInfo& info = CartPatient().info();
  CHECK(info.default_solver == "dopri5");
  CHECK_THAT(info.references, Catch::Matchers::Contains("doi:10.1002/psp4.12388"));
  CHECK_THAT(info.references, Catch::Matchers::Contains("doi:10.1371/journal.pcbi.1012908"));
  CHECK(get_model("cart_patient") != nullptr);
  for (const auto& p : info.parameters) {
    INFO(p.name);
    CHECK_FALSE(p.source.empty());
  }
}
