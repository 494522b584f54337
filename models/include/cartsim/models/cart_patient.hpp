#pragma once
// cart_patient: a mechanistic model of one patient with CD19+ B-ALL treated with a CD19 CAR-T
// product (tisagenlecleucel-like by default), dosed like a real product through protocol actions:
// `lymphodeplete` (flu/cy), `infuse` (weight-band or per-kg dose, memory fraction, VCN; several
// steps make a fractionated infusion), `tocilizumab` (e.g. state-triggered on IL-6). Time in days;
// the infusion is usually day 0 and lymphodepletion days -5..-2.
//
// States are whole-body cell counts (cells), except macrophage activation (1), IL-6 (pg/mL) and
// tocilizumab (ug/mL). W = body weight (kg), A = Lp + B (CD19+ targets), K = antigen_k50 * W,
// s = A / (A + K) (antigen stimulation, Kirouac 2023's TK50), T = Tm + Te + Tx,
// H = (1 + c) / (1 + c (N + T) / N0) (homeostatic IL-7/IL-15-like support; 1 at baseline, higher
// when lymphocytes are depleted: the cytokine-sink picture), F = (Lp + Ln) / Kmarrow:
//   dTm/dt =  k_mem (1 - s) Te - d_M Tm     memory-like CAR-T (activation = asymmetric division)
//   dTe/dt =  k_act s Tm + (rho s H - d_E - k_ex s - k_mem (1 - s)) Te   effector CAR-T
//   dTx/dt =  k_ex s Te - d_X Tx                                           exhausted CAR-T
//   dLp/dt =  r_L Lp (1 - F) - k_kill Te Lp / (A + K)                      CD19+ leukaemia
//   dLn/dt =  r_N Ln (1 - F)                                               CD19- leukaemia
//   dB/dt  =  d_B B0 max(0, 1 - F) - d_B B - k_kill Te B / (A + K)         normal B cells
//   dN/dt  =  k_N N (1 - N / N0)                                           normal T/NK lymphocytes
//   dMa/dt =  k_on D (1 - Ma) - k_off Ma,  D = (kill / (W k50_crs))^2 (1 + a_fb I_sig / (I_sig +
//   I_50)),
//            kill = k_kill Te A / (A + K) (cells/d)
//   dI/dt  =  k_I (I_base + I_max Ma - I),  I_sig = I (1 - occ),  occ = Z / (Z + EC50)
//   dZ/dt  = -k_Z Z                                                        tocilizumab (ug/mL)
//   dQ/dt  =  0                                                            CAR+ cells infused
// Observables convert to what the clinic measures: cells/uL blood (blood holds a fraction phi of
// the lymphocytes, in W * 75 mL/kg), transgene copies/ug gDNA = genomes_per_ug * VCN *
// CAR+/uL / nucleated cells/uL, % marrow blasts = 100 F, IL-6 pg/mL. docs/models/cart_patient.md
// gives every equation, unit, source, the calibration and what was invented.
#include <cstddef>
#include <span>

#include "cartsim/core/model.hpp"

namespace cartsim::models {

class CartPatient final : public OdeModel {
 public:
  enum State : std::size_t {
    car_memory,             ///< Tm, memory-like CAR-T (cells)
    car_effector,           ///< Te, effector CAR-T (cells)
    car_exhausted,          ///< Tx, exhausted CAR-T (cells)
    leukaemia_cd19pos,      ///< Lp (cells)
    leukaemia_cd19neg,      ///< Ln (cells)
    b_cells,                ///< B, normal B cells (cells)
    lymphocytes,            ///< N, normal T/NK lymphocytes (cells)
    macrophage_activation,  ///< Ma (1)
    il6,                    ///< I (pg/mL)
    tocilizumab_level,      ///< Z (ug/mL)
    car_infused,            ///< Q, cumulative CAR+ cells infused (cells)
    num_states
  };

  enum Parameter : std::size_t {
    // patient
    body_weight_kg,
    marrow_blasts_pct,
    cd19neg_fraction,
    lymphocytes_per_ul,
    b_cells_per_ul,
    myeloid_per_ul,
    blood_volume_ml_per_kg,
    blood_lymphoid_fraction,
    marrow_cells_per_kg,
    genomes_per_ug,
    // disease and normal cells
    leukaemia_growth_per_d,
    cd19neg_growth_per_d,
    b_cell_turnover_per_d,
    lymphocyte_recovery_per_d,
    homeostatic_sink,
    // CAR-T
    antigen_k50_per_kg,
    activation_per_d,
    proliferation_per_d,
    effector_death_per_d,
    memory_formation_per_d,
    memory_death_per_d,
    exhaustion_per_d,
    exhausted_death_per_d,
    kill_per_effector_per_d,
    // CRS / IL-6 / tocilizumab
    crs_kill_half_per_kg_d,
    il6_feedback,
    il6_signal_half_pg_per_ml,
    macrophage_on_per_d,
    macrophage_off_per_d,
    il6_base_pg_per_ml,
    il6_max_pg_per_ml,
    il6_elimination_per_d,
    tocilizumab_volume_l_per_kg,
    tocilizumab_elimination_per_d,
    tocilizumab_ec50_ug_per_ml,
    // clinical read-outs
    remission_blasts_pct,
    b_aplasia_limit_per_ul,
    crs_grade1_il6_pg_per_ml,
    // internal: set by actions and the model's events
    product_vcn,
    remission_flag,
    relapse_flag,
    relapse_cd19_status_code,
    num_parameters
  };

  enum Action : std::size_t { lymphodeplete, infuse, tocilizumab, num_actions };

  enum Observable : std::size_t {
    car_t_cells,
    car_t_per_ul,
    transgene_copies_per_ug,
    car_memory_share,
    marrow_blasts,
    cd19neg_blast_share,
    complete_remission,
    b_cells_per_ul_blood,
    b_cell_deficit_per_ul,
    lymphocytes_per_ul_blood,
    nucleated_cells_per_ul,
    antigen_stimulation,
    homeostatic_support,
    il6_pg_per_ml,
    il6_signal_pg_per_ml,
    crs_grade_proxy,
    tocilizumab_occupancy,
    relapsed,
    relapse_cd19_status,
    num_observables
  };

  /// Tisagenlecleucel B-ALL label dose bands (Kymriah EU SmPC / US PI).
  static constexpr double band_weight_kg = 50.0;
  static constexpr double band_min_per_kg = 0.2e6;
  static constexpr double band_max_per_kg = 5.0e6;
  static constexpr double band_min_total = 0.1e8;
  static constexpr double band_max_total = 2.5e8;
  /// Tocilizumab label: 12 mg/kg below 30 kg, 8 mg/kg from 30 kg, at most 800 mg per dose.
  static constexpr double toci_max_mg = 800.0;

  const ModelInfo& info() const override;
  void rhs(double t, std::span<const double> y, std::span<const double> p,
           std::span<double> dydt) const override;
  void observables(double t, std::span<const double> y, std::span<const double> p,
                   std::span<double> out) const override;
  void initial_state(std::span<const double> p, std::span<double> y0) const override;
  void check_run(double t0, std::span<const double> p) const override;
  void model_events(double t0, std::span<const double> p, EventSet& events) const override;
  /// Marks a patient whose baseline blasts are already below remission_blasts_pct as in remission.
  void derive_parameters(std::span<double> p) const override;
  void apply_action(std::size_t action, std::span<const double> settings,
                    EventContext& ctx) const override;
  void check_protocol(double t0, std::span<const double> p,
                      std::span<const PlannedAction> actions) const override;

  /// The prescribed CAR+ viable cells (before `fraction`) of an infuse step for a patient of
  /// `weight_kg`. weight_band = 1: the tisagenlecleucel B-ALL rule (<= 50 kg: cells_per_kg x
  /// weight, 0.2-5.0e6/kg; > 50 kg: the flat `cells`, 0.1-2.5e8); weight_band = 0: exactly one of
  /// cells_per_kg and cells is given (> 0), no label range. Throws ModelError with the reason.
  static double prescribed_cells(double weight_kg, double cells_per_kg, double cells,
                                 double weight_band);
  /// Tocilizumab dose in mg/kg: the setting, or the label's 12 (< 30 kg) / 8 mg/kg when it is 0.
  static double tocilizumab_mg_per_kg(double weight_kg, double setting);
  /// Blood volume (uL) of the patient.
  static double blood_ul(std::span<const double> p);
  /// Whole-body cells of a lymphoid population -> cells/uL blood.
  static double per_ul(double cells, std::span<const double> p);
  /// Marrow capacity Kmarrow (cells) and the baseline normal populations N0, B0 (cells).
  static double marrow_capacity(std::span<const double> p);
  static double lymphocyte_setpoint(std::span<const double> p);
  static double b_cell_setpoint(std::span<const double> p);
  /// H: homeostatic support (1 at baseline).
  static double support(std::span<const double> y, std::span<const double> p);
  /// copies/ug gDNA from CAR+ cells/uL, nucleated cells/uL and copies per CAR+ cell.
  static double copies_per_ug(double car_per_ul, double nucleated_per_ul, double vcn,
                              double genomes_per_ug);
};

}  // namespace cartsim::models
