#pragma once
// Logistic growth: the teaching model with an exact solution.
//
//   dN/dt = r N (1 - N / K)                                   N cells, t days
//   N(t)  = K N0 e^{r t} / (K + N0 (e^{r t} - 1))             exact solution (N0 = N(0))
//   t_half = ln((K - N0) / N0) / r                            time to reach K/2 when N0 < K/2
//
// Verhulst PF. Correspondance mathematique et physique 1838;10:113-121. The defaults are assumed
// (a round T-cell culture example), not fitted to data.
#include "cartsim/core/model.hpp"

namespace cartsim::models {

class Logistic final : public OdeModel {
 public:
  enum Parameter : std::size_t { r, K, N0 };
  enum State : std::size_t { N };

  const ModelInfo& info() const override;
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override;
  bool has_jacobian() const override { return true; }
  void jacobian(double t, std::span<const double> y, std::span<const double> p,
                Eigen::Ref<Eigen::MatrixXd> jac) const override;
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override;
  void initial_state(std::span<const double> p, std::span<double> y0) const override;

  /// The exact solution N(t) for N(0) = n0.
  static double exact(double t, double r, double k, double n0);
};

}  // namespace cartsim::models
