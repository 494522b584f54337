#include "cartsim/models/logistic.hpp"

#include <cmath>

namespace cartsim::models {

const ModelInfo& Logistic::info() const {
  static const ModelInfo model_info = [] {
    ModelInfo m;
    m.name = "logistic";
    m.default_solver = "dopri5";  // non-stiff; measured fastest by bench/solve_bench
    m.title = "Logistic growth (teaching model with an exact solution)";
    m.summary =
        "A population N grows at per-capita rate r until it nears its carrying capacity K. "
        "Used for teaching and to test every solver against the exact solution.";
    m.equations =
        "dN/dt = r N (1 - N/K)\n"
        "exact: N(t) = K N0 e^(r t) / (K + N0 (e^(r t) - 1))\n"
        "time to half capacity: t_half = ln((K - N0)/N0) / r  (N0 < K/2)";
    m.references =
        "Verhulst PF. Notice sur la loi que la population suit dans son accroissement. "
        "Correspondance mathematique et physique 1838;10:113-121.";
    m.deviations = "none";
    m.states = {{"N", "cells", "population size", true}};
    m.parameters = {
        {"r", "1/d", "per-capita growth rate at low density", 0.5, 0.0, 100.0,
         "assumed: activated T cells double in about 1.4 d"},
        {"K", "cells", "carrying capacity", 1.0e9, 1.0, 1.0e15,
         "assumed: round number for a culture vessel"},
        {"N0", "cells", "initial population N(0)", 1.0e6, 0.0, 1.0e15, "assumed"},
    };
    m.observables = {{"fraction_of_capacity", "1", "N / K"}};
    m.metrics = {
        MetricSpec{.name = "N_max",
                   .kind = MetricKind::max,
                   .variable = "N",
                   .unit = "cells",
                   .description = "largest population over the run"},
        MetricSpec{.name = "t_half",
                   .kind = MetricKind::first_above,
                   .variable = "fraction_of_capacity",
                   .unit = "d",
                   .description = "first time N reaches K/2",
                   .level = 0.5},
    };
    return m;
  }();
  return model_info;
}

void Logistic::rhs(double, std::span<const double> y, std::span<const double> p,
                   std::span<double> dydt) const {
  dydt[N] = p[r] * y[N] * (1.0 - y[N] / p[K]);
}

void Logistic::jacobian(double, std::span<const double> y, std::span<const double> p,
                        Eigen::Ref<Eigen::MatrixXd> jac) const {
  jac(N, N) = p[r] * (1.0 - 2.0 * y[N] / p[K]);
}

void Logistic::observables(double, std::span<const double> y, std::span<const double> p,
                           std::span<double> out) const {
  out[0] = y[N] / p[K];
}

void Logistic::initial_state(std::span<const double> p, std::span<double> y0) const {
  y0[N] = p[N0];
}

double Logistic::exact(double t, double r_value, double k, double n0) {
  const double growth = std::exp(r_value * t);
  return k * n0 * growth / (k + n0 * (growth - 1.0));
}

}  // namespace cartsim::models
