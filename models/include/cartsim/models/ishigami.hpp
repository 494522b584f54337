#pragma once
// The Ishigami function, a teaching and test model for global sensitivity analysis:
//   Y = sin x1 + a sin^2 x2 + b x3^4 sin x1,   x1, x2, x3 ~ U(-pi, pi), a = 7, b = 0.1
// Analytic variance decomposition (Ishigami & Homma 1990; Sobol' & Levitan 1999):
//   V  = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2
//   V1 = (1 + b pi^4/5)^2 / 2,   V2 = a^2/8,   V3 = 0,   V13 = b^2 pi^8 (1/18 - 1/50)
//   S1 = V1/V, S2 = V2/V, S3 = 0;  ST1 = (V1 + V13)/V, ST2 = S2, ST3 = V13/V
// It has no dynamics: Y is an observable of the parameters and the single state is a constant,
// so any scenario over a short time span evaluates it (metric Y, kind final).
#include <array>

#include "cartsim/core/model.hpp"

namespace cartsim::models {

class Ishigami final : public OdeModel {
 public:
  enum Parameter : std::size_t { x1, x2, x3, a, b };

  const ModelInfo& info() const override;
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override;
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override;
  void initial_state(std::span<const double> p, std::span<double> y0) const override;

  static double value(double x1, double x2, double x3, double a, double b);
  /// Analytic first-order and total indices for (a, b): {S1, S2, S3, ST1, ST2, ST3}.
  static std::array<double, 6> analytic_indices(double a, double b);
};

}  // namespace cartsim::models
