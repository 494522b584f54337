#include "cartsim/models/ishigami.hpp"

#include <cmath>
#include <numbers>

namespace cartsim::models {
namespace {
constexpr double pi = std::numbers::pi;
constexpr const char* source =
    "Ishigami T, Homma T. An importance quantification technique in uncertainty analysis for "
    "computer models. Proc. ISUMA'90, 1990:398-403";
}  // namespace

const ModelInfo& Ishigami::info() const {
  static const ModelInfo model_info = [] {
    ModelInfo m;
    m.name = "ishigami";
    m.title = "Ishigami function (teaching and test model for global sensitivity analysis)";
    m.summary =
        "A non-linear, non-monotonic function of three inputs with an interaction between x1 and "
        "x3 and an input (x3) that matters only through that interaction. Its Sobol indices are "
        "known exactly, so it checks cartsim's sensitivity analysis and shows students what "
        "first-order and total indices mean. It has no dynamics.";
    m.equations =
        "Y = sin x1 + a sin^2 x2 + b x3^4 sin x1   (observable; x ~ U(-pi, pi) in the usual test)\n"
        "dy/dt = 0 for the single placeholder state y\n"
        "S1 = 0.3139, S2 = 0.4424, S3 = 0; ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437 (a=7, b=0.1)";
    m.references = std::string(source) +
                   "; Sobol' IM, Levitan YL. Comput Phys Commun 1999;117:52-61 (indices).";
    m.deviations =
        "The function is wrapped as a model with one constant state, so that it runs "
        "through the ordinary scenario, sweep and sensitivity machinery.";
    m.states = {{"y", "1", "placeholder state (constant)", false}};
    m.parameters = {
        {"x1", "1", "first input", 0.0, -pi, pi, source},
        {"x2", "1", "second input", 0.0, -pi, pi, source},
        {"x3", "1", "third input", 0.0, -pi, pi, source},
        {"a", "1", "weight of sin^2 x2", 7.0, -1e6, 1e6, source},
        {"b", "1", "weight of the x1-x3 interaction", 0.1, -1e6, 1e6, source},
    };
    m.observables = {{"Y", "1", "the Ishigami function"}};
    m.metrics = {MetricSpec{.name = "Y",
                            .kind = MetricKind::final,
                            .variable = "Y",
                            .unit = "1",
                            .description = "the function's value"}};
    m.default_solver = "dopri5";
    return m;
  }();
  return model_info;
}

void Ishigami::rhs(double, std::span<const double>, std::span<const double>,
                   std::span<double> dydt) const {
  dydt[0] = 0.0;
}

void Ishigami::observables(double, std::span<const double>, std::span<const double> p,
                           std::span<double> out) const {
  out[0] = value(p[x1], p[x2], p[x3], p[a], p[b]);
}

void Ishigami::initial_state(std::span<const double>, std::span<double> y0) const {
  y0[0] = 0.0;
}

double Ishigami::value(double v1, double v2, double v3, double a_value, double b_value) {
  const double s2 = std::sin(v2);
  return std::sin(v1) + a_value * s2 * s2 + b_value * std::pow(v3, 4) * std::sin(v1);
}

std::array<double, 6> Ishigami::analytic_indices(double a_value, double b_value) {
  const double pi4 = std::pow(pi, 4);
  const double pi8 = std::pow(pi, 8);
  const double v1 = 0.5 * std::pow(1.0 + b_value * pi4 / 5.0, 2);
  const double v2 = a_value * a_value / 8.0;
  const double v13 = b_value * b_value * pi8 * (1.0 / 18.0 - 1.0 / 50.0);
  const double v = v1 + v2 + v13;
  return {v1 / v, v2 / v, 0.0, (v1 + v13) / v, v2 / v, v13 / v};
}

}  // namespace cartsim::models
