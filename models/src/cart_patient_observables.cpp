// cart_patient: what the clinic measures, computed from the whole-body states. Blood holds the
// share blood_lymphoid_fraction of every lymphoid population (normal T/NK, B, CAR-T) in a blood
// volume of blood_volume_ml_per_kg x body weight; qPCR copies/ug gDNA divide the CAR transgene
// copies per uL by the genomic DNA per uL (nucleated cells / genomes_per_ug).
#include <cmath>

#include "cartsim/models/cart_patient.hpp"

namespace cartsim::models {

void CartPatient::observables(double, std::span<const double> y, std::span<const double> p,
                              std::span<double> out) const {
  const double car = y[car_memory] + y[car_effector] + y[car_exhausted];
  const double car_ul = per_ul(car, p);
  const double b_ul = per_ul(y[b_cells], p);
  const double n_ul = per_ul(y[lymphocytes], p);
  const double nucleated = p[myeloid_per_ul] + n_ul + b_ul + car_ul;
  const double blasts = y[leukaemia_cd19pos] + y[leukaemia_cd19neg];
  const double blasts_pct = 100.0 * blasts / marrow_capacity(p);
  const double antigen = y[leukaemia_cd19pos] + y[b_cells];
  const double occupancy =
      y[tocilizumab_level] / (y[tocilizumab_level] + p[tocilizumab_ec50_ug_per_ml]);
  const double signal = y[il6] * (1.0 - occupancy);
  const double g1 = p[crs_grade1_il6_pg_per_ml];
  double grade = 0.0;
  for (double level : {g1, 5.0 * g1, 25.0 * g1, 125.0 * g1}) {
    grade += signal >= level ? 1.0 : 0.0;
  }

  out[car_t_cells] = car;
  out[car_t_per_ul] = car_ul;
  out[transgene_copies_per_ug] =
      copies_per_ug(car_ul, nucleated, p[product_vcn], p[genomes_per_ug]);
  out[car_memory_share] = car > 0.0 ? y[car_memory] / car : 0.0;
  out[marrow_blasts] = blasts_pct;
  out[cd19neg_blast_share] = blasts > 0.0 ? y[leukaemia_cd19neg] / blasts : 0.0;
  out[complete_remission] = blasts_pct < p[remission_blasts_pct] ? 1.0 : 0.0;
  out[b_cells_per_ul_blood] = b_ul;
  out[b_cell_deficit_per_ul] = p[b_aplasia_limit_per_ul] - b_ul;
  out[lymphocytes_per_ul_blood] = n_ul;
  out[nucleated_cells_per_ul] = nucleated;
  out[antigen_stimulation] = antigen / (antigen + p[antigen_k50_per_kg] * p[body_weight_kg]);
  out[homeostatic_support] = support(y, p);
  out[il6_pg_per_ml] = y[il6];
  out[il6_signal_pg_per_ml] = signal;
  out[crs_grade_proxy] = grade;
  out[tocilizumab_occupancy] = occupancy;
  out[relapsed] = p[relapse_flag];
  out[relapse_cd19_status] = p[relapse_cd19_status_code];
}

}  // namespace cartsim::models
