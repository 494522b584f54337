// prodigy_tct: the model description (states, parameters with units, ranges and sources,
// observables, harvest metrics, protocol actions with their settings). `cartsim describe
// prodigy_tct` prints it; docs/models/prodigy_tct.md explains every value.
#include <fmt/format.h>

#include <limits>
#include <string>

#include "cartsim/models/prodigy_tct.hpp"
#include "prodigy_tct_settings.hpp"

namespace cartsim::models {
namespace {
using M = ProdigyTct;

constexpr const char* zhu = "Zhu F et al. Cytotherapy 2018;20(3):394-406";
constexpr const char* castella =
    "Castella M et al. Mol Ther Methods Clin Dev 2019;12:134-144, Table 2 (ARI-0001 "
    "specification)";
constexpr const char* calibrated =
    "calibrated: Zhu 2018 fold expansion (30x in 13 d) and Castella 2019 Table 2; see "
    "docs/models/prodigy_tct.md";

void add_lineage_states(std::vector<StateInfo>& states, const std::string& lineage) {
  states.push_back(
      {lineage + "_resting", "cells", lineage + " T cells not yet engaged by TransAct"});
  for (std::size_t j = 1; j <= M::lag_stages; ++j) {
    states.push_back({fmt::format("{}_lag{}", lineage, j), "cells",
                      fmt::format("{} T cells engaged, lag stage {} of {} before the first "
                                  "division",
                                  lineage, j, M::lag_stages)});
  }
  for (std::size_t j = 1; j <= M::destiny_stages; ++j) {
    states.push_back({fmt::format("{}_dividing{}", lineage, j), "cells",
                      fmt::format("dividing {} T cells, destiny-clock stage {} of {}", lineage, j,
                                  M::destiny_stages)});
  }
  states.push_back({lineage + "_post_destiny", "cells",
                    lineage + " T cells past their division destiny (no longer dividing)"});
  const char* phenotype[M::phenotypes] = {"naive_scm", "cm", "em", "effector"};
  const char* phenotype_text[M::phenotypes] = {"naive/stem-cell memory", "central memory",
                                               "effector memory", "effector"};
  for (std::size_t k = 0; k < M::phenotypes; ++k) {
    states.push_back({fmt::format("{}_activated_{}", lineage, phenotype[k]), "cells",
                      fmt::format("activated {} T cells (dividing + post-destiny) with {} "
                                  "phenotype; a tally of the same cells by phenotype",
                                  lineage, phenotype_text[k])});
  }
}

std::vector<StateInfo> state_list() {
  std::vector<StateInfo> s;
  add_lineage_states(s, "cd4");
  add_lineage_states(s, "cd8");
  s.push_back({"other_cells", "cells", "viable non-T cells left by the selection"});
  s.push_back({"dead_cells", "cells", "dead cells not yet disintegrated (trypan-blue positive)"});
  for (std::size_t k = 0; k <= M::max_copies; ++k) {
    s.push_back(
        {k == M::max_copies ? fmt::format("copies_{}_plus", k) : fmt::format("copies_{}", k), "1",
         k == M::max_copies
             ? fmt::format("fraction of T cells with {} or more integrated copies", k)
             : fmt::format("fraction of T cells with {} integrated vector copies", k)});
  }
  s.push_back({"exposure", "copies/cell", "mean integrated copies per T cell (M)"});
  s.push_back({"vector_iu", "IU", "infectious vector in the chamber"});
  s.push_back({"reagent_ul", "uL", "active TransAct in the chamber"});
  s.push_back({"il2_iu", "IU", "IL-2 in the chamber"});
  s.push_back({"il7_ng", "ng", "IL-7 in the chamber"});
  s.push_back({"il15_ng", "ng", "IL-15 in the chamber"});
  s.push_back({"glucose_mmol", "mmol", "glucose in the chamber"});
  s.push_back({"lactate_mmol", "mmol", "lactate in the chamber"});
  s.push_back({"volume_ml", "mL", "culture volume"});
  s.push_back({"cells_added", "cells", "cumulative cells loaded by seed"});
  s.push_back({"cells_born", "cells", "cumulative divisions (one new cell each)"});
  s.push_back({"cells_lysed", "cells", "cumulative dead cells disintegrated"});
  s.push_back({"cells_removed", "cells",
               "cumulative cells taken out (select, wash, exchange, sample, harvest)"});
  s.push_back({"glucose_added_mmol", "mmol", "cumulative glucose brought in with medium"});
  s.push_back({"glucose_consumed_mmol", "mmol", "cumulative glucose taken up by cells"});
  s.push_back({"glucose_removed_mmol", "mmol", "cumulative glucose taken out with medium"});
  return s;
}

std::vector<ParameterInfo> parameter_list() {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<ParameterInfo> p = {
      {"k_activation", "1/d", "rate at which TransAct engages resting T cells at full stimulus",
       3.0, 0.0, 100.0,
       "assumed: CD69/CD25 appear within hours of CD3/CD28 stimulation; most cells engaged within "
       "a day"},
      {"transact_half_ul_per_ml", "uL/mL", "TransAct concentration giving half the stimulus", 2.5,
       1e-6, 1e3, "assumed: a quarter of the 10 uL/mL (1:100) working dilution"},
      {"lag_mean_d", "d", "mean time from engagement to the first division (gamma, 6 stages)", 1.3,
       0.01, 20.0,
       "Hawkins 2007 / Cheon 2021 (Cyton2) first-division timers; human CD3/CD28 30-48 h "
       "including engagement (manufacturing notes)"},
      {"destiny_mean_d", "d",
       "mean time from the first division to division destiny under stimulation (gamma, 4 "
       "stages)",
       5.7, 0.01, 50.0, calibrated},
      {"destiny_speedup_unstimulated", "1",
       "how much faster the destiny clock runs without TransAct (1 = twice as fast)", 0.5, 0.0,
       100.0,
       "assumed: Marchingo 2014 (Science) - stimulation sets division destiny; less stimulus, "
       "earlier destiny"},
      {"mu_max_per_d", "1/d", "division rate of dividing cells in ideal medium", 0.8, 0.0, 10.0,
       "J Biol Eng 2019 doi:10.1186/s13036-019-0167-2: 0.030-0.053 /h (0.72-1.27 /d) in "
       "exponential phase"},
      {"cd8_growth_factor", "1", "division rate of CD8 relative to CD4 cells", 1.0, 0.0, 10.0,
       "assumed: no lineage difference reported for TCT runs"},
      {"cytokine_floor", "1", "fraction of the division rate kept without added cytokines", 0.4,
       0.0, 1.0, "assumed: activated T cells make their own IL-2"},
      {"il2_half_iu_per_ml", "IU/mL", "IL-2 giving half the cytokine support", 10.0, 1e-9, 1e6,
       "assumed: high-affinity IL-2R responses saturate at tens of IU/mL"},
      {"il7_half_ng_per_ml", "ng/mL", "IL-7 giving half the cytokine support", 2.0, 1e-9, 1e6,
       "assumed"},
      {"il15_half_ng_per_ml", "ng/mL", "IL-15 giving half the cytokine support", 2.0, 1e-9, 1e6,
       "assumed"},
      {"cytokine_decay_per_d", "1/d", "first-order loss of cytokine activity in medium", 0.35, 0.0,
       100.0, "assumed: cytokine half-life in 37 C medium of about 2 d"},
      {"cytokine_clearance_ml_per_cell_d", "mL/(cell d)",
       "medium volume cleared of cytokine per T cell per day (receptor uptake)", 5e-8, 0.0, 1e-3,
       "assumed: 0.25 /d extra loss at 5e6 cells/mL"},
      {"death_resting_per_d", "1/d", "death rate of resting and lag-stage T cells", 0.03, 0.0, 10.0,
       "assumed: primary T cells in culture lose a few % a day before activation"},
      {"death_activated_per_d", "1/d", "basal death rate of dividing and post-destiny T cells",
       0.01, 0.0, 10.0, "calibrated: Castella 2019 harvest viability 98 %"},
      {"death_no_cytokine_per_d", "1/d", "extra death of activated T cells without cytokine", 0.1,
       0.0, 10.0, "assumed: cytokine withdrawal apoptosis of activated blasts"},
      {"death_starvation_per_d", "1/d", "extra death of every cell once glucose is exhausted", 2.0,
       0.0, 100.0, "assumed: viability collapses within a day without glucose"},
      {"starvation_glucose_mm", "mM", "glucose at which starvation death is half maximal", 0.5,
       1e-6, 100.0, "assumed"},
      {"dead_lysis_per_d", "1/d", "rate at which dead cells disintegrate", 1.0, 0.0, 100.0,
       "assumed: dead cells stay countable for 1-2 days"},
      {"death_other_per_d", "1/d", "death rate of non-T cells (monocytes, B, NK)", 0.15, 0.0, 100.0,
       "assumed: non-T cells do not expand in TexMACS + IL-2/IL-7/IL-15"},
      {"diff_naive_to_cm", "1", "chance per daughter per division of naive/SCM -> CM", 0.10, 0.0,
       0.5, "assumed: Zhu 2018 product mainly EM and CM"},
      {"diff_cm_to_em", "1", "chance per daughter per division of CM -> EM", 0.10, 0.0, 0.5,
       "assumed: Zhu 2018 product mainly EM and CM"},
      {"diff_em_to_effector", "1", "chance per daughter per division of EM -> effector", 0.05, 0.0,
       0.5, "assumed: Zhu 2018 product mainly EM and CM"},
      {"glucose_uptake_active_pmol_per_cell_h", "pmol/(cell h)",
       "glucose uptake of activated (lag and dividing) T cells", 0.1, 0.0, 10.0,
       "manufacturing notes: activated T cells 0.1-0.3 pmol/cell/h"},
      {"glucose_uptake_quiescent_pmol_per_cell_h", "pmol/(cell h)",
       "glucose uptake of resting, post-destiny and non-T cells", 0.02, 0.0, 10.0,
       "assumed: a fifth of the activated rate"},
      {"glucose_half_mm", "mM", "glucose giving half the division and uptake rate (Monod)", 0.5,
       1e-6, 100.0, "assumed: GLUT1 transport saturates near 1 mM"},
      {"lactate_yield", "mol/mol", "lactate made per glucose taken up", 1.7, 0.0, 2.0,
       "assumed: activated T cells are mostly glycolytic (theoretical maximum 2)"},
      {"lactate_inhibition_mm", "mM", "lactate halving the division rate", 40.0, 1e-3, 1e3,
       "assumed: T-cell growth slows at 20-40 mM lactate"},
      {"vector_uptake_ml_per_cell_d", "mL/(cell d)",
       "medium volume each fully susceptible T cell clears of vector per day", 8e-7, 0.0, 1e-3,
       calibrated},
      {"copies_per_iu", "copies/IU", "integrated copies per infectious unit taken up", 0.8, 0.0,
       100.0, calibrated},
      {"resting_susceptibility", "1",
       "vector uptake of a resting T cell relative to an activated one", 0.1, 0.0, 1.0,
       "assumed: resting T cells are poorly transduced by VSV-G lentivirus"},
      {"copy_model", "1", "integrated copies: 0 Poisson, 1 negative binomial (over-dispersed)", 1.0,
       0.0, 1.0,
       "Castella 2019: 5.6-6.3 copies per CAR+ cell at 26-42 % CAR+ need over-dispersion"},
      {"copy_dispersion_k", "1", "negative-binomial shape k of susceptibility (small = uneven)",
       0.17, 1e-3, 1e6, "calibrated: Castella 2019 Table 2 VCN and CAR+ (k = 0.15-0.2)"},
      {"chamber_capacity_ml", "mL", "largest culture volume the chamber holds", 300.0, 1.0, 1e4,
       "assumed: CentriCult chamber working volume; published TCT runs reach about 250 mL "
       "(manufacturing notes) - check against the TS520 instructions"},
      {"spec_car_fraction_min", "1", "release: minimum CAR+ fraction of viable cells", 0.20, 0.0,
       1.0, castella},
      {"spec_cd3_fraction_min", "1", "release: minimum CD3+ fraction of viable cells", 0.70, 0.0,
       1.0, castella},
      {"spec_viability_min", "1", "release: minimum viability", 0.70, 0.0, 1.0, castella},
      {"spec_vcn_max", "copies/cell", "release: maximum mean vector copies per cell", 10.0, 0.0,
       1e3, castella},
      {"spec_car_cells_per_kg_min", "cells/kg", "release: minimum CAR+ cells per kg", 0.5e6, 0.0,
       1e12, castella},
      {"patient_weight_kg", "kg", "patient weight for the dose checks", 70.0, 0.1, 500.0,
       "Castella 2019 Table 2 (the 70-kg example of the specification)"},
      {"dose_car_cells_per_kg", "cells/kg", "one dose, CAR+ cells per kg", 1e6, 1.0, 1e12,
       "ARI-0001 dose 1e6 CAR+ cells/kg (Ortiz-Maldonado V et al. Mol Ther 2021) - check"},
      {"culture_start_cells", "cells", "viable cells at the culture start (after seed/select)", 0.0,
       0.0, inf, "set by seed and select", true},
      {"seed_naive_fraction", "1", "naive/SCM fraction of the seeded T cells", 0.4, 0.0, 1.0,
       "set by seed", true},
      {"seed_cm_fraction", "1", "CM fraction of the seeded T cells", 0.2, 0.0, 1.0, "set by seed",
       true},
      {"seed_em_fraction", "1", "EM fraction of the seeded T cells", 0.3, 0.0, 1.0, "set by seed",
       true},
      {"seed_effector_fraction", "1", "effector fraction of the seeded T cells", 0.1, 0.0, 1.0,
       "set by seed", true},
      {"vector_decay_per_d", "1/d", "vector decay rate, ln 2 * 24 / half-life (h)", 0.4753, 0.0,
       inf, "set by transduce (default half-life 35 h, Dautzenberg 2021)", true},
      {"reagent_decay_per_d", "1/d", "TransAct activity loss, 1 / duration", 0.25, 0.0, inf,
       "set by activate", true},
  };
  return p;
}

std::vector<ObservableInfo> observable_list() {
  return {
      {"viable_cells", "cells", "viable cells (T + non-T)"},
      {"t_cells", "cells", "viable CD4 + CD8 T cells"},
      {"viability", "1", "viable / (viable + dead)"},
      {"fold_expansion", "1", "viable cells / viable cells at the culture start"},
      {"cell_density_per_ml", "cells/mL", "viable cells per mL"},
      {"car_positive_fraction", "1", "CAR+ (>= 1 copy) T cells / viable cells"},
      {"car_positive_cells", "cells", "viable CAR+ T cells"},
      {"vcn_per_cell", "copies/cell", "mean integrated copies per viable cell (qPCR)"},
      {"vcn_per_car_cell", "copies/cell", "mean integrated copies per CAR+ cell"},
      {"naive_scm_fraction", "1", "naive/stem-cell memory fraction of T cells"},
      {"cm_fraction", "1", "central memory fraction of T cells"},
      {"em_fraction", "1", "effector memory fraction of T cells"},
      {"effector_fraction", "1", "effector fraction of T cells"},
      {"cd4_cd8_ratio", "1", "CD4 / CD8 T cells"},
      {"cd3_fraction", "1", "CD3+ (T) fraction of viable cells"},
      {"activated_fraction", "1", "T cells engaged by TransAct (lag, dividing, post-destiny)"},
      {"stimulus", "1", "TransAct signal s = c / (c + K)"},
      {"cytokine_support", "1", "cytokine support 1 - prod(1 - c_i / (c_i + K_i))"},
      {"glucose_mm", "mM", "glucose concentration"},
      {"lactate_mm", "mM", "lactate concentration"},
      {"vector_iu_per_ml", "IU/mL", "infectious vector concentration"},
      {"growth_rate_per_d", "1/d", "divisions per T cell per day right now"},
      {"car_cells_per_kg", "cells/kg", "CAR+ cells per kg of the patient"},
      {"doses_supported", "doses", "whole doses of dose_car_cells_per_kg for the patient"},
      {"release_pass", "1", "1 if every release criterion is met, else 0"},
      {"release_failures", "1",
       "failed criteria, sum of: 1 CAR+ fraction, 2 CD3+, 4 viability, 8 VCN, 16 CAR+ cells/kg"},
  };
}

MetricSpec harvest_metric(const char* name, const char* variable, const char* unit,
                          const char* description) {
  return MetricSpec{.name = name,
                    .kind = MetricKind::final,
                    .variable = variable,
                    .unit = unit,
                    .description = description};
}

std::vector<MetricSpec> metric_list() {
  return {
      harvest_metric("harvest_viable_cells", "viable_cells", "cells", "viable cells at harvest"),
      harvest_metric("harvest_viability", "viability", "1", "viability at harvest"),
      harvest_metric("harvest_fold_expansion", "fold_expansion", "1",
                     "fold expansion over the culture start"),
      harvest_metric("harvest_car_fraction", "car_positive_fraction", "1", "CAR+ fraction"),
      harvest_metric("harvest_car_cells", "car_positive_cells", "cells", "CAR+ viable cells"),
      harvest_metric("harvest_vcn_per_cell", "vcn_per_cell", "copies/cell", "VCN per cell"),
      harvest_metric("harvest_vcn_per_car_cell", "vcn_per_car_cell", "copies/cell",
                     "VCN per CAR+ cell"),
      harvest_metric("harvest_naive_scm_fraction", "naive_scm_fraction", "1",
                     "naive/SCM fraction of T cells"),
      harvest_metric("harvest_cm_fraction", "cm_fraction", "1", "CM fraction of T cells"),
      harvest_metric("harvest_em_fraction", "em_fraction", "1", "EM fraction of T cells"),
      harvest_metric("harvest_effector_fraction", "effector_fraction", "1",
                     "effector fraction of T cells"),
      harvest_metric("harvest_cd4_cd8_ratio", "cd4_cd8_ratio", "1", "CD4:CD8"),
      harvest_metric("harvest_cd3_fraction", "cd3_fraction", "1", "CD3+ fraction"),
      harvest_metric("release_pass", "release_pass", "1", "1 if the product meets the spec"),
      harvest_metric("release_failures", "release_failures", "1",
                     "failed criteria (1 CAR+%, 2 CD3+, 4 viability, 8 VCN, 16 CAR+/kg)"),
      harvest_metric("doses_supported", "doses_supported", "doses",
                     "whole doses for the patient weight"),
      MetricSpec{.name = "min_glucose_mm",
                 .kind = MetricKind::min,
                 .variable = "glucose_mm",
                 .unit = "mM",
                 .description = "lowest glucose over the run"},
      MetricSpec{.name = "max_lactate_mm",
                 .kind = MetricKind::max,
                 .variable = "lactate_mm",
                 .unit = "mM",
                 .description = "highest lactate over the run"},
  };
}

std::vector<SettingInfo> medium_setting_list(const char* volume_text, std::optional<double> volume,
                                             double volume_min) {
  return {
      {"volume_ml", "mL", volume_text, volume, volume_min, 1e4},
      {"glucose_mm", "mM",
       "glucose of the medium (default assumed for TexMACS: its composition is proprietary; 10-25 "
       "mM in the manufacturing notes)",
       17.5, 0.0, 200.0},
      {"il2_iu", "IU", "IL-2 added (amount, not concentration)", 0.0, 0.0, 1e9},
      {"il7_ng", "ng", "IL-7 added (amount)", 0.0, 0.0, 1e9},
      {"il15_ng", "ng", "IL-15 added (amount)", 0.0, 0.0, 1e9},
  };
}

std::vector<ActionInfo> action_list() {
  std::vector<ActionInfo> a(M::num_actions);
  a[M::seed] = {
      "seed",
      "load cells and medium into the empty chamber (the first step of every protocol)",
      {{"cells", "cells", "nucleated cells loaded (viable + dead)", std::nullopt, 0.0, 1e12},
       {"t_cell_fraction", "1", "CD4/CD8 T cells among the viable cells", 1.0, 0.0, 1.0},
       {"cd4_fraction", "1", "CD4 cells among the T cells", 0.65, 0.0, 1.0},
       {"viability", "1", "viable fraction of the cells loaded", 0.95, 0.0, 1.0},
       {"naive_scm_fraction", "1", "naive/stem-cell memory fraction of the T cells", 0.40, 0.0,
        1.0},
       {"cm_fraction", "1", "central memory fraction of the T cells", 0.20, 0.0, 1.0},
       {"em_fraction", "1", "effector memory fraction of the T cells (effector = the rest)", 0.30,
        0.0, 1.0}}};
  for (auto& s : medium_setting_list("medium volume the cells are seeded in", std::nullopt, 1.0)) {
    a[M::seed].settings.push_back(s);
  }
  a[M::select] = {"select",
                  "CD4/CD8 immunomagnetic enrichment of the loaded cells",
                  {{"recovery", "1", "fraction of the T cells kept", 0.55, 0.0, 1.0},
                   {"purity", "1", "CD3+ fraction of the selected product", 0.89, 0.01, 1.0}}};
  a[M::activate] = {
      "activate",
      "add TransAct (CD3/CD28 nanomatrix)",
      {{"transact_ul_per_ml", "uL/mL",
        "TransAct concentration in the culture (10 = the 1:100 working dilution)", 10.0, 0.0,
        100.0},
       {"duration_d", "d", "mean lifetime of the reagent's activity unless washed out earlier", 4.0,
        0.01, 100.0}}};
  a[M::transduce] = {"transduce",
                     "add lentiviral vector at a multiplicity of infection",
                     {{"moi", "IU/cell", "infectious units per viable cell in the chamber",
                       std::nullopt, 0.01, 1000.0},
                      {"vector_half_life_h", "h",
                       "half-life of the vector in medium at 37 C (VSV-G: 35 h, Dautzenberg 2021)",
                       35.0, 0.1, 1000.0}}};
  a[M::wash] = {"wash",
                "centrifugal wash: replaces the whole supernatant (removes vector, TransAct, "
                "cytokines, lactate) and resuspends in fresh medium",
                {{"cell_loss", "1", "fraction of cells lost in the wash", 0.10, 0.0, 1.0}}};
  for (auto& s : medium_setting_list("culture volume after the wash", std::nullopt, 1.0)) {
    a[M::wash].settings.push_back(s);
  }
  a[M::medium_exchange] = {
      "medium_exchange",
      "replace part of the supernatant with fresh medium (cells retained by sedimentation)",
      {{"removed_fraction", "1", "fraction of the supernatant taken out", 0.8, 0.0, 1.0},
       {"cell_loss", "1", "fraction of cells lost with it", 0.02, 0.0, 1.0}}};
  for (auto& s : medium_setting_list("culture volume after the exchange", std::nullopt, 1.0)) {
    a[M::medium_exchange].settings.push_back(s);
  }
  a[M::feed] = {"feed", "add medium and cytokines (cells and amounts conserved, diluted)", {}};
  a[M::feed].settings = medium_setting_list("medium volume added", std::nullopt, 0.0);
  a[M::sample] = {"sample",
                  "take an in-process sample of the well-mixed culture",
                  {{"volume_ml", "mL", "volume taken", std::nullopt, 0.0, 1e3}}};
  a[M::harvest] = {
      "harvest",
      "end the run: the chamber content is the product",
      {{"cell_loss", "1", "fraction of cells lost in harvest and formulation", 0.0, 0.0, 1.0}}};
  return a;
}
}  // namespace

const ModelInfo& ProdigyTct::info() const {
  static const ModelInfo model_info = [] {
    ModelInfo m;
    m.name = "prodigy_tct";
    m.title = "CAR-T manufacturing in the CliniMACS Prodigy T Cell Transduction process";
    m.summary =
        "A well-mixed model of one Prodigy TCT run: seeding, CD4/CD8 selection, TransAct "
        "activation with a gamma-distributed lag before the first division, division destiny "
        "that comes sooner once TransAct is washed out, cytokine support that decays between "
        "feeds, glucose uptake, lactate and starvation, lentiviral transduction with Poisson or "
        "negative-binomial copy-number classes, phenotype progression with divisions, and a "
        "release check of the harvested product. The protocol is written with model actions "
        "(seed, select, activate, transduce, wash, medium_exchange, feed, sample, harvest); time "
        "is in days.";
    m.equations =
        "Amounts are states; c_X = X / V (V culture volume, mL).\n"
        "s = c_TransAct / (c_TransAct + K_A);  support = 1 - (1-h2)(1-h7)(1-h15), h_i = "
        "c_i/(c_i+K_i)\n"
        "mu = mu_max [floor + (1-floor) support] G/(G+K_G) / (1 + (L/K_L)^2)   [1/d]\n"
        "d_starv = d_s / (1 + (G/G_s)^4);  d_R = d_rest + d_starv;  "
        "d_A = d_act + d_cyt (1-support) + d_starv\n"
        "per lineage: dR/dt = -(k_act s + d_R) R\n"
        "  dA_1/dt = k_act s R - (n/tau_lag + d_R) A_1;  dA_j/dt = n/tau_lag A_(j-1) - (n/tau_lag "
        "+ d_R) A_j  (n = 6)\n"
        "  F = n/tau_lag A_n (first divisions);  kappa = m/tau_dest (1 + speedup (1-s))  (m = 4)\n"
        "  dD_1/dt = 2F + (mu - kappa - d_A) D_1;  dD_j/dt = kappa D_(j-1) + (mu - kappa - d_A) "
        "D_j\n"
        "  dQ/dt = kappa D_m - d_A Q\n"
        "  phenotypes P_k of D+Q: dP_k/dt = mu D/(D+Q) [(1-2p_k) P_k + 2 p_(k-1) P_(k-1)]\n"
        "                         + 2F [f_k (1-p_k) + f_(k-1) p_(k-1)] - d_A P_k\n"
        "dead: d(dead)/dt = sum of deaths - k_lysis dead\n"
        "vector: dV/dt = -k_v V - u T,  u = k_bind sigma c_V,  sigma = s_rest + (1-s_rest) act\n"
        "copies: dM/dt = lambda = eps u;  dq_k/dt = lambda (r_(k-1) q_(k-1) - r_k q_k)\n"
        "  Poisson r_k = 1;  negative binomial r_k = (k_d + k)/(k_d + M)\n"
        "glucose: dG/dt = -[q_act D + q_q (R + A + Q + other)] G/(G+K_G);  dL/dt = -Y dG/dt\n"
        "cytokines: dI/dt = -(k_c + k_clear T / V) I;  TransAct: dX/dt = -X / duration";
    m.references =
        "Zhu F, Shah N, Xu H, et al. Closed-system manufacturing of CD19 and dual-targeted "
        "CD20/19 chimeric antigen receptor T cells using the CliniMACS Prodigy device at an "
        "academic medical center. Cytotherapy 2018;20(3):394-406. "
        "Castella M, Boronat A, Martin-Ibanez R, et al. Development of a novel anti-CD19 "
        "chimeric antigen receptor: a paradigm for an affordable CAR T cell production at "
        "academic institutions. Mol Ther Methods Clin Dev 2019;12:134-144. "
        "Hawkins ED, Turner ML, Dowling MR, et al. A model of immune regulation as a consequence "
        "of randomized lymphocyte division and death times. PNAS 2007;104(12):5032-5037. "
        "Cheon H, Kan A, Prevedello G, et al. Cyton2: a model of immune cell population dynamics "
        "that includes familial instructional inheritance. Front Bioinform 2021;1:723337. "
        "Dautzenberg IJC, Rabelink MJWE, Hoeben RC. The stability of envelope-pseudotyped "
        "lentiviral vectors. Gene Ther 2021;28:89-104.";
    m.deviations =
        "Cyton lognormal timers are replaced by gamma (linear-chain) delays: 6 lag stages (CV "
        "0.41) and 4 destiny stages (CV 0.5), wider than Cyton2's fitted lognormals. Phenotype is "
        "assumed independent of the destiny clock, and copy number independent of cell state "
        "(mean-field transduction). Death rates do not depend on phenotype. See "
        "docs/models/prodigy_tct.md, 'What the model cannot say'.";
    m.states = state_list();
    m.parameters = parameter_list();
    m.observables = observable_list();
    m.metrics = metric_list();
    // The run sheet of `cartsim report`, and the release specification drawn as limits.
    m.plots = {
        {"Viable, T and CAR+ cells", {"viable_cells", "t_cells", "car_positive_cells"}, true},
        {"Viability, CD3+ and CAR+ fractions",
         {"viability", "cd3_fraction", "car_positive_fraction"},
         false},
        {"Vector copies (VCN)", {"vcn_per_cell", "vcn_per_car_cell"}, false},
        {"Glucose and lactate", {"glucose_mm", "lactate_mm"}, false},
        {"Phenotype",
         {"naive_scm_fraction", "cm_fraction", "em_fraction", "effector_fraction"},
         false},
        {"CAR+ cells per kg", {"car_cells_per_kg"}, true},
    };
    m.limits = {
        {"car_positive_fraction", "spec_car_fraction_min", true, "release: CAR+ fraction min"},
        {"cd3_fraction", "spec_cd3_fraction_min", true, "release: CD3+ fraction min"},
        {"viability", "spec_viability_min", true, "release: viability min"},
        {"vcn_per_cell", "spec_vcn_max", false, "release: VCN max"},
        {"car_cells_per_kg", "spec_car_cells_per_kg_min", true, "release: CAR+ cells/kg min"},
    };
    m.actions = action_list();
    return m;
  }();
  return model_info;
}

}  // namespace cartsim::models
