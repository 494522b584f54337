#pragma once
// Normal T cells, CAR-T cells and tumour with Gompertz competition, and a hybrid
// deterministic-stochastic tumour (Kimmel, Locke & Altrock 2021). Whole-body cell counts, t in
// days.
//
//   T = N + C                                                         total T cells (cells)
//   dN/dt = rN N ln(KN / T)                                           normal T cells (Gompertz)
//   dC/dt = rC(T) C ln(KC / T),  rC(T) = rhoC + b (T - KN)^2 / (a T^2 + (T - KN)^2)
//   dB/dt = rB B - gammaB B C / (kB + C)                              tumour (deterministic regime)
//
// Hybrid form (parameter `hybrid` = 1, the default): once B falls to `stochastic_threshold` cells
// the tumour becomes a birth-death process (births rB B, deaths gammaB B C/(kB + C), per day) while
// N and C stay deterministic. It is simulated exactly with the integrated-hazard method inside the
// event machinery: a state H (cumulative hazard) obeys dH/dt = birth + death rate while stochastic
// (0 otherwise) and dB/dt = 0; when H reaches next_threshold ~ Exp(1) one birth or death fires
// (probability proportional to the rates at that moment), H resets and a new Exp(1) is drawn. B = 0
// is extinction (absorbing, cure); B above the threshold returns to the deterministic regime.
// All draws come from EventContext::random (keyed by seed, sample, replicate).
//
// Observables in blood (cells/uL) = cells x blood_fraction / blood_volume_ul; the defaults (1 % of
// T cells circulate, 5 L = 5e6 uL) are the conversion Kimmel et al. used to turn their fitted
// blood counts into the whole-body values of their Table 1 (their code, MathOnco/CARTecology).
//
// Source: Kimmel GJ, Locke FL, Altrock PM. Proc R Soc B 2021;288:20210229,
// doi:10.1098/rspb.2021.0229, Table 1; BioModels BIOMD0000001041. Deviations: see
// info().deviations.
#include <cmath>
#include <utility>

#include "cartsim/core/model.hpp"

namespace cartsim::models {

class Kimmel2021 final : public OdeModel {
 public:
  enum Parameter : std::size_t {
    kn,
    kc,
    rn,
    rho_c,
    a,
    b,
    rb,
    gamma_b,
    kb,
    n0,
    c0,
    b0,
    blood_volume_ul,
    blood_fraction,
    tumour_cells_per_ml,
    hybrid,
    stochastic_threshold,
    mode,
    next_threshold,
    ln_kn,  // derived: ln(kn), so the right-hand side takes one logarithm per evaluation
    ln_kc   // derived: ln(kc)
  };
  enum State : std::size_t { N, C, B, H };
  enum Observable : std::size_t { N_blood, C_blood, tumour_volume, extinct, regime };

  static constexpr std::size_t state_count = H + 1;

  const ModelInfo& info() const override;
  /// Defined here, not in the source file, so that solvers compiled for this class (dopri5, see
  /// solvers/src/explicit_rk_solver.cpp) inline it.
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override;
  bool has_jacobian() const override { return true; }
  void jacobian(double t, std::span<const double> y, std::span<const double> p,
                Eigen::Ref<Eigen::MatrixXd> jac) const override;
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override;
  void derive_parameters(std::span<double> p) const override;
  void initial_state(std::span<const double> p, std::span<double> y0) const override;
  void model_events(double t0, std::span<const double> p, EventSet& events) const override;

  /// CAR-T expansion rate rC(T) (1/d) at total T-cell count T (cells).
  static double car_growth_rate(double total, std::span<const double> p);
  /// Tumour birth and death rates (events/d) at state y: {rB B, gammaB B C/(kB + C)}.
  static std::pair<double, double> tumour_rates(std::span<const double> y,
                                                std::span<const double> p);
  /// True in the stochastic regime (parameter `mode` set by the model's events).
  static bool stochastic(std::span<const double> p) { return p[mode] > 0.5; }
};

inline double Kimmel2021::car_growth_rate(double total, std::span<const double> p) {
  const double d = total - p[kn];
  const double u = d * d;
  return p[rho_c] + p[b] * u / (p[a] * total * total + u);
}

inline std::pair<double, double> Kimmel2021::tumour_rates(std::span<const double> y,
                                                          std::span<const double> p) {
  const double births = p[rb] * y[B];
  const double deaths = p[gamma_b] * y[B] * y[C] / (p[kb] + y[C]);
  return {births, deaths};
}

inline void Kimmel2021::rhs(double, std::span<const double> y, std::span<const double> p,
                            std::span<double> dydt) const {
  const double total = y[N] + y[C];
  if (total > 0.0) {
    // ln(K/T) = ln K - ln T with ln K derived once (derive_parameters): one logarithm per
    // evaluation instead of two (a population run spent a fifth of its time in log).
    const double log_total = std::log(total);
    dydt[N] = p[rn] * y[N] * (p[ln_kn] - log_total);
    dydt[C] = car_growth_rate(total, p) * y[C] * (p[ln_kc] - log_total);
  } else {
    dydt[N] = 0.0;  // no T cells: nothing grows (the limit of x ln(K/x) as x -> 0)
    dydt[C] = 0.0;
  }
  const auto [births, deaths] = tumour_rates(y, p);
  if (stochastic(p)) {
    dydt[B] = 0.0;
    dydt[H] = births + deaths;
  } else {
    dydt[B] = births - deaths;
    dydt[H] = 0.0;
  }
}

}  // namespace cartsim::models
