// Model right-hand sides against hand-computed values, Jacobians against differences, and the
// completeness of each model's published description.
#include <catch2/catch.hpp>
#include <cmath>

#include "cartsim/core/errors.hpp"
#include "cartsim/models/logistic.hpp"
#include "cartsim/models/registry.hpp"
#include "cartsim/models/stein2019.hpp"

using namespace cartsim;

namespace {
Eigen::VectorXd defaults(const Model& m) {
  return m.info().default_parameters();
}
std::span<double> view(Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}
}  // namespace

TEST_CASE("logistic right-hand side at a chosen state", "[models]") {
  const models::Logistic m;
  Eigen::VectorXd p = defaults(m);
  p[models::Logistic::r] = 0.5;
  p[models::Logistic::K] = 1000.0;
  Eigen::VectorXd y(1), dy(1);
  y << 250.0;
  m.rhs(0.0, view(y), view(p), view(dy));
  // 0.5 * 250 * (1 - 250/1000) = 93.75 cells/d
  CHECK(dy[0] == Approx(93.75).epsilon(1e-15));
  CHECK(models::Logistic::exact(0.0, 0.5, 1000.0, 10.0) == Approx(10.0));
  // t_half = ln((K - N0)/N0)/r = ln(99)/0.5
  CHECK(models::Logistic::exact(std::log(99.0) / 0.5, 0.5, 1000.0, 10.0) == Approx(500.0));
}

TEST_CASE("stein2019 right-hand side in both phases", "[models]") {
  const models::Stein2019 m;
  Eigen::VectorXd p = defaults(m);
  Eigen::VectorXd y(2), dy(2);
  y << 1000.0, 50.0;
  m.rhs(0.0, view(y), view(p), view(dy));
  // expansion: rho = ln(3900)/9.3 = 0.88910.. /d; dE = rho * 1000, dM = 0
  CHECK(dy[0] == Approx(std::log(3900.0) / 9.3 * 1000.0).epsilon(1e-14));
  CHECK(dy[1] == 0.0);
  CHECK(std::log(3900.0) / 9.3 == Approx(0.889).margin(5e-4));  // Stein 2019 derived rho
  p[models::Stein2019::phase] = 1.0;
  m.rhs(0.0, view(y), view(p), view(dy));
  // contraction: dE = -0.16 * 1000 = -160; dM = 0.0079 * (0.16 - 0.0032) * 1000 - 0.0032 * 50
  CHECK(dy[0] == Approx(-160.0).epsilon(1e-15));
  CHECK(dy[1] == Approx(0.0079 * 0.1568 * 1000.0 - 0.16).epsilon(1e-14));
  Eigen::VectorXd y0(2);
  m.initial_state(view(p), view(y0));
  CHECK(y0[0] == Approx(6.15).margin(0.005));  // Stein 2019 derived E(0) = Cmax/foldx
}

TEST_CASE("analytic Jacobians match central differences", "[models][jacobian]") {
  for (const auto& name : model_names()) {
    const OdeModel* model = get_model(name)->as_ode();
    if (model == nullptr || !model->has_jacobian()) {
      continue;
    }
    for (double phase : {0.0, 1.0}) {
      Eigen::VectorXd p = defaults(*model);
      if (const auto i = model->info().find_parameter("phase")) {
        p[static_cast<Eigen::Index>(*i)] = phase;
      }
      const auto n = static_cast<Eigen::Index>(model->num_states());
      Eigen::VectorXd y = Eigen::VectorXd::LinSpaced(n, 300.0, 900.0);
      Eigen::MatrixXd jac = Eigen::MatrixXd::Zero(n, n);
      model->jacobian(1.0, view(y), view(p), jac);
      Eigen::VectorXd fp(n), fm(n);
      for (Eigen::Index j = 0; j < n; ++j) {
        const double h = 1e-4 * std::abs(y[j]);
        Eigen::VectorXd yp = y, ym = y;
        yp[j] += h;
        ym[j] -= h;
        model->rhs(1.0, view(yp), view(p), view(fp));
        model->rhs(1.0, view(ym), view(p), view(fm));
        const Eigen::VectorXd column = (fp - fm) / (2 * h);
        for (Eigen::Index i = 0; i < n; ++i) {
          INFO(name << " d f" << i << " / d y" << j);
          // Central differences are exact for these (at most quadratic) right-hand sides up to
          // round-off, so 1e-6 relative is ample.
          CHECK(jac(i, j) == Approx(column[i]).epsilon(1e-6).margin(1e-12));
        }
      }
    }
  }
}

TEST_CASE("every model describes itself completely", "[models][description]") {
  for (const auto& name : model_names()) {
    const ModelInfo& m = get_model(name)->info();
    INFO(name);
    CHECK(m.name == name);
    CHECK_FALSE(m.title.empty());
    CHECK_FALSE(m.equations.empty());
    CHECK_FALSE(m.references.empty());
    CHECK_FALSE(m.deviations.empty());
    for (const auto& s : m.states) {
      INFO(s.name);
      CHECK_FALSE(s.unit.empty());
      CHECK_FALSE(s.description.empty());
    }
    for (const auto& p : m.parameters) {
      INFO(p.name);
      CHECK_FALSE(p.unit.empty());
      CHECK_FALSE(p.source.empty());
      CHECK(p.min <= p.default_value);
      CHECK(p.default_value <= p.max);
    }
    for (const auto& spec : m.metrics) {
      INFO(spec.name);
      CHECK(get_model(name)->resolve(spec.variable).has_value());
      CHECK_FALSE(spec.unit.empty());
    }
    Eigen::VectorXd p = m.default_parameters();
    CHECK_NOTHROW(get_model(name)->check_run(0.0, view(p)));
  }
}

TEST_CASE("the registry rejects unknown names with a suggestion", "[models]") {
  CHECK(find_model("stien2019") == nullptr);
  try {
    get_model("stien2019");
    FAIL("expected ModelError");
  } catch (const ModelError& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("did you mean 'stein2019'"));
  }
}

TEST_CASE("stein2019 rejects alpha < beta and a start other than the infusion", "[models]") {
  const models::Stein2019 m;
  Eigen::VectorXd p = defaults(m);
  p[models::Stein2019::alpha] = 0.001;
  CHECK_THROWS_AS(m.check_run(0.0, view(p)), ModelError);
  p = defaults(m);
  CHECK_NOTHROW(m.check_run(0.0, view(p)));
  CHECK_THROWS_AS(m.check_run(5.0, view(p)), ModelError);  // must start at the infusion
}
