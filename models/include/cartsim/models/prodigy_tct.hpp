#pragma once
// prodigy_tct: CAR-T manufacturing in the CliniMACS Prodigy "T Cell Transduction" (TCT) process, as
// a well-mixed ODE model driven by model-specific protocol actions (seed, select, activate,
// transduce, wash, medium_exchange, feed, sample, harvest). Time in days.
//
// Amounts, not concentrations, are the states: cells (cells), vector (IU), TransAct (uL),
// cytokines (IU or ng), glucose and lactate (mmol), and the culture volume (mL). Concentrations are
// amount / volume, so a feed conserves every amount and dilutes every concentration exactly.
//
// Per lineage (CD4, CD8): resting cells R -> TransAct engages them at k_act s(t) -> a chain of
// n_lag stages (gamma-distributed lag before the first division, mean lag_mean_d) -> dividing
// cells in n_destiny destiny-clock stages D_1..D_m (daughters share the clock, as in Cyton2; the
// clock runs faster once the stimulus is gone) -> post-destiny cells Q that no longer divide.
// Activated cells (D + Q) are also tracked by phenotype (naive/stem-memory, central memory,
// effector memory, effector); each daughter moves one phenotype on with probability p per division.
// Integrated vector copies: fractions q_0..q_K of T cells with k copies (q_K: K or more), driven by
// per-cell exposure M(t); Poisson or negative-binomial (gamma-mixed Poisson) classes.
//
// Sources: Zhu F et al. Cytotherapy 2018;20(3):394-406; Castella M et al. Mol Ther Methods Clin Dev
// 2019;12:134-144; Hawkins ED et al. PNAS 2007;104:5032; Cheon H et al. Front Bioinform
// 2021;1:723337; Dautzenberg IJC et al. Gene Ther 2021;28:89-104. Equations, parameter sources and
// the calibration are in docs/models/prodigy_tct.md.
#include <cstddef>

#include "cartsim/core/model.hpp"

namespace cartsim::models {

class ProdigyTct final : public OdeModel {
 public:
  static constexpr std::size_t lag_stages = 6;      ///< gamma lag: CV = 1/sqrt(6) = 0.41
  static constexpr std::size_t destiny_stages = 4;  ///< gamma destiny clock: CV = 0.5
  static constexpr std::size_t phenotypes = 4;      ///< naive/SCM, CM, EM, effector
  static constexpr std::size_t max_copies = 15;     ///< copy classes 0..15 (15 = "15 or more")

  /// Offsets inside one lineage block of cell states.
  static constexpr std::size_t resting = 0;
  static constexpr std::size_t lag_first = 1;
  static constexpr std::size_t destiny_first = lag_first + lag_stages;
  static constexpr std::size_t post_destiny = destiny_first + destiny_stages;
  static constexpr std::size_t phenotype_first = post_destiny + 1;
  static constexpr std::size_t lineage_size = phenotype_first + phenotypes;

  enum State : std::size_t {
    cd4_block = 0,
    cd8_block = lineage_size,
    other_cells = 2 * lineage_size,  ///< viable non-T cells (selection impurity)
    dead_cells,
    copies_first,  ///< fraction of T cells with 0 copies; then 1, 2, ... K+
    exposure = copies_first + max_copies + 1,  ///< mean integrated copies per T cell
    vector_iu,
    reagent_ul,
    il2_iu,
    il7_ng,
    il15_ng,
    glucose_mmol,
    lactate_mmol,
    volume_ml,
    cells_added,    ///< cumulative: loaded by seed
    cells_born,     ///< cumulative: one per division
    cells_lysed,    ///< cumulative: dead cells that disintegrated
    cells_removed,  ///< cumulative: taken out by select, wash, exchange, sample, harvest
    glucose_added_mmol,
    glucose_consumed_mmol,
    glucose_removed_mmol,
    num_states
  };

  enum Parameter : std::size_t {
    k_activation,
    transact_half_ul_per_ml,
    lag_mean_d,
    destiny_mean_d,
    destiny_speedup_unstimulated,
    mu_max_per_d,
    cd8_growth_factor,
    cytokine_floor,
    il2_half_iu_per_ml,
    il7_half_ng_per_ml,
    il15_half_ng_per_ml,
    cytokine_decay_per_d,
    cytokine_clearance_ml_per_cell_d,
    death_resting_per_d,
    death_activated_per_d,
    death_no_cytokine_per_d,
    death_starvation_per_d,
    starvation_glucose_mm,
    dead_lysis_per_d,
    death_other_per_d,
    diff_naive_to_cm,
    diff_cm_to_em,
    diff_em_to_effector,
    glucose_uptake_active_pmol_per_cell_h,
    glucose_uptake_quiescent_pmol_per_cell_h,
    glucose_half_mm,
    lactate_yield,
    lactate_inhibition_mm,
    vector_uptake_ml_per_cell_d,
    copies_per_iu,
    resting_susceptibility,
    copy_model,
    copy_dispersion_k,
    chamber_capacity_ml,
    spec_car_fraction_min,
    spec_cd3_fraction_min,
    spec_viability_min,
    spec_vcn_max,
    spec_car_cells_per_kg_min,
    patient_weight_kg,
    dose_car_cells_per_kg,
    // Internal: set by the protocol actions.
    culture_start_cells,
    seed_naive_fraction,
    seed_cm_fraction,
    seed_em_fraction,
    seed_effector_fraction,
    vector_decay_per_d,
    reagent_decay_per_d,
    num_parameters
  };

  enum Action : std::size_t {
    seed,
    select,
    activate,
    transduce,
    wash,
    medium_exchange,
    feed,
    sample,
    harvest,
    num_actions
  };

  enum Observable : std::size_t {
    viable_cells,
    t_cells,
    viability,
    fold_expansion,
    cell_density_per_ml,
    car_positive_fraction,
    car_positive_cells,
    vcn_per_cell,
    vcn_per_car_cell,
    naive_scm_fraction,
    cm_fraction,
    em_fraction,
    effector_fraction,
    cd4_cd8_ratio,
    cd3_fraction,
    activated_fraction,
    stimulus,
    cytokine_support,
    glucose_mm,
    lactate_mm,
    vector_iu_per_ml,
    growth_rate_per_d,
    car_cells_per_kg,
    doses_supported,
    release_pass,
    release_failures,
    num_observables
  };

  /// Bits of the `release_failures` observable.
  enum ReleaseFailure : unsigned {
    fail_car_fraction = 1,
    fail_cd3_fraction = 2,
    fail_viability = 4,
    fail_vcn = 8,
    fail_car_cells_per_kg = 16,
  };

  const ModelInfo& info() const override;
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override;
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override;
  void initial_state(std::span<const double> p, std::span<double> y0) const override;
  void apply_action(std::size_t action, std::span<const double> settings,
                    EventContext& ctx) const override;
  void check_protocol(double t0, std::span<const double> p,
                      std::span<const PlannedAction> actions) const override;

  /// Viable T cells (all lineages and stages) in state y.
  static double total_t_cells(std::span<const double> y);
  /// Every cell the chamber holds: viable T, other viable, dead.
  static double all_cells(std::span<const double> y);
};

}  // namespace cartsim::models
