#pragma once
// Multiphasic cellular kinetics of tisagenlecleucel (Stein et al. 2019), transgene level in blood.
//
// States (copies/ug genomic DNA): E effector-like, M memory-like; observed C = E + M.
//   expansion,   t < Tmax:  dE/dt = rho E,             rho = ln(foldx) / Tmax,   dM/dt = 0
//   contraction, t >= Tmax: dE/dt = -alpha E,          dM/dt = k E - beta M,     k = FB (alpha - beta)
//   E(0) = Cmax / foldx, M(0) = 0; time 0 is the infusion.
// Closed form: C(t) = E(0) e^{rho t} before Tmax, and after it
//   C(t) = Cmax [(1 - FB) e^{-alpha (t - Tmax)} + FB e^{-beta (t - Tmax)}].
// The switch at Tmax is a model event that sets the internal parameter `phase` from 0 to 1.
//
// Source: Stein AM, Grupp SA, Levine JE, et al. CPT Pharmacometrics Syst Pharmacol 2019;8(5):285-295,
// doi:10.1002/psp4.12388, Table 1 (typical values; ELIANA + ENSIGN, 90 patients, r/r B-ALL).
// Deviations: tocilizumab/steroid multipliers on expansion (1.2 and 1.0 in the paper) are left out.
#include "cartsim/core/model.hpp"

namespace cartsim::models {

class Stein2019 final : public OdeModel {
 public:
  enum Parameter : std::size_t { foldx, tmax, cmax, alpha, fb, beta, phase };
  enum State : std::size_t { E, M };

  const ModelInfo& info() const override;
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override;
  bool has_jacobian() const override { return true; }
  void jacobian(double t, std::span<const double> y, std::span<const double> p,
                Eigen::Ref<Eigen::MatrixXd> jac) const override;
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override;
  void initial_state(std::span<const double> p, std::span<double> y0) const override;
  void check_run(double t0, std::span<const double> p) const override;
  void model_events(double t0, std::span<const double> p, EventSet& events) const override;

  /// The closed form C(t) (copies/ug) for the parameters p, time since infusion t (days).
  static double exact_level(double t, std::span<const double> p);
};

}  // namespace cartsim::models
