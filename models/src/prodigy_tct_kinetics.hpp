#pragma once
// prodigy_tct: the culture conditions (concentrations, stimulus, cytokine support, growth and death
// rates) computed from one state. Shared by the right-hand side and the observables so that both
// always agree. Private to models/src.
#include <cmath>
#include <span>

#include "cartsim/models/prodigy_tct.hpp"

namespace cartsim::models::prodigy_detail {

using M = ProdigyTct;

/// Below this volume (mL) the chamber counts as empty: concentrations are taken as 0.
constexpr double empty_volume_ml = 1e-9;
/// pmol/(cell h) -> mmol/(cell d): 1e-9 mmol/pmol * 24 h/d.
constexpr double pmol_per_h_to_mmol_per_d = 1e-9 * 24.0;
/// Hill exponent of starvation death in glucose (assumed: a sharp onset below the threshold).
constexpr double starvation_hill = 4.0;
/// Hill exponent of lactate growth inhibition (assumed).
constexpr double lactate_hill = 2.0;

inline double saturation(double c, double half) {
  return c > 0.0 ? c / (c + half) : 0.0;
}

/// Everything about the culture that depends on the state but not on one cell compartment.
struct Conditions {
  double volume = 0.0;           ///< mL
  double glucose_mm = 0.0;       ///< mM
  double lactate_mm = 0.0;       ///< mM
  double vector_per_ml = 0.0;    ///< IU/mL
  double stimulus = 0.0;         ///< TransAct signal s in [0, 1)
  double support = 0.0;          ///< cytokine support in [0, 1)
  double mu_cd4 = 0.0;           ///< division rate of dividing CD4 cells, 1/d
  double mu_cd8 = 0.0;           ///< division rate of dividing CD8 cells, 1/d
  double starvation = 0.0;       ///< extra death from glucose exhaustion, 1/d
  double death_resting = 0.0;    ///< resting and lag-stage T cells, 1/d
  double death_activated = 0.0;  ///< dividing and post-destiny T cells, 1/d
  double glucose_limit = 0.0;    ///< Monod factor G / (G + K_G) of growth and uptake
};

inline Conditions culture_conditions(std::span<const double> y, std::span<const double> p) {
  Conditions c;
  c.volume = y[M::volume_ml];
  const double inv_volume = c.volume > empty_volume_ml ? 1.0 / c.volume : 0.0;
  c.glucose_mm = 1000.0 * y[M::glucose_mmol] * inv_volume;  // mmol/mL -> mM
  c.lactate_mm = 1000.0 * y[M::lactate_mmol] * inv_volume;
  c.vector_per_ml = y[M::vector_iu] * inv_volume;
  c.stimulus = saturation(y[M::reagent_ul] * inv_volume, p[M::transact_half_ul_per_ml]);
  const double h2 = saturation(y[M::il2_iu] * inv_volume, p[M::il2_half_iu_per_ml]);
  const double h7 = saturation(y[M::il7_ng] * inv_volume, p[M::il7_half_ng_per_ml]);
  const double h15 = saturation(y[M::il15_ng] * inv_volume, p[M::il15_half_ng_per_ml]);
  c.support = 1.0 - (1.0 - h2) * (1.0 - h7) * (1.0 - h15);
  c.glucose_limit = saturation(c.glucose_mm, p[M::glucose_half_mm]);
  const double lactate_ratio = c.lactate_mm / p[M::lactate_inhibition_mm];
  const double lactate_limit = 1.0 / (1.0 + std::pow(lactate_ratio, lactate_hill));
  const double cytokine_factor = p[M::cytokine_floor] + (1.0 - p[M::cytokine_floor]) * c.support;
  c.mu_cd4 = p[M::mu_max_per_d] * cytokine_factor * c.glucose_limit * lactate_limit;
  c.mu_cd8 = c.mu_cd4 * p[M::cd8_growth_factor];
  const double g_ratio = c.glucose_mm / p[M::starvation_glucose_mm];
  c.starvation = p[M::death_starvation_per_d] / (1.0 + std::pow(g_ratio, starvation_hill));
  c.death_resting = p[M::death_resting_per_d] + c.starvation;
  c.death_activated = p[M::death_activated_per_d] +
                      p[M::death_no_cytokine_per_d] * (1.0 - c.support) + c.starvation;
  return c;
}

/// Sums over one lineage block starting at `base`.
struct LineageSums {
  double resting = 0.0;
  double lag = 0.0;       ///< all lag stages
  double dividing = 0.0;  ///< all destiny-clock stages
  double post = 0.0;      ///< post-destiny
  double total() const { return resting + lag + dividing + post; }
};

inline LineageSums lineage_sums(std::span<const double> y, std::size_t base) {
  LineageSums s;
  s.resting = y[base + M::resting];
  for (std::size_t j = 0; j < M::lag_stages; ++j) {
    s.lag += y[base + M::lag_first + j];
  }
  for (std::size_t j = 0; j < M::destiny_stages; ++j) {
    s.dividing += y[base + M::destiny_first + j];
  }
  s.post = y[base + M::post_destiny];
  return s;
}

/// Relative susceptibility to the vector of the average T cell: resting cells transduce at
/// `resting_susceptibility`, activated ones (lag stages onwards) at 1.
inline double susceptibility(double activated_fraction, std::span<const double> p) {
  return p[M::resting_susceptibility] + (1.0 - p[M::resting_susceptibility]) * activated_fraction;
}

}  // namespace cartsim::models::prodigy_detail
