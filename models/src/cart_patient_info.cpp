// cart_patient: the model description (states, parameters with units, ranges and sources,
// observables, clinical metrics, protocol actions with their settings). `cartsim describe
// cart_patient` prints it; docs/models/cart_patient.md explains every value and the calibration.
#include <limits>
#include <string>

#include "cart_patient_settings.hpp"
#include "cartsim/models/cart_patient.hpp"

namespace cartsim::models {
namespace {
using M = CartPatient;
using namespace cart_patient_detail;
constexpr double inf = std::numeric_limits<double>::infinity();

constexpr const char* stein = "Stein 2019 Table 1 typical value (doi:10.1002/psp4.12388)";
constexpr const char* leon = "Leon-Triana 2021 (doi:10.1016/j.cnsns.2020.105570)";
constexpr const char* calibrated =
    "calibrated: Kymriah label Cmax/AUC by response, ELIANA remission and CRS rates; see "
    "docs/models/cart_patient.md";

std::vector<ParameterInfo> parameter_list() {
  std::vector<ParameterInfo> p(M::num_parameters);
  // Patient.
  p[M::body_weight_kg] = {"body_weight_kg",
                          "kg",
                          "body weight (drives dose bands and volumes)",
                          30.0,
                          1.0,
                          300.0,
                          "assumed: a typical ELIANA child (Stein 2019 median 39 kg)"};
  p[M::marrow_blasts_pct] = {"marrow_blasts_pct",
                             "%",
                             "marrow blasts at the start of the run (baseline burden)",
                             70.0,
                             0.0,
                             100.0,
                             "assumed: high-burden r/r B-ALL (ELIANA median 74 %)"};
  p[M::cd19neg_fraction] = {"cd19neg_fraction",
                            "1",
                            "share of the blasts that are CD19-negative at the start",
                            1.0e-5,
                            0.0,
                            1.0,
                            "assumed: a rare pre-existing CD19- clone (invented)"};
  p[M::lymphocytes_per_ul] = {"lymphocytes_per_ul",
                              "cells/uL",
                              "baseline normal T/NK lymphocytes in blood (before "
                              "lymphodepletion)",
                              1000.0,
                              1.0,
                              1.0e5,
                              "assumed: lymphopenic r/r B-ALL patient"};
  p[M::b_cells_per_ul] = {"b_cells_per_ul",
                          "cells/uL",
                          "normal B cells in blood of a marrow free of leukaemia",
                          300.0,
                          0.0,
                          1.0e4,
                          "assumed: paediatric reference range 200-1,600 cells/uL"};
  p[M::myeloid_per_ul] = {"myeloid_per_ul",
                          "cells/uL",
                          "non-lymphoid nucleated blood cells (neutrophils, monocytes), constant",
                          1500.0,
                          1.0,
                          1.0e5,
                          "assumed: post-chemotherapy count (invented)"};
  p[M::blood_volume_ml_per_kg] = {"blood_volume_ml_per_kg",
                                  "mL/kg",
                                  "blood volume per kg",
                                  75.0,
                                  40.0,
                                  120.0,
                                  "project notes section 6: 70-80 mL/kg"};
  p[M::blood_lymphoid_fraction] = {"blood_lymphoid_fraction",
                                   "1",
                                   "share of the body's lymphocytes (normal and CAR-T) in blood",
                                   0.02,
                                   1.0e-4,
                                   1.0,
                                   "Westermann & Pabst 1992 (Clin Investig 70:539): ~2 %"};
  p[M::marrow_cells_per_kg] = {"marrow_cells_per_kg",
                               "cells/kg",
                               "nucleated marrow cells per kg (the leukaemia's capacity)",
                               1.1e10,
                               1.0e8,
                               1.0e12,
                               "Harrison 1962 (J Clin Pathol 15:254): 1.1e10/kg"};
  p[M::genomes_per_ug] = {"genomes_per_ug",
                          "1/ug",
                          "diploid genomes per ug genomic DNA (6.6 pg per cell)",
                          1.5e5,
                          1.0e4,
                          1.0e6,
                          "project notes section 6"};
  // Disease and normal cells.
  p[M::leukaemia_growth_per_d] = {"leukaemia_growth_per_d",
                                  "1/d",
                                  "CD19+ blast growth rate in an empty marrow",
                                  1.0 / 30.0,
                                  0.0,
                                  5.0,
                                  leon};
  p[M::cd19neg_growth_per_d] = {"cd19neg_growth_per_d",
                                "1/d",
                                "CD19- blast growth rate in an empty marrow",
                                1.0 / 30.0,
                                0.0,
                                5.0,
                                "assumed: as CD19+ (Leon-Triana 2021 rho_L)"};
  p[M::b_cell_turnover_per_d] = {"b_cell_turnover_per_d",
                                 "1/d",
                                 "normal B-cell death rate (= production at the set point)",
                                 1.0 / 60.0,
                                 0.0,
                                 10.0,
                                 leon};
  p[M::lymphocyte_recovery_per_d] = {
      "lymphocyte_recovery_per_d",
      "1/d",
      "logistic (homeostatic) recovery rate of normal lymphocytes",
      0.1,
      0.0,
      10.0,
      "assumed: half of a 10x cut recovered in ~3 weeks after flu/cy"};
  p[M::homeostatic_sink] = {"homeostatic_sink",
                            "1",
                            "c: share of IL-7/IL-15 consumed by lymphocytes at baseline relative "
                            "to other clearance; H = (1 + c) / (1 + c (N + T) / N0)",
                            9.0,
                            0.0,
                            1000.0,
                            "assumed: cytokine-sink model (Gattinoni 2005), ~5x IL-15 rise after "
                            "flu/cy"};
  // CAR-T.
  p[M::antigen_k50_per_kg] = {"antigen_k50_per_kg",
                              "cells/kg",
                              "CD19+ cells per kg for half-maximal CAR-T stimulation (TK50) and "
                              "half-saturated killing",
                              1.0e7,
                              1.0,
                              1.0e13,
                              calibrated};
  p[M::activation_per_d] = {"activation_per_d",
                            "1/d",
                            "memory-like -> effector activation at full stimulation",
                            0.5,
                            0.0,
                            100.0,
                            calibrated};
  p[M::proliferation_per_d] = {"proliferation_per_d",
                               "1/d",
                               "effector proliferation at full stimulation and H = 1",
                               0.25,
                               0.0,
                               100.0,
                               calibrated};
  p[M::effector_death_per_d] = {"effector_death_per_d",
                                "1/d",
                                "effector death rate",
                                0.16,
                                0.0,
                                100.0,
                                "Stein 2019 alpha (contraction half-life 4.3 d)"};
  p[M::memory_formation_per_d] = {"memory_formation_per_d",
                                  "1/d",
                                  "effector -> memory-like return without antigen",
                                  0.00127,
                                  0.0,
                                  100.0,
                                  "Stein 2019 FB = k / (k + alpha) = 0.0079 with alpha = 0.16/d"};
  p[M::memory_death_per_d] = {"memory_death_per_d",
                              "1/d",
                              "memory-like CAR-T loss rate",
                              0.0032,
                              0.0,
                              100.0,
                              "Stein 2019 beta (persistence half-life 217 d)"};
  p[M::exhaustion_per_d] = {
      "exhaustion_per_d", "1/d", "effector -> exhausted at full stimulation", 0.05, 0.0, 100.0,
      calibrated};
  p[M::exhausted_death_per_d] = {
      "exhausted_death_per_d", "1/d", "exhausted CAR-T death rate", 0.1, 0.0, 100.0,
      "assumed (invented)"};
  p[M::kill_per_effector_per_d] = {"kill_per_effector_per_d",
                                   "1/d",
                                   "CD19+ cells killed per effector per day at saturating "
                                   "antigen",
                                   3.0,
                                   0.0,
                                   1000.0,
                                   calibrated};
  // CRS / IL-6 / tocilizumab.
  p[M::crs_kill_half_per_kg_d] = {"crs_kill_half_per_kg_d",
                                  "cells/kg/d",
                                  "killing rate (CD19+ cells killed per kg per day) giving unit "
                                  "macrophage activation drive",
                                  1.0e10,
                                  1.0,
                                  1.0e13,
                                  calibrated};
  p[M::il6_feedback] = {"il6_feedback",
                        "1",
                        "a_fb: amplification of macrophage activation by IL-6 signalling",
                        3.0,
                        0.0,
                        1000.0,
                        "assumed (invented; Santurio 2025 macrophage loop)"};
  p[M::il6_signal_half_pg_per_ml] = {"il6_signal_half_pg_per_ml",
                                     "pg/mL",
                                     "IL-6 signal for half-maximal amplification",
                                     100.0,
                                     1.0e-3,
                                     1.0e6,
                                     "assumed (invented)"};
  p[M::macrophage_on_per_d] = {
      "macrophage_on_per_d", "1/d", "macrophage activation rate", 1.0, 0.0, 100.0,
      "assumed (invented)"};
  p[M::macrophage_off_per_d] = {
      "macrophage_off_per_d", "1/d", "macrophage deactivation rate", 1.0, 0.0, 100.0,
      "assumed (invented)"};
  p[M::il6_base_pg_per_ml] = {
      "il6_base_pg_per_ml",        "pg/mL", "baseline serum IL-6", 5.0, 0.0, 1.0e4,
      "assumed: healthy < 7 pg/mL"};
  p[M::il6_max_pg_per_ml] = {"il6_max_pg_per_ml",
                             "pg/mL",
                             "serum IL-6 with every macrophage activated",
                             5000.0,
                             0.0,
                             1.0e7,
                             "assumed: severe CRS peaks in the thousands of pg/mL (Teachey 2016)"};
  p[M::il6_elimination_per_d] = {"il6_elimination_per_d",
                                 "1/d",
                                 "IL-6 return rate to its production level",
                                 2.0,
                                 0.01,
                                 1000.0,
                                 "assumed (IL-6 half-life hours)"};
  p[M::tocilizumab_volume_l_per_kg] = {"tocilizumab_volume_l_per_kg",
                                       "L/kg",
                                       "tocilizumab distribution volume",
                                       0.09,
                                       0.01,
                                       10.0,
                                       "Actemra label: Vss ~6.4 L in adults"};
  p[M::tocilizumab_elimination_per_d] = {"tocilizumab_elimination_per_d",
                                         "1/d",
                                         "tocilizumab elimination (linear approximation)",
                                         0.15,
                                         0.0,
                                         10.0,
                                         "assumed: single-dose half-life ~4.6 d (label: "
                                         "concentration-dependent, up to 11-13 d)"};
  p[M::tocilizumab_ec50_ug_per_ml] = {"tocilizumab_ec50_ug_per_ml",
                                      "ug/mL",
                                      "tocilizumab level blocking half the IL-6 signal",
                                      1.0,
                                      1.0e-6,
                                      1.0e4,
                                      "assumed (invented)"};
  // Read-outs.
  p[M::remission_blasts_pct] = {"remission_blasts_pct",
                                "%",
                                "marrow blasts below which the patient is in remission (CR); a "
                                "return to it after remission is a relapse",
                                5.0,
                                1.0e-6,
                                100.0,
                                "ELIANA response criterion (< 5 % blasts)"};
  p[M::b_aplasia_limit_per_ul] = {"b_aplasia_limit_per_ul",
                                  "cells/uL",
                                  "B cells/uL below which the patient is B-cell aplastic",
                                  20.0,
                                  0.0,
                                  1.0e4,
                                  "assumed: ~1 % of lymphocytes"};
  p[M::crs_grade1_il6_pg_per_ml] = {"crs_grade1_il6_pg_per_ml",
                                    "pg/mL",
                                    "IL-6 signal for CRS grade proxy 1; grades 2, 3, 4 at 5x, "
                                    "25x, 125x",
                                    40.0,
                                    1.0e-3,
                                    1.0e6,
                                    "assumed (invented proxy; Teachey 2016 IL-6 peaks)"};
  // Internal.
  p[M::product_vcn] = {"product_vcn",
                       "copies/cell",
                       "dose-weighted mean transgene copies per CAR+ cell of the infused product",
                       1.0,
                       0.0,
                       100.0,
                       "set by infuse",
                       true};
  p[M::remission_flag] = {"remission_flag",
                          "1",
                          "1 once blasts fell below remission_blasts_pct",
                          0.0,
                          0.0,
                          1.0,
                          "set by the model's remission event",
                          true};
  p[M::relapse_flag] = {"relapse_flag",
                        "1",
                        "1 once blasts returned to remission_blasts_pct",
                        0.0,
                        0.0,
                        1.0,
                        "set by the model's relapse event",
                        true};
  p[M::relapse_cd19_status_code] = {"relapse_cd19_status_code",
                                    "1",
                                    "0 no relapse, 1 CD19+ relapse, 2 CD19- relapse",
                                    0.0,
                                    0.0,
                                    2.0,
                                    "set by the model's relapse event",
                                    true};
  return p;
}

std::vector<StateInfo> state_list() {
  return {
      {"car_memory", "cells", "memory-like CAR-T cells, whole body"},
      {"car_effector", "cells", "effector CAR-T cells, whole body"},
      {"car_exhausted", "cells", "exhausted CAR-T cells, whole body"},
      {"leukaemia_cd19pos", "cells", "CD19+ leukaemic blasts, whole body"},
      {"leukaemia_cd19neg", "cells", "CD19- leukaemic blasts (antigen escape), whole body"},
      {"b_cells", "cells", "normal B cells, whole body"},
      {"lymphocytes", "cells", "normal T/NK lymphocytes, whole body"},
      {"macrophage_activation", "1", "fraction of activated macrophages (0-1)"},
      {"il6", "pg/mL", "serum IL-6"},
      {"tocilizumab", "ug/mL", "serum tocilizumab"},
      {"car_infused", "cells", "cumulative CAR+ viable cells infused (bookkeeping)"},
  };
}

std::vector<ObservableInfo> observable_list() {
  std::vector<ObservableInfo> o(M::num_observables);
  o[M::car_t_cells] = {"car_t_cells", "cells", "all CAR-T cells in the body (Tm + Te + Tx)"};
  o[M::car_t_per_ul] = {"car_t_per_ul", "cells/uL", "CAR+ cells per uL blood (flow cytometry)"};
  o[M::transgene_copies_per_ug] = {"transgene_copies_per_ug", "copies/ug",
                                   "CAR transgene copies per ug genomic DNA in blood (qPCR)"};
  o[M::car_memory_share] = {"car_memory_share", "1", "memory-like share of the CAR-T cells"};
  o[M::marrow_blasts] = {"marrow_blasts_pct", "%", "leukaemic blasts in the marrow"};
  o[M::cd19neg_blast_share] = {"cd19neg_blast_share", "1", "CD19- share of the blasts"};
  o[M::complete_remission] = {"complete_remission", "1",
                              "1 while blasts < remission_blasts_pct, else 0"};
  o[M::b_cells_per_ul_blood] = {"b_cells_per_ul", "cells/uL", "normal B cells per uL blood"};
  o[M::b_cell_deficit_per_ul] = {"b_cell_deficit_per_ul", "cells/uL",
                                 "b_aplasia_limit_per_ul - B cells/uL (> 0: B-cell aplasia)"};
  o[M::lymphocytes_per_ul_blood] = {"lymphocytes_per_ul", "cells/uL",
                                    "normal T/NK lymphocytes per uL blood"};
  o[M::nucleated_cells_per_ul] = {"nucleated_cells_per_ul", "cells/uL",
                                  "nucleated blood cells (myeloid + lymphocytes + B + CAR-T)"};
  o[M::antigen_stimulation] = {"antigen_stimulation", "1", "s = A / (A + K)"};
  o[M::homeostatic_support] = {"homeostatic_support", "1",
                               "H, IL-7/IL-15-like support (1 at baseline)"};
  o[M::il6_pg_per_ml] = {"il6_pg_per_ml", "pg/mL", "serum IL-6"};
  o[M::il6_signal_pg_per_ml] = {"il6_signal_pg_per_ml", "pg/mL",
                                "IL-6 not blocked by tocilizumab, I (1 - occupancy)"};
  o[M::crs_grade_proxy] = {"crs_grade_proxy", "1",
                           "0-4 from the IL-6 signal (thresholds 1x, 5x, 25x, 125x "
                           "crs_grade1_il6_pg_per_ml); a proxy, not the ASTCT grade"};
  o[M::tocilizumab_occupancy] = {"tocilizumab_occupancy", "1", "Z / (Z + EC50)"};
  o[M::relapsed] = {"relapsed", "1", "1 from the relapse on (blasts back to remission level)"};
  o[M::relapse_cd19_status] = {"relapse_cd19_status", "1",
                               "0 no relapse, 1 CD19+ relapse, 2 CD19- relapse (majority of "
                               "blasts CD19- at relapse)"};
  return o;
}

std::vector<MetricSpec> metric_list() {
  return {
      MetricSpec{.name = "Cmax",
                 .kind = MetricKind::max,
                 .variable = "transgene_copies_per_ug",
                 .unit = "copies/ug",
                 .description = "peak transgene level in blood"},
      MetricSpec{.name = "Tmax",
                 .kind = MetricKind::argmax,
                 .variable = "transgene_copies_per_ug",
                 .unit = "d",
                 .description = "day of the peak transgene level"},
      MetricSpec{.name = "AUC_0_28",
                 .kind = MetricKind::auc,
                 .variable = "transgene_copies_per_ug",
                 .unit = "copies/ug*d",
                 .description = "area under the transgene level, day 0 to 28",
                 .from = 0.0,
                 .to = 28.0},
      MetricSpec{.name = "car_peak_per_ul",
                 .kind = MetricKind::max,
                 .variable = "car_t_per_ul",
                 .unit = "cells/uL",
                 .description = "peak CAR+ cells per uL blood"},
      MetricSpec{.name = "day_cr",
                 .kind = MetricKind::first_below,
                 .variable = "marrow_blasts_pct",
                 .unit = "d",
                 .description = "first day with < 5 % marrow blasts (complete remission)",
                 .level = 5.0},
      MetricSpec{.name = "day_mrd_negative",
                 .kind = MetricKind::first_below,
                 .variable = "marrow_blasts_pct",
                 .unit = "d",
                 .description = "first day with < 0.01 % marrow blasts (MRD-negative)",
                 .level = 0.01},
      MetricSpec{.name = "blasts_day28",
                 .kind = MetricKind::value_at,
                 .variable = "marrow_blasts_pct",
                 .unit = "%",
                 .description = "marrow blasts on day 28",
                 .at = 28.0},
      MetricSpec{.name = "response_day28",
                 .kind = MetricKind::value_at,
                 .variable = "complete_remission",
                 .unit = "1",
                 .description = "1: remission (< 5 % blasts) on day 28",
                 .at = 28.0},
      MetricSpec{.name = "day_relapse",
                 .kind = MetricKind::first_above,
                 .variable = "relapsed",
                 .unit = "d",
                 .description = "day of relapse after remission (NA: none)",
                 .level = 0.5},
      MetricSpec{.name = "relapse_cd19",
                 .kind = MetricKind::final,
                 .variable = "relapse_cd19_status",
                 .unit = "1",
                 .description = "0 no relapse, 1 CD19+ relapse, 2 CD19- relapse"},
      MetricSpec{.name = "b_aplasia_until",
                 .kind = MetricKind::last_above,
                 .variable = "b_cell_deficit_per_ul",
                 .unit = "d",
                 .description = "last day of B-cell aplasia (the end time if still aplastic; NA: "
                                "never aplastic)",
                 .level = 0.0},
      MetricSpec{.name = "il6_peak",
                 .kind = MetricKind::max,
                 .variable = "il6_pg_per_ml",
                 .unit = "pg/mL",
                 .description = "peak serum IL-6"},
      MetricSpec{.name = "crs_grade_peak",
                 .kind = MetricKind::max,
                 .variable = "crs_grade_proxy",
                 .unit = "1",
                 .description = "highest CRS grade proxy (>= 1: CRS of any grade)"},
  };
}

std::vector<ActionInfo> action_list() {
  std::vector<ActionInfo> a(M::num_actions);
  a[M::lymphodeplete] = {
      "lymphodeplete",
      "a flu/cy lymphodepletion course, applied at once: removes the given fractions of normal "
      "lymphocytes, B cells and blasts (homeostatic support then rises as the cytokine sink "
      "shrinks). Must come before the first infusion",
      {{"lymphocyte_depletion", "1", "fraction of normal T/NK lymphocytes removed", 0.9, 0.0,
        0.9999},
       {"b_cell_depletion", "1", "fraction of normal B cells removed", 0.9, 0.0, 0.9999},
       {"leukaemia_depletion", "1", "fraction of blasts (CD19+ and CD19-) removed", 0.0, 0.0,
        0.9999}}};
  a[M::infuse] = {
      "infuse",
      "infuse CAR+ viable T cells: a prescription (per kg or total, by the weight-band rule) of "
      "which this step gives `fraction`; fractionated infusion = several steps",
      {{"cells_per_kg", "cells/kg", "prescribed CAR+ viable cells per kg (0: not given)", 0.0, 0.0,
        1.0e9},
       {"cells", "cells", "prescribed CAR+ viable cells, total (0: not given)", 0.0, 0.0, 1.0e12},
       {"fraction", "1", "share of the prescription given in this step (e.g. 0.1, 0.3, 0.6)", 1.0,
        1.0e-6, 1.0},
       {"memory_fraction", "1", "memory-like share of the CAR+ cells (product phenotype)", 0.3, 0.0,
        1.0},
       {"vcn", "copies/cell", "transgene copies per CAR+ cell", 2.0, 0.01, 50.0},
       {"weight_band", "1",
        "1: tisagenlecleucel B-ALL rule (<= 50 kg: cells_per_kg, 0.2-5.0e6/kg; > 50 kg: cells, "
        "0.1-2.5e8); 0: free dosing with exactly one of cells_per_kg, cells",
        1.0, 0.0, 1.0}}};
  a[M::tocilizumab] = {"tocilizumab",
                       "an IV dose of tocilizumab (IL-6 receptor blockade)",
                       {{"dose_mg_per_kg", "mg/kg",
                         "dose (0: label, 12 mg/kg below 30 kg, 8 mg/kg from 30 kg; at "
                         "most 800 mg)",
                         0.0, 0.0, 12.0}}};
  return a;
}
}  // namespace

const ModelInfo& CartPatient::info() const {
  static const ModelInfo model_info = [] {
    ModelInfo m;
    m.name = "cart_patient";
    m.default_solver = "dopri5";  // non-stiff; measured fastest with identical metrics to 5 digits
    m.title =
        "CAR-T therapy of CD19+ B-ALL in one patient: product dosing, lymphodepletion, "
        "antigen-driven kinetics, leukaemia with CD19 escape, B-cell aplasia, IL-6/CRS";
    m.summary =
        "A mechanistic in-patient model dosed like a real product. Protocol actions give "
        "lymphodepletion (flu/cy), the infusion (weight-band or per-kg dose, memory fraction, "
        "VCN; fractionated as several steps) and tocilizumab (e.g. state-triggered on IL-6). "
        "Memory-like CAR-T activate on CD19 antigen (leukaemia and normal B cells) into "
        "effectors that proliferate with homeostatic support, kill, exhaust, die, or return to "
        "memory; the multiphasic kinetics (expansion, contraction, persistence) emerge from "
        "antigen clearance. Observables are what the clinic measures: CAR+ cells/uL, transgene "
        "copies/ug gDNA, % marrow blasts, B cells/uL, IL-6 pg/mL.";
    m.equations =
        "A = Lp + B; K = antigen_k50_per_kg W; s = A/(A+K); T = Tm+Te+Tx; F = (Lp+Ln)/Kmarrow\n"
        "H = (1+c)/(1 + c (N+T)/N0)   [homeostatic support, 1 at baseline]\n"
        "dTm/dt =  k_mem (1-s) Te - d_M Tm   [activation is asymmetric division: Tm stays]\n"
        "dTe/dt =  k_act s Tm + (rho s H - d_E - k_ex s - k_mem (1-s)) Te\n"
        "dTx/dt =  k_ex s Te - d_X Tx\n"
        "dLp/dt =  r_L Lp (1-F) - k_kill Te Lp/(A+K)\n"
        "dLn/dt =  r_N Ln (1-F)\n"
        "dB/dt  =  d_B B0 max(0, 1-F) - d_B B - k_kill Te B/(A+K)\n"
        "dN/dt  =  k_N N (1 - N/N0)\n"
        "dMa/dt =  k_on D (1-Ma) - k_off Ma,  D = (kill/(W k50_crs))^2 (1 + a_fb "
        "Isig/(Isig+I50)),\n"
        "         kill = k_kill Te A/(A+K) [cells/d]\n"
        "dI/dt  =  k_I (I_base + I_max Ma - I),  Isig = I (1-occ), occ = Z/(Z+EC50)\n"
        "dZ/dt  = -k_Z Z;  dQ/dt = 0 (cumulative dose)\n"
        "Kmarrow = marrow_cells_per_kg W; Vb = blood_volume_ml_per_kg W 1000 uL;\n"
        "N0 = lymphocytes_per_ul Vb/phi; B0 = b_cells_per_ul Vb/phi;  X/uL = phi X / Vb\n"
        "copies/ug = genomes_per_ug VCN (CAR+/uL) / (nucleated/uL), nucleated = myeloid + "
        "(N + B + T)/uL\n"
        "blasts % = 100 F;  initial: Lp+Ln = blasts% Kmarrow/100, B = B0 (1-F), N = N0, I = "
        "I_base";
    m.references =
        "Stein AM et al. CPT Pharmacometrics Syst Pharmacol 2019;8:285-295, "
        "doi:10.1002/psp4.12388 (multiphasic kinetics: contraction, memory fraction, "
        "persistence). Kirouac DC et al. Nat Biotechnol 2023, doi:10.1038/s41587-023-01687-x "
        "(memory/effector/exhausted CAR-T with antigen sensing). Leon-Triana O et al. Commun "
        "Nonlinear Sci Numer Simul 2021;94:105570, doi:10.1016/j.cnsns.2020.105570 (leukaemia, "
        "B cells, CD19- escape). Santurio DS et al. PLoS Comput Biol 2025, "
        "doi:10.1371/journal.pcbi.1012908 (macrophage-mediated IL-6/CRS). Kymriah EU SmPC "
        "(dose bands; cellular kinetics by response). Maude SL et al. N Engl J Med "
        "2018;378:439-448 (ELIANA outcomes).";
    m.deviations =
        "A new composite model, not a published one: the structure is assembled from the "
        "sources above and most rates are calibrated or invented (each parameter says which). "
        "No distribution phase (Liu 2021): blood holds a fixed share of the lymphocytes. "
        "Non-lymphoid blood cells are a constant, so lymphodepletion changes copies/ug only "
        "through the lymphocytes. Lymphodepletion is an instant cut, not a multi-day "
        "chemotherapy. Tocilizumab blocks the IL-6 signal that amplifies macrophage "
        "activation; the rise of serum IL-6 after receptor blockade is not modelled. The CRS "
        "grade is a proxy from IL-6, not ASTCT grading.";
    m.states = state_list();
    m.parameters = parameter_list();
    m.observables = observable_list();
    m.metrics = metric_list();
    // The clinical panels of `cartsim report`; CRS grade thresholds of the proxy as limits.
    m.plots = {
        {"Transgene in blood (qPCR)", {"transgene_copies_per_ug"}, true},
        {"CAR+ cells in blood (flow)", {"car_t_per_ul"}, true},
        {"Marrow blasts", {"marrow_blasts_pct"}, true},
        {"B cells and lymphocytes in blood", {"b_cells_per_ul", "lymphocytes_per_ul"}, true},
        {"IL-6", {"il6_pg_per_ml", "il6_signal_pg_per_ml"}, true},
        {"CRS grade (proxy)", {"crs_grade_proxy"}, false},
    };
    m.limits = {
        {"il6_signal_pg_per_ml", "crs_grade1_il6_pg_per_ml", false, "CRS grade 1", 1.0},
        {"il6_signal_pg_per_ml", "crs_grade1_il6_pg_per_ml", false, "CRS grade 2", 5.0},
        {"il6_signal_pg_per_ml", "crs_grade1_il6_pg_per_ml", false, "CRS grade 3", 25.0},
        {"il6_signal_pg_per_ml", "crs_grade1_il6_pg_per_ml", false, "CRS grade 4", 125.0},
    };
    m.actions = action_list();
    return m;
  }();
  return model_info;
}

}  // namespace cartsim::models
