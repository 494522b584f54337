// hanson2016: right-hand side at the SBML initial state by hand, the Jacobian while the lymphocyte
// niche is open (the generic test sees only a full niche), the hours-to-days conversion as a time
// rescaling, and the drug-flux check.
#include <catch2/catch.hpp>
#include <cmath>

#include "cartsim/core/errors.hpp"
#include "cartsim/models/hanson2016.hpp"
#include "support.hpp"

using namespace cartsim;
using M = models::Hanson2016;

namespace {
std::span<double> view(Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}
}  // namespace

TEST_CASE("hanson2016 right-hand side at the SBML initial state", "[hanson2016]") {
  const M m;
  Eigen::VectorXd p = m.info().default_parameters();
  Eigen::VectorXd y(7), dy(7);
  m.initial_state(view(p), view(y));  // Ce = Cm = He = Hm = 10, B = 300, L = 1600, I = 140
  m.rhs(0.0, view(y), view(p), view(dy));
  // S = 140^2 / (140^2 + 800^2) = 19600 / 659600 = 0.0297150...; niche: 300 + 40 + 1600 > 1600,
  // so LT = 0. Rates per day = 24 x the SBML's per-hour values.
  const double s = 19600.0 / 659600.0;
  // dB = 0.072 * 300 * (1 - 300/4800) - 0.0048 * 300 * 10 = 20.25 - 14.4 = 5.85
  CHECK(dy[M::B] == Approx(20.25 - 14.4).epsilon(1e-14));
  // cytotoxic activation = 9.6e-6 * 300 * 10 * (1 + 2 * 10) * S = 0.6048 S
  // dCe = 64 * 0.6048 S - 0.096 * 10;  dCm = 2.4 * 10 * 0 - 0.6048 S
  CHECK(dy[M::Ce] == Approx(64.0 * 0.6048 * s - 0.96).epsilon(1e-13));
  CHECK(dy[M::Cm] == Approx(-0.6048 * s).epsilon(1e-13));
  // helper activation = 1.92e-3 * 300 * 10 * S = 5.76 S;  dHe = 64 * 5.76 S - 0.96; dHm = -5.76 S
  CHECK(dy[M::He] == Approx(64.0 * 5.76 * s - 0.96).epsilon(1e-13));
  CHECK(dy[M::Hm] == Approx(-5.76 * s).epsilon(1e-13));
  // dL = 9.6 + 0 - 0.0048 * 1600 = 9.6 - 7.68 = 1.92
  CHECK(dy[M::L] == Approx(1.92).epsilon(1e-13));
  // dI = 0.048 * 300 * (10 + 10) - 36 * 140 - 0 + 4800 = 288 - 5040 + 4800 = 48
  CHECK(dy[M::I] == Approx(48.0).epsilon(1e-13));
}

TEST_CASE("hanson2016 Jacobian with an open lymphocyte niche matches differences", "[hanson2016]") {
  const M m;
  Eigen::VectorXd p = m.info().default_parameters();
  Eigen::VectorXd y(7);
  y << 30.0, 8.0, 25.0, 6.0, 200.0, 900.0, 500.0;  // occupied 1169 < l = 1600: LT = 0.269 > 0
  Eigen::MatrixXd jac = Eigen::MatrixXd::Zero(7, 7);
  m.jacobian(0.0, view(y), view(p), jac);
  Eigen::VectorXd fp(7), fm(7);
  for (Eigen::Index j = 0; j < 7; ++j) {
    const double h = 1e-5 * std::abs(y[j]);
    Eigen::VectorXd yp = y, ym = y;
    yp[j] += h;
    ym[j] -= h;
    m.rhs(0.0, view(yp), view(p), view(fp));
    m.rhs(0.0, view(ym), view(p), view(fm));
    for (Eigen::Index i = 0; i < 7; ++i) {
      INFO("d f" << i << " / d y" << j);
      // Rational and polynomial terms away from the niche kink: central differences with
      // h = 1e-5 relative are accurate to ~1e-10; 1e-6 leaves room for cancellation.
      CHECK(jac(i, j) == Approx((fp[i] - fm[i]) / (2 * h)).epsilon(1e-6).margin(1e-9));
    }
  }
}

TEST_CASE("hanson2016 in days is the source's hourly model with time rescaled", "[hanson2016]") {
  // With every rate divided by 24 (the source's per-hour values), the solution at 24 t "days"
  // equals the day-based model at t: y_days(t) = y_hours(24 t). Tolerance 1e-6: both solves use
  // rtol = 1e-10, and the events-free trajectories differ only by integration error.
  const M m;
  const M::Parameter rates[] = {M::r1, M::r2, M::r3, M::r4, M::d1, M::d2, M::d3, M::d4,
                                M::d5, M::p0, M::p1, M::p2, M::a1, M::a3, M::D};
  SolverOptions options;
  options.rtol = 1e-10;
  options.atol = 1e-10;
  Problem days = testing::make_problem(m, 0.0, 10.0);
  Problem hours = testing::make_problem(m, 0.0, 240.0);
  for (auto r : rates) {
    hours.p[r] /= 24.0;
  }
  CHECK(hours.p[M::d2] == Approx(1.5).epsilon(1e-15));    // SBML d_2 = 1.5 /h
  CHECK(hours.p[M::p0] == Approx(200.0).epsilon(1e-15));  // SBML p_0 = 200 /h
  auto rec_days = testing::state_recorder(m, testing::grid(0.0, 10.0, 1.0));
  auto rec_hours = testing::state_recorder(m, testing::grid(0.0, 240.0, 24.0));
  make_solver("cvode_bdf", options)->solve(days, rec_days);
  make_solver("cvode_bdf", options)->solve(hours, rec_hours);
  for (Eigen::Index i = 0; i < rec_days.values().rows(); ++i) {
    for (Eigen::Index j = 0; j < 7; ++j) {
      INFO("day " << i << " state " << j);
      CHECK_THAT(rec_days.values()(i, j),
                 Catch::Matchers::WithinRel(rec_hours.values()(i, j), 1e-6));
    }
  }
}

TEST_CASE("hanson2016 rejects a drug flux above the constant inflammation input", "[hanson2016]") {
  const M m;
  Eigen::VectorXd p = m.info().default_parameters();
  p[M::D] = 5000.0;  // > p0 = 4800 /d
  CHECK_THROWS_AS(m.check_run(0.0, view(p)), ParameterError);
  p[M::D] = 4800.0;
  CHECK_NOTHROW(m.check_run(0.0, view(p)));
}
