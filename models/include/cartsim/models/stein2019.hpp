#pragma once
// Multiphasic cellular kinetics of tisagenlecleucel (Stein et al. 2019), transgene level in blood.
//
// States (copies/ug genomic DNA): E effector-like, M memory-like; observed C = E + M.
//   expansion,   t < Tmax:  dE/dt = rho E,             rho = ln(foldx) / Tmax,   dM/dt = 0
//   contraction, t >= Tmax: dE/dt = -alpha E,          dM/dt = k E - beta M,     k = FB (alpha -
//   beta) E(0) = Cmax / foldx, M(0) = 0; time 0 is the infusion.
// Closed form: C(t) = E(0) e^{rho t} before Tmax, and after it
//   C(t) = Cmax [(1 - FB) e^{-alpha (t - Tmax)} + FB e^{-beta (t - Tmax)}].
// The switch at Tmax is a model event that sets the internal parameter `phase` from 0 to 1.
//
// Covariates (power model on Cmax, centred on the Stein 2019 Table 2 medians; exponents 0 by
// default because the paper's final model retained no covariate):
//   Cmax_i = cmax (dose_per_kg / 3.1e6)^cmax_dose_exponent (weight_kg / 39)^cmax_weight_exponent.
// Observation with residual error (off by default): C_obs = C exp(sigma_log z(t)), z ~ N(0, 1),
// z(t) from a counter-based stream keyed by the run's (seed, sample, replicate) and t itself, so
// the same observation time always gives the same noise, on any thread.
//
// Source: Stein AM, Grupp SA, Levine JE, et al. CPT Pharmacometrics Syst Pharmacol
// 2019;8(5):285-295, doi:10.1002/psp4.12388, Table 1 (typical values; ELIANA + ENSIGN, 90 patients,
// r/r B-ALL). Deviations: tocilizumab/steroid multipliers on expansion (1.2 and 1.0 in the paper)
// are left out.
#include "cartsim/core/model.hpp"

namespace cartsim::models {

class Stein2019 final : public OdeModel {
 public:
  enum Parameter : std::size_t {
    foldx,
    tmax,
    cmax,
    alpha,
    fb,
    beta,
    phase,
    weight_kg,
    dose_per_kg,
    cmax_dose_exponent,
    cmax_weight_exponent,
    residual_error,
    sigma_log,
    residual_key,
  };
  enum Observable : std::size_t { C, C_obs };
  /// Covariate reference values: the medians of Stein 2019 Table 2 (weight) and of the dose of
  /// the patients <= 50 kg (cells/kg).
  static constexpr double reference_weight_kg = 39.0;
  static constexpr double reference_dose_per_kg = 3.1e6;
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
  /// The patient's peak level: cmax times the covariate effects of dose and weight (copies/ug).
  static double individual_cmax(std::span<const double> p);
  /// The standard normal residual z of the observation at time t for the run keyed by `key`
  /// (the internal parameter residual_key); a pure function of (key, t).
  static double residual_normal(double key, double t);
};

}  // namespace cartsim::models
