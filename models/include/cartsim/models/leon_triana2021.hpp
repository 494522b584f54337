#pragma once
// CAR-T cells, leukaemic B cells and healthy B cells in B-ALL: the reduced model of León-Triana et
// al. 2021 (equations (4a)-(4c); BioModels BIOMD0000001011). Whole-body cell counts, t in days.
//
//   dC/dt = rho_c (L + B) C - C / tau_c         CAR-T cells, stimulated by every CD19+ cell
//   dL/dt = rho_l L - alpha L C                 leukaemic cells
//   dB/dt = -alpha B C - B / tau_b              healthy (mature) B cells, no production
//
// rho_c = alpha / 4 in the paper (an SBML assignment rule); here it is its own parameter with that
// default. Maximum expansion (deaths neglected): C + (rho_c/alpha)(L + B) is conserved, so
// C_max ~ C(0) + (L(0) + B(0)) / 4, nearly independent of the dose when C(0) << (L(0) + B(0)) / 4.
//
// Source: León-Triana O, Sabir S, Calvo GF, et al. Commun Nonlinear Sci Numer Simul 2021;94:105570,
// doi:10.1016/j.cnsns.2020.105570. The full 5-state model with CD19- escape is not implemented:
// see docs/models/leon_triana2021.md.
#include "cartsim/core/model.hpp"

namespace cartsim::models {

class LeonTriana2021 final : public OdeModel {
 public:
  enum Parameter : std::size_t { alpha, rho_c, tau_c, rho_l, tau_b, c0, l0, b0 };
  enum State : std::size_t { C, L, B };

  const ModelInfo& info() const override;
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override;
  bool has_jacobian() const override { return true; }
  void jacobian(double t, std::span<const double> y, std::span<const double> p,
                Eigen::Ref<Eigen::MatrixXd> jac) const override;
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override;
  void initial_state(std::span<const double> p, std::span<double> y0) const override;
};

}  // namespace cartsim::models
