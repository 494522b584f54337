// kimmel2021: right-hand side at hand-computed values, the unit conversion of Table 1, the
// Jacobian in the stochastic regime, positivity, and the hybrid tumour: reproducibility by
// (seed, sample, replicate), and the extinction probability of a pure birth-death process.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "cartsim/core/errors.hpp"
#include "cartsim/core/random.hpp"
#include "cartsim/core/recorders.hpp"
#include "cartsim/models/kimmel2021.hpp"
#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"
#include "cartsim/solvers/solver.hpp"
#include "support.hpp"

using namespace cartsim;
using M = models::Kimmel2021;

namespace {
std::span<double> view(Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}

/// Round numbers that make the arithmetic below checkable by hand.
Eigen::VectorXd hand_parameters() {
  Eigen::VectorXd p = M().info().default_parameters();
  p[M::kn] = 1000.0;
  p[M::kc] = 250.0;
  p[M::rn] = 0.2;
  p[M::rho_c] = 0.05;
  p[M::a] = 1.0;
  p[M::b] = 0.5;
  p[M::rb] = 0.1;
  p[M::gamma_b] = 1.0;
  p[M::kb] = 100.0;
  return p;
}

RunPlan plan_from(const std::string& yaml) {
  return make_plan(parse_scenario(yaml, "kimmel_test.yaml"));
}
}  // namespace

TEST_CASE("kimmel2021 right-hand side at a chosen state, both regimes", "[kimmel2021]") {
  const M m;
  Eigen::VectorXd p = hand_parameters();
  m.derive_parameters(view(p));  // ln kn, ln kc from the hand-chosen capacities
  Eigen::VectorXd y(4), dy(4);
  y << 300.0, 200.0, 50.0, 0.0;  // N, C, B, H; T = N + C = 500
  m.rhs(0.0, view(y), view(p), view(dy));
  // dN = rn N ln(kn/T) = 0.2 * 300 * ln(1000/500) = 60 ln 2 = 41.588830...
  CHECK(dy[M::N] == Approx(60.0 * std::log(2.0)).epsilon(1e-14));
  // rC = rho_c + b (T - kn)^2 / (a T^2 + (T - kn)^2) = 0.05 + 0.5 * 250000 / (250000 + 250000)
  //    = 0.05 + 0.25 = 0.3 /d;  dC = rC C ln(kc/T) = 0.3 * 200 * ln(250/500) = -60 ln 2
  CHECK(M::car_growth_rate(500.0, view(p)) == Approx(0.3).epsilon(1e-15));
  CHECK(dy[M::C] == Approx(-60.0 * std::log(2.0)).epsilon(1e-14));
  // dB = rb B - gamma_b B C/(kb + C) = 0.1 * 50 - 1 * 50 * 200/300 = 5 - 33.333... = -28.333...
  CHECK(dy[M::B] == Approx(5.0 - 100.0 / 3.0).epsilon(1e-14));
  CHECK(dy[M::H] == 0.0);

  p[M::mode] = 1.0;  // stochastic tumour: B frozen in the ODE, H integrates births + deaths
  m.rhs(0.0, view(y), view(p), view(dy));
  CHECK(dy[M::B] == 0.0);
  CHECK(dy[M::H] == Approx(5.0 + 100.0 / 3.0).epsilon(1e-14));     // 38.333... events/d
  CHECK(dy[M::N] == Approx(60.0 * std::log(2.0)).epsilon(1e-14));  // N and C unchanged
}

TEST_CASE("kimmel2021 blood conversion reproduces the paper's blood counts", "[kimmel2021]") {
  // Kimmel 2021 fitted in cells/uL and converted with V = 5e6 uL and 1 % of T cells in blood:
  // Table 1's whole-body values must map back onto the blood values in Figures 2 and 3.
  const M m;
  Eigen::VectorXd p = m.info().default_parameters();
  Eigen::VectorXd y(4), obs(5);
  y << p[M::kn], p[M::c0], p[M::b0], 0.0;
  m.observables(0.0, view(y), view(p), view(obs));
  CHECK(obs[M::N_blood] == Approx(500.0).epsilon(1e-14));        // kn: plateau of Fig. 2a, 500 /uL
  CHECK(obs[M::C_blood] == Approx(0.36).epsilon(1e-14));         // C(0): 0.36 /uL, Fig. 2b
  CHECK(obs[M::tumour_volume] == Approx(94.86).epsilon(1e-14));  // median 94.86 mL, Fig. 1c
  y[M::N] = p[M::n0];
  m.observables(0.0, view(y), view(p), view(obs));
  CHECK(obs[M::N_blood] == Approx(6.0).epsilon(1e-14));  // N(0): 6 /uL (authors' code)
  CHECK(obs[M::extinct] == 0.0);
}

TEST_CASE("kimmel2021 Jacobian in the stochastic regime matches differences", "[kimmel2021]") {
  // The generic test in test_models.cpp covers mode 0; here mode 1, at a state near the CAR-T
  // peak where every entry is non-zero.
  const M m;
  Eigen::VectorXd p = m.info().default_parameters();
  p[M::mode] = 1.0;
  Eigen::VectorXd y(4);
  y << 2.0e10, 1.5e10, 80.0, 0.3;
  Eigen::MatrixXd jac = Eigen::MatrixXd::Zero(4, 4);
  m.jacobian(1.0, view(y), view(p), jac);
  Eigen::VectorXd fp(4), fm(4);
  for (Eigen::Index j = 0; j < 4; ++j) {
    const double h = 1e-5 * std::max(std::abs(y[j]), 1.0);
    Eigen::VectorXd yp = y, ym = y;
    yp[j] += h;
    ym[j] -= h;
    m.rhs(1.0, view(yp), view(p), view(fp));
    m.rhs(1.0, view(ym), view(p), view(fm));
    for (Eigen::Index i = 0; i < 4; ++i) {
      INFO("d f" << i << " / d y" << j);
      // Central differences with h = 1e-5 relative have truncation error ~h^2 ~ 1e-10 relative
      // for these smooth terms; 1e-6 leaves room for round-off in the logarithms.
      CHECK(jac(i, j) == Approx((fp[i] - fm[i]) / (2 * h)).epsilon(1e-6).margin(1e-12));
    }
  }
}

TEST_CASE("kimmel2021 hybrid mode without a random stream fails with a clear ModelError",
          "[kimmel2021]") {
  const M m;
  Problem problem = testing::make_problem(m, 0.0, 10.0);
  testing::Trace trace;
  try {
    make_solver("cvode_bdf", SolverOptions{})->solve(problem, trace);
    FAIL("expected ModelError");
  } catch (const ModelError& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("needs a random stream"));
  }
  problem.p[M::hybrid] = 0.0;  // the deterministic model needs none
  CHECK_NOTHROW(make_solver("cvode_bdf", SolverOptions{})->solve(problem, trace));
}

TEST_CASE("kimmel2021 stays non-negative and the hybrid runs on every solver", "[kimmel2021]") {
  for (const auto& solver : testing::all_solvers()) {
    SECTION(solver) {
      const RunPlan plan = plan_from(
          "model: kimmel2021\nseed: 3\nsolver: {name: " + solver +
          ", rtol: 1.0e-8, atol: 1.0e-6}\n"
          "outputs:\n  times: {from: 0, to: 120, step: 0.5}\n  metrics: [tumour_min, extinct]\n");
      Simulator simulator(plan, 3);
      for (std::size_t replicate = 0; replicate < 3; ++replicate) {
        const SampleResult r = simulator.run(0, replicate);
        REQUIRE(r.ok);
        CHECK(r.series.minCoeff() >= 0.0);  // every state and observable, every output time
        // Default rb = 0.065 /d: the tumour reaches the stochastic regime near day 36; after it
        // each recorded B is a whole number of cells. Margin 1e-9 cells: odeint backends record
        // from their dense output, which reproduces a constant only to round-off.
        for (Eigen::Index row = 80; row < r.series.rows(); ++row) {
          CHECK(r.series(row, M::B) == Approx(std::round(r.series(row, M::B))).margin(1e-9));
        }
      }
    }
  }
}

TEST_CASE("kimmel2021 hybrid runs are reproducible by seed, sample and replicate",
          "[kimmel2021][random]") {
  // rb = 0.12 /d: the tumour dips to a few cells, so cure and regrowth are both likely and
  // replicates take different paths.
  const RunPlan plan = plan_from(
      "model: kimmel2021\nparameters: {rb: 0.12}\nsolver: {name: cvode_bdf, rtol: 1.0e-8, "
      "atol: 1.0e-6}\noutputs:\n  times: {from: 0, to: 200, step: 1}\n");
  Simulator first(plan, 11);
  Simulator second(plan, 11);
  const SampleResult a = first.run(4, 2);
  const SampleResult b = second.run(4, 2);
  const SampleResult a_again = first.run(4, 2);  // reusing the simulator changes nothing
  REQUIRE(a.ok);
  REQUIRE(b.ok);
  CHECK(a.series == b.series);  // bitwise
  CHECK(a.series == a_again.series);
  CHECK(a.stats.events_fired == b.stats.events_fired);
  bool any_differs = false;
  for (std::size_t replicate = 0; replicate < 5; ++replicate) {
    const SampleResult other = first.run(4, replicate + 10);
    REQUIRE(other.ok);
    any_differs = any_differs || !(other.series == a.series);
  }
  CHECK(any_differs);
}

TEST_CASE("kimmel2021 extinction probability of a pure birth-death tumour is (d/b)^n0",
          "[kimmel2021][random][statistics]") {
  // Test configuration: N and C held constant (rn = rho_c = b = 0, so both derivatives vanish)
  // with C = kb, so every tumour cell dies at d = gamma_b * C/(kb + C) = 0.5 /d and divides at
  // b = rb = 1 /d. The tumour starts at n0 = 2 cells, below the threshold, so the model's start
  // event makes it stochastic at once. A linear birth-death process with b > d goes extinct with
  // probability (d/b)^n0 = 0.25. Reaching the threshold (20 cells) ends the stochastic part; from
  // there extinction has probability 0.5^21 < 1e-6, negligible. By day 60 a path has gone extinct
  // or passed the threshold except with negligible probability (net growth 0.5 /d).
  const RunPlan plan = plan_from(
      "model: kimmel2021\n"
      "parameters: {rn: 0, rho_c: 0, b: 0, rb: 1.0, gamma_b: 1.0, kb: 1.0e9, c0: 1.0e9, "
      "b0: 2, stochastic_threshold: 20}\n"
      "solver: {name: cvode_bdf, rtol: 1.0e-8, atol: 1.0e-8}\n"
      "outputs:\n  times: [0, 60]\n  variables: [B]\n  metrics: [extinct]\n");
  constexpr int replicates = 2000;  // 4 sigma = 0.039 around 0.25; ~2 s on one core
  Simulator simulator(plan, 20210229);
  int extinct = 0;
  for (int i = 0; i < replicates; ++i) {
    const SampleResult r = simulator.run(0, static_cast<std::size_t>(i));
    REQUIRE(r.ok);
    extinct += r.metrics[0] > 0.5 ? 1 : 0;
  }
  const double p_exact = std::pow(0.5 / 1.0, 2);
  const double p_hat = static_cast<double>(extinct) / replicates;
  const double sigma = std::sqrt(p_exact * (1.0 - p_exact) / replicates);  // binomial s.d.
  INFO("extinct " << extinct << " of " << replicates << " = " << p_hat << "; exact " << p_exact
                  << ", sigma " << sigma);
  // 4 sigma: a correct implementation fails this with probability ~6e-5.
  CHECK(std::abs(p_hat - p_exact) <= 4.0 * sigma);
}

namespace {
/// Kimmel2021 seen only through the OdeModel interface: another class, so dopri5 runs its generic
/// backend (a virtual call per right-hand side) instead of the one compiled for Kimmel2021.
class ThroughInterface final : public OdeModel {
 public:
  const ModelInfo& info() const override { return inner_.info(); }
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override {
    inner_.rhs(t, y, p, dydt);
  }
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override {
    inner_.observables(t, y, p, out);
  }
  void initial_state(std::span<const double> p, std::span<double> y0) const override {
    inner_.initial_state(p, y0);
  }
  void derive_parameters(std::span<double> p) const override { inner_.derive_parameters(p); }
  void model_events(double t0, std::span<const double> p, EventSet& events) const override {
    inner_.model_events(t0, p, events);
  }

 private:
  M inner_;
};
}  // namespace

TEST_CASE("kimmel2021 on dopri5 and tsit5: the compiled backend equals the generic one bitwise",
          "[kimmel2021][solver]") {
  // dopri5 and tsit5 inline Kimmel2021's right-hand side into a backend instantiated for it (see
  // solvers/src/explicit_rk_solver.cpp); any other class goes through the generic backend. The
  // arithmetic is the same, so every output, event and counter must be identical. The hybrid
  // regime (rb 0.12: the tumour reaches the stochastic threshold) exercises state events.
  const M direct;
  const ThroughInterface wrapped;
  const auto times = testing::grid(0.0, 200.0, 0.5);
  std::vector<VariableRef> columns;
  for (std::size_t i = 0; i < direct.num_states(); ++i) {
    columns.push_back({VariableRef::Kind::state, i});
  }
  for (const char* solver_name : {"dopri5", "tsit5"}) {
    // One solver object for every solve: it switches between its compiled and generic backends
    // by the model's class, and reports the right statistics after each.
    auto solver = make_solver(solver_name, SolverOptions{.rtol = 1e-6, .atol = 1e-3});
    for (double rb : {0.05, 0.12, 0.4}) {
      auto solve = [&](const OdeModel& model, SolveStats& stats) {
        Problem problem = testing::make_problem(model, 0.0, 200.0);
        problem.p[M::rb] = rb;
        RandomStream random(7, 1, 0, RandomPurpose::events);
        problem.random = &random;
        GridRecorder grid(model, times, columns);
        testing::Trace trace;
        ObserverPair both(grid, trace);
        stats = solver->solve(problem, both);
        CHECK(solver->last_stats().steps == stats.steps);
        CHECK(solver->last_stats().rhs_evaluations == stats.rhs_evaluations);
        return std::pair{grid.values(), trace};
      };
      SolveStats compiled_stats;
      SolveStats generic_stats;
      const auto [compiled, compiled_trace] = solve(direct, compiled_stats);
      const auto [generic, generic_trace] = solve(wrapped, generic_stats);
      SolveStats again_stats;
      const auto [again, again_trace] = solve(direct, again_stats);  // back to the compiled one
      CHECK(again == compiled);
      CHECK(again_stats.rhs_evaluations == compiled_stats.rhs_evaluations);
      INFO(solver_name << ", rb = " << rb);
      CHECK(compiled_stats.steps > 100);
      if (rb == 0.12) {
        CHECK(compiled_stats.events_fired > 10);  // the stochastic regime was entered and ran
      }
      CHECK(compiled_stats.steps == generic_stats.steps);
      CHECK(compiled_stats.rhs_evaluations == generic_stats.rhs_evaluations);
      CHECK(compiled_stats.events_fired == generic_stats.events_fired);
      CHECK(compiled == generic);  // bitwise, every state at every output time
      CHECK(compiled_trace.y_finish == generic_trace.y_finish);
      REQUIRE(compiled_trace.events.size() == generic_trace.events.size());
      for (std::size_t i = 0; i < compiled_trace.events.size(); ++i) {
        CHECK(compiled_trace.events[i].t == generic_trace.events[i].t);
        CHECK(compiled_trace.events[i].y == generic_trace.events[i].y);
      }
    }
  }
}
