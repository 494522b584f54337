// cart_patient: the right-hand side, the initial state from the patient's baseline, the run
// checks, and the model's own events (remission, relapse). The equations are in
// cart_patient.hpp and docs/models/cart_patient.md.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "cartsim/core/errors.hpp"
#include "cartsim/models/cart_patient.hpp"

namespace cartsim::models {
namespace {
using M = CartPatient;

double blast_fraction(std::span<const double> y, std::span<const double> p) {
  return (y[M::leukaemia_cd19pos] + y[M::leukaemia_cd19neg]) / M::marrow_capacity(p);
}

double blasts_pct(std::span<const double> y, std::span<const double> p) {
  return 100.0 * blast_fraction(y, p);
}
}  // namespace

double CartPatient::blood_ul(std::span<const double> p) {
  return p[blood_volume_ml_per_kg] * p[body_weight_kg] * 1000.0;
}

double CartPatient::per_ul(double cells, std::span<const double> p) {
  return p[blood_lymphoid_fraction] * cells / blood_ul(p);
}

double CartPatient::marrow_capacity(std::span<const double> p) {
  return p[marrow_cells_per_kg] * p[body_weight_kg];
}

double CartPatient::lymphocyte_setpoint(std::span<const double> p) {
  return p[lymphocytes_per_ul] * blood_ul(p) / p[blood_lymphoid_fraction];
}

double CartPatient::b_cell_setpoint(std::span<const double> p) {
  return p[b_cells_per_ul] * blood_ul(p) / p[blood_lymphoid_fraction];
}

double CartPatient::support(std::span<const double> y, std::span<const double> p) {
  const double c = p[homeostatic_sink];
  const double load = (y[lymphocytes] + y[car_memory] + y[car_effector] + y[car_exhausted]) /
                      lymphocyte_setpoint(p);
  return (1.0 + c) / (1.0 + c * load);
}

double CartPatient::copies_per_ug(double car_per_ul, double nucleated_per_ul, double vcn,
                                  double genomes) {
  return genomes * vcn * car_per_ul / nucleated_per_ul;
}

void CartPatient::rhs(double, std::span<const double> y, std::span<const double> p,
                      std::span<double> dydt) const {
  const double w = p[body_weight_kg];
  const double tm = y[car_memory];
  const double te = y[car_effector];
  const double tx = y[car_exhausted];
  const double lp = y[leukaemia_cd19pos];
  const double ln = y[leukaemia_cd19neg];
  const double b = y[b_cells];
  const double antigen = lp + b;
  const double k50 = p[antigen_k50_per_kg] * w;
  const double s = antigen / (antigen + k50);
  const double h = support(y, p);
  const double f = blast_fraction(y, p);
  const double room = 1.0 - f;
  const double kill = p[kill_per_effector_per_d] * te / (antigen + k50);  // per target, 1/d

  const double activation = p[activation_per_d] * s * tm;
  const double to_memory = p[memory_formation_per_d] * (1.0 - s) * te;
  const double to_exhausted = p[exhaustion_per_d] * s * te;
  // A stimulated memory-like cell divides asymmetrically: one daughter stays memory-like, the
  // other is an effector (self-renewal; Kirouac 2023), so activation does not drain Tm.
  dydt[car_memory] = to_memory - p[memory_death_per_d] * tm;
  dydt[car_effector] = activation +
                       (p[proliferation_per_d] * s * h - p[effector_death_per_d]) * te -
                       to_exhausted - to_memory;
  dydt[car_exhausted] = to_exhausted - p[exhausted_death_per_d] * tx;
  dydt[leukaemia_cd19pos] = p[leukaemia_growth_per_d] * lp * room - kill * lp;
  dydt[leukaemia_cd19neg] = p[cd19neg_growth_per_d] * ln * room;
  dydt[b_cells] =
      p[b_cell_turnover_per_d] * (b_cell_setpoint(p) * std::max(0.0, room) - b) - kill * b;
  // Homeostatic (logistic) recovery towards the set point.
  dydt[lymphocytes] = p[lymphocyte_recovery_per_d] * y[lymphocytes] *
                      (1.0 - y[lymphocytes] / lymphocyte_setpoint(p));

  const double occupancy =
      y[tocilizumab_level] / (y[tocilizumab_level] + p[tocilizumab_ec50_ug_per_ml]);
  const double signal = y[il6] * (1.0 - occupancy);
  // Macrophage activation by the killing (DAMPs, antigen engagement, CD40L contact all scale with
  // antigen-engaged effectors; Santurio 2025), with a Hill-2 threshold, amplified by IL-6 signal.
  const double killing = kill * antigen / (w * p[crs_kill_half_per_kg_d]);
  const double drive = killing * killing *
                       (1.0 + p[il6_feedback] * signal / (signal + p[il6_signal_half_pg_per_ml]));
  const double ma = y[macrophage_activation];
  dydt[macrophage_activation] =
      p[macrophage_on_per_d] * drive * (1.0 - ma) - p[macrophage_off_per_d] * ma;
  dydt[il6] =
      p[il6_elimination_per_d] * (p[il6_base_pg_per_ml] + p[il6_max_pg_per_ml] * ma - y[il6]);
  dydt[tocilizumab_level] = -p[tocilizumab_elimination_per_d] * y[tocilizumab_level];
  dydt[car_infused] = 0.0;
}

void CartPatient::initial_state(std::span<const double> p, std::span<double> y0) const {
  std::fill(y0.begin(), y0.end(), 0.0);
  const double f = p[marrow_blasts_pct] / 100.0;
  const double blasts = f * marrow_capacity(p);
  y0[leukaemia_cd19pos] = blasts * (1.0 - p[cd19neg_fraction]);
  y0[leukaemia_cd19neg] = blasts * p[cd19neg_fraction];
  y0[b_cells] = b_cell_setpoint(p) * (1.0 - f);  // steady state with a crowded marrow
  y0[lymphocytes] = lymphocyte_setpoint(p);
  y0[il6] = p[il6_base_pg_per_ml];
}

void CartPatient::check_run(double, std::span<const double> p) const {
  if (p[marrow_blasts_pct] >= 100.0) {
    throw ParameterError("marrow_blasts_pct",
                         fmt::format("cart_patient: marrow_blasts_pct = {:g} % leaves no normal "
                                     "marrow; give a value below 100",
                                     p[marrow_blasts_pct]));
  }
}

void CartPatient::derive_parameters(std::span<double> p) const {
  // A patient who starts below the remission level is in remission (e.g. MRD-positive only), so
  // a later rise to it is a relapse.
  if (p[marrow_blasts_pct] < p[remission_blasts_pct]) {
    p[remission_flag] = 1.0;
  }
}

void CartPatient::model_events(double, std::span<const double> p, EventSet& events) const {
  // Remission: blasts fall below remission_blasts_pct (once). Relapse: after remission, blasts
  // rise back to it (once); the relapse is CD19- when most blasts are CD19- at that moment.
  if (p[remission_flag] < 0.5) {
    events.state.push_back({"cart_patient: remission (blasts below remission_blasts_pct)",
                            [](double, std::span<const double> y, std::span<const double> q) {
                              return blasts_pct(y, q) - q[remission_blasts_pct];
                            },
                            Crossing::falling, false,
                            [](EventContext& ctx) { ctx.p[remission_flag] = 1.0; }});
  }
  events.state.push_back({"cart_patient: relapse (blasts back to remission_blasts_pct)",
                          [](double, std::span<const double> y, std::span<const double> q) {
                            return q[remission_flag] > 0.5
                                       ? blasts_pct(y, q) - q[remission_blasts_pct]
                                       : -1.0;
                          },
                          Crossing::rising, false,
                          [](EventContext& ctx) {
                            ctx.p[relapse_flag] = 1.0;
                            const double lp = ctx.y[leukaemia_cd19pos];
                            const double ln = ctx.y[leukaemia_cd19neg];
                            ctx.p[relapse_cd19_status_code] = ln > lp ? 2.0 : 1.0;
                          }});
}

}  // namespace cartsim::models
