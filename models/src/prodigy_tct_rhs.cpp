// prodigy_tct: the right-hand side (allocation-free) and the initial state. Equations with units
// are in ProdigyTct::info().equations and docs/models/prodigy_tct.md.
#include <algorithm>

#include "cartsim/models/prodigy_tct.hpp"
#include "prodigy_tct_kinetics.hpp"

namespace cartsim::models {
namespace {
using namespace prodigy_detail;

/// Seeded phenotype fractions (naive/SCM, CM, EM, effector) and per-division move-on
/// probabilities. Resting and lag-stage cells keep the seeded mix (they share one activation and
/// death rate, so the mix cannot drift).
struct PhenotypeRates {
  double seeded[M::phenotypes];
  double move_on[M::phenotypes];
};

PhenotypeRates phenotype_rates(std::span<const double> p) {
  return {{p[M::seed_naive_fraction], p[M::seed_cm_fraction], p[M::seed_em_fraction],
           p[M::seed_effector_fraction]},
          {p[M::diff_naive_to_cm], p[M::diff_cm_to_em], p[M::diff_em_to_effector], 0.0}};
}

/// dy/dt of one lineage block; returns the births (cells/d) and adds its deaths to `deaths`.
double lineage_rhs(std::span<const double> y, std::span<const double> p, std::span<double> dydt,
                   std::size_t base, double mu, const Conditions& c, const PhenotypeRates& ph,
                   double& deaths) {
  const double engage = p[M::k_activation] * c.stimulus;
  const double lag_rate = static_cast<double>(M::lag_stages) / p[M::lag_mean_d];
  const double clock = static_cast<double>(M::destiny_stages) / p[M::destiny_mean_d] *
                       (1.0 + p[M::destiny_speedup_unstimulated] * (1.0 - c.stimulus));
  const double dr = c.death_resting;
  const double da = c.death_activated;

  const double r = y[base + M::resting];
  dydt[base + M::resting] = -(engage + dr) * r;
  deaths += dr * r;

  double inflow = engage * r;
  for (std::size_t j = 0; j < M::lag_stages; ++j) {
    const double a = y[base + M::lag_first + j];
    dydt[base + M::lag_first + j] = inflow - (lag_rate + dr) * a;
    deaths += dr * a;
    inflow = lag_rate * a;
  }
  const double first_divisions = inflow;  // cells/d leaving the last lag stage by dividing

  double dividing = 0.0;
  inflow = 2.0 * first_divisions;
  for (std::size_t j = 0; j < M::destiny_stages; ++j) {
    const double d = y[base + M::destiny_first + j];
    dydt[base + M::destiny_first + j] = inflow + (mu - clock - da) * d;
    deaths += da * d;
    dividing += d;
    inflow = clock * d;
  }
  const double q = y[base + M::post_destiny];
  dydt[base + M::post_destiny] = inflow - da * q;
  deaths += da * q;

  // Phenotypes of activated cells (D + Q). Divisions are shared out by the phenotype mix
  // (mean-field: phenotype independent of the destiny clock).
  const double activated = dividing + q;
  const double dividing_share = activated > 0.0 ? dividing / activated : 0.0;
  const double division_rate = mu * dividing_share;
  double moved_in = 0.0;      // daughters arriving from the previous phenotype (per division)
  double seeded_moved = 0.0;  // first-division daughters arriving from the previous phenotype
  for (std::size_t k = 0; k < M::phenotypes; ++k) {
    const std::size_t i = base + M::phenotype_first + k;
    const double pk = y[i];
    const double stay = 1.0 - 2.0 * ph.move_on[k];
    dydt[i] = division_rate * (stay * pk + moved_in) +
              2.0 * first_divisions * (ph.seeded[k] * (1.0 - ph.move_on[k]) + seeded_moved) -
              da * pk;
    moved_in = 2.0 * ph.move_on[k] * pk;
    seeded_moved = ph.seeded[k] * ph.move_on[k];
  }
  return first_divisions + mu * dividing;
}
}  // namespace

double ProdigyTct::total_t_cells(std::span<const double> y) {
  return lineage_sums(y, cd4_block).total() + lineage_sums(y, cd8_block).total();
}

double ProdigyTct::all_cells(std::span<const double> y) {
  return total_t_cells(y) + y[other_cells] + y[dead_cells];
}

void ProdigyTct::rhs(double, std::span<const double> y, std::span<const double> p,
                     std::span<double> dydt) const {
  const Conditions c = culture_conditions(y, p);
  const PhenotypeRates ph = phenotype_rates(p);

  double deaths = 0.0;
  double births = lineage_rhs(y, p, dydt, cd4_block, c.mu_cd4, c, ph, deaths);
  births += lineage_rhs(y, p, dydt, cd8_block, c.mu_cd8, c, ph, deaths);

  const double other_death = (p[death_other_per_d] + c.starvation) * y[other_cells];
  dydt[other_cells] = -other_death;
  deaths += other_death;
  const double lysis = p[dead_lysis_per_d] * y[dead_cells];
  dydt[dead_cells] = deaths - lysis;

  // Transduction: vector decays and is taken up by T cells; the copies it integrates move cells
  // up the copy classes (negative binomial: the rate of class k is the posterior mean
  // susceptibility (k_d + k) / (k_d + M) of a gamma-mixed Poisson process).
  const LineageSums s4 = lineage_sums(y, cd4_block);
  const LineageSums s8 = lineage_sums(y, cd8_block);
  const double t_total = s4.total() + s8.total();
  const double activated = t_total - s4.resting - s8.resting;
  const double activated_share = t_total > 0.0 ? activated / t_total : 0.0;
  const double uptake_per_cell =
      p[vector_uptake_ml_per_cell_d] * susceptibility(activated_share, p) * c.vector_per_ml;
  dydt[vector_iu] = -p[vector_decay_per_d] * y[vector_iu] - uptake_per_cell * t_total;
  const double lambda = p[copies_per_iu] * uptake_per_cell;  // copies per average cell per day
  dydt[exposure] = lambda;
  const bool negative_binomial = p[copy_model] > 0.5;
  const double k_d = p[copy_dispersion_k];
  const double posterior = negative_binomial ? 1.0 / (k_d + y[exposure]) : 1.0;
  double from_below = 0.0;
  for (std::size_t k = 0; k <= max_copies; ++k) {
    const double rate =
        k == max_copies
            ? 0.0
            : lambda * (negative_binomial ? (k_d + static_cast<double>(k)) * posterior : 1.0);
    const double qk = y[copies_first + k];
    dydt[copies_first + k] = from_below - rate * qk;
    from_below = rate * qk;
  }

  // Medium: TransAct and cytokines decay; cells clear cytokines; glucose -> lactate.
  dydt[reagent_ul] = -p[reagent_decay_per_d] * y[reagent_ul];
  const double inv_volume = c.volume > empty_volume_ml ? 1.0 / c.volume : 0.0;
  const double cytokine_loss =
      p[cytokine_decay_per_d] + p[cytokine_clearance_ml_per_cell_d] * t_total * inv_volume;
  dydt[il2_iu] = -cytokine_loss * y[il2_iu];
  dydt[il7_ng] = -cytokine_loss * y[il7_ng];
  dydt[il15_ng] = -cytokine_loss * y[il15_ng];
  const double active = s4.dividing + s8.dividing;
  const double quiescent =
      s4.resting + s4.lag + s4.post + s8.resting + s8.lag + s8.post + y[other_cells];
  const double uptake = pmol_per_h_to_mmol_per_d * c.glucose_limit *
                        (p[glucose_uptake_active_pmol_per_cell_h] * active +
                         p[glucose_uptake_quiescent_pmol_per_cell_h] * quiescent);
  dydt[glucose_mmol] = -uptake;
  dydt[lactate_mmol] = p[lactate_yield] * uptake;
  dydt[volume_ml] = 0.0;

  // Bookkeeping for the mass balances.
  dydt[cells_added] = 0.0;
  dydt[cells_born] = births;
  dydt[cells_lysed] = lysis;
  dydt[cells_removed] = 0.0;
  dydt[glucose_added_mmol] = 0.0;
  dydt[glucose_consumed_mmol] = uptake;
  dydt[glucose_removed_mmol] = 0.0;
}

void ProdigyTct::initial_state(std::span<const double>, std::span<double> y0) const {
  // An empty chamber: the protocol's `seed` loads it. Every T cell starts with 0 copies.
  std::fill(y0.begin(), y0.end(), 0.0);
  y0[copies_first] = 1.0;
}

}  // namespace cartsim::models
