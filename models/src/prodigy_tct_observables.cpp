// prodigy_tct: what a process scientist reads off a run (cell counts, viability, transduction,
// phenotype, medium) and the release check against the product specification.
#include <cmath>

#include "cartsim/models/prodigy_tct.hpp"
#include "prodigy_tct_kinetics.hpp"

namespace cartsim::models {
namespace {
using namespace prodigy_detail;

double ratio(double numerator, double denominator) {
  return denominator > 0.0 ? numerator / denominator : 0.0;
}
}  // namespace

void ProdigyTct::observables(double, std::span<const double> y, std::span<const double> p,
                             std::span<double> out) const {
  const Conditions c = culture_conditions(y, p);
  const LineageSums s4 = lineage_sums(y, cd4_block);
  const LineageSums s8 = lineage_sums(y, cd8_block);
  const double t = s4.total() + s8.total();
  const double viable = t + y[other_cells];
  const double not_activated = s4.resting + s4.lag + s8.resting + s8.lag;

  out[viable_cells] = viable;
  out[t_cells] = t;
  out[viability] = ratio(viable, viable + y[dead_cells]);
  out[fold_expansion] = ratio(viable, p[culture_start_cells]);
  out[cell_density_per_ml] = c.volume > empty_volume_ml ? viable / c.volume : 0.0;

  // CAR+ = T cells with at least one integrated copy; flow and qPCR see every viable cell.
  const double car_share = 1.0 - y[copies_first];
  out[car_positive_fraction] = ratio(t * car_share, viable);
  out[car_positive_cells] = t * car_share;
  out[vcn_per_cell] = ratio(t * y[exposure], viable);
  out[vcn_per_car_cell] = ratio(y[exposure], car_share);

  const double seeded[phenotypes] = {p[seed_naive_fraction], p[seed_cm_fraction],
                                     p[seed_em_fraction], p[seed_effector_fraction]};
  double fractions[phenotypes];
  for (std::size_t k = 0; k < phenotypes; ++k) {
    const double cells = seeded[k] * not_activated + y[cd4_block + phenotype_first + k] +
                         y[cd8_block + phenotype_first + k];
    fractions[k] = ratio(cells, t);
  }
  out[naive_scm_fraction] = fractions[0];
  out[cm_fraction] = fractions[1];
  out[em_fraction] = fractions[2];
  out[effector_fraction] = fractions[3];
  out[cd4_cd8_ratio] = ratio(s4.total(), s8.total());
  out[cd3_fraction] = ratio(t, viable);
  out[activated_fraction] = ratio(t - s4.resting - s8.resting, t);
  out[stimulus] = c.stimulus;
  out[cytokine_support] = c.support;
  out[glucose_mm] = c.glucose_mm;
  out[lactate_mm] = c.lactate_mm;
  out[vector_iu_per_ml] = c.vector_per_ml;
  out[growth_rate_per_d] = ratio(c.mu_cd4 * s4.dividing + c.mu_cd8 * s8.dividing, t);

  const double per_kg = out[car_positive_cells] / p[patient_weight_kg];
  out[car_cells_per_kg] = per_kg;
  out[doses_supported] = std::floor(per_kg / p[dose_car_cells_per_kg]);
  unsigned failures = 0;
  if (!(out[car_positive_fraction] >= p[spec_car_fraction_min])) {
    failures |= fail_car_fraction;
  }
  if (!(out[cd3_fraction] >= p[spec_cd3_fraction_min])) {
    failures |= fail_cd3_fraction;
  }
  if (!(out[viability] >= p[spec_viability_min])) {
    failures |= fail_viability;
  }
  if (!(out[vcn_per_cell] <= p[spec_vcn_max])) {
    failures |= fail_vcn;
  }
  if (!(per_kg >= p[spec_car_cells_per_kg_min])) {
    failures |= fail_car_cells_per_kg;
  }
  out[release_failures] = static_cast<double>(failures);
  out[release_pass] = failures == 0 ? 1.0 : 0.0;
}

}  // namespace cartsim::models
