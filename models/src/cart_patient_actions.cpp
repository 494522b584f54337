// cart_patient: the protocol actions (lymphodeplete, infuse, tocilizumab), the dose rules they
// follow, and the whole-protocol checks that reject an impossible or off-label plan before it runs
// (ProtocolError -> ConfigError at the step, exit 2).
//
// Dosing decision (docs/models/cart_patient.md, "Dosing"): with weight_band = 1 (the default) an
// infusion follows the tisagenlecleucel B-ALL label: a patient of <= 50 kg gets cells_per_kg x
// weight with 0.2-5.0e6 cells/kg, a heavier one the flat `cells` with 0.1-2.5e8 cells; a dose
// outside its band is an error, not a warning. weight_band = 0 doses freely (other products,
// e.g. ARI-0001 at 1e6/kg in adults), with exactly one of cells_per_kg and cells.
#include <fmt/format.h>

#include <cmath>

#include "cart_patient_settings.hpp"
#include "cartsim/core/errors.hpp"
#include "cartsim/models/cart_patient.hpp"

namespace cartsim::models {
namespace {
using M = CartPatient;
using namespace cart_patient_detail;

bool is_flag(double v) {
  return v == 0.0 || v == 1.0;
}

void apply_lymphodeplete(std::span<const double> s, EventContext& ctx) {
  auto& y = ctx.y;
  y[M::lymphocytes] *= 1.0 - s[ld_lymphocytes];
  y[M::b_cells] *= 1.0 - s[ld_b_cells];
  y[M::leukaemia_cd19pos] *= 1.0 - s[ld_leukaemia];
  y[M::leukaemia_cd19neg] *= 1.0 - s[ld_leukaemia];
  // A jump below the remission level is not seen by the remission event (events see crossings
  // during integration only), so mark it here.
  const double blasts_pct =
      100.0 * (y[M::leukaemia_cd19pos] + y[M::leukaemia_cd19neg]) / M::marrow_capacity(ctx.p);
  if (blasts_pct < ctx.p[M::remission_blasts_pct]) {
    ctx.p[M::remission_flag] = 1.0;
  }
}

void apply_infuse(std::span<const double> s, EventContext& ctx) {
  auto& y = ctx.y;
  const double prescribed = M::prescribed_cells(ctx.p[M::body_weight_kg], s[inf_cells_per_kg],
                                                s[inf_cells], s[inf_weight_band]);
  const double cells = prescribed * s[inf_fraction];
  const double memory = cells * s[inf_memory_fraction];
  // Dose-weighted mean copies per CAR+ cell (the cells of every infusion mix in one pool).
  const double before = y[M::car_memory] + y[M::car_effector] + y[M::car_exhausted];
  ctx.p[M::product_vcn] =
      before > 0.0 ? (ctx.p[M::product_vcn] * before + s[inf_vcn] * cells) / (before + cells)
                   : s[inf_vcn];
  y[M::car_memory] += memory;
  y[M::car_effector] += cells - memory;
  y[M::car_infused] += cells;
}
}  // namespace

double CartPatient::prescribed_cells(double weight_kg, double cells_per_kg, double cells,
                                     double weight_band) {
  if (!is_flag(weight_band)) {
    throw ModelError(
        fmt::format("infuse: weight_band = {:g} must be 0 (free dosing) or 1 (the "
                    "tisagenlecleucel weight-band rule)",
                    weight_band));
  }
  if (weight_band == 0.0) {
    if ((cells_per_kg > 0.0) == (cells > 0.0)) {
      throw ModelError(
          "infuse with weight_band: 0 needs exactly one of 'cells_per_kg' and "
          "'cells' (> 0)");
    }
    return cells_per_kg > 0.0 ? cells_per_kg * weight_kg : cells;
  }
  if (weight_kg <= band_weight_kg) {
    if (cells_per_kg == 0.0) {
      throw ModelError(
          fmt::format("infuse: a patient of {:g} kg (<= 50 kg) is dosed per kg: give "
                      "'cells_per_kg' ({:g}-{:g} CAR+ cells/kg); the flat 'cells' "
                      "is for patients over 50 kg",
                      weight_kg, band_min_per_kg, band_max_per_kg));
    }
    if (!(cells_per_kg >= band_min_per_kg && cells_per_kg <= band_max_per_kg)) {
      throw ModelError(fmt::format(
          "infuse: a patient of {:g} kg (<= 50 kg) is dosed per kg: cells_per_kg = {:g} is "
          "outside the label band [{:g}, {:g}] CAR+ cells/kg (set weight_band: 0 to dose off "
          "label)",
          weight_kg, cells_per_kg, band_min_per_kg, band_max_per_kg));
    }
    return cells_per_kg * weight_kg;
  }
  if (cells == 0.0) {
    throw ModelError(
        fmt::format("infuse: a patient of {:g} kg (> 50 kg) gets a flat dose: give "
                    "'cells' ({:g}-{:g} CAR+ cells); 'cells_per_kg' is for patients "
                    "up to 50 kg (or set weight_band: 0 to dose per kg off label)",
                    weight_kg, band_min_total, band_max_total));
  }
  if (!(cells >= band_min_total && cells <= band_max_total)) {
    throw ModelError(fmt::format(
        "infuse: a patient of {:g} kg (> 50 kg) gets a flat dose: cells = {:g} is outside the "
        "label band [{:g}, {:g}] CAR+ cells (set weight_band: 0 to dose off label)",
        weight_kg, cells, band_min_total, band_max_total));
  }
  return cells;
}

double CartPatient::tocilizumab_mg_per_kg(double weight_kg, double setting) {
  if (setting > 0.0) {
    return setting;
  }
  return weight_kg < 30.0 ? 12.0 : 8.0;
}

void CartPatient::apply_action(std::size_t action, std::span<const double> s,
                               EventContext& ctx) const {
  switch (static_cast<Action>(action)) {
    case lymphodeplete:
      apply_lymphodeplete(s, ctx);
      return;
    case infuse:
      apply_infuse(s, ctx);
      return;
    case tocilizumab: {
      const double w = ctx.p[body_weight_kg];
      const double mg_per_kg = tocilizumab_mg_per_kg(w, s[toci_mg_per_kg]);
      if (mg_per_kg * w > toci_max_mg * (1.0 + 1e-12)) {
        throw ModelError(
            fmt::format("tocilizumab on day {:g}: {:g} mg/kg x {:g} kg = {:g} mg "
                        "exceeds the label maximum of {:g} mg per dose",
                        ctx.t, mg_per_kg, w, mg_per_kg * w, toci_max_mg));
      }
      // mg/kg / (L/kg) = mg/L = ug/mL
      ctx.y[tocilizumab_level] += mg_per_kg / ctx.p[tocilizumab_volume_l_per_kg];
      return;
    }
    case num_actions:
      break;
  }
  throw ModelError(fmt::format("cart_patient has no action {}", action));
}

void CartPatient::check_protocol(double, std::span<const double> p,
                                 std::span<const PlannedAction> actions) const {
  const double w = p[body_weight_kg];
  double fractions = 0.0;
  bool infused = false;
  auto day = [](const PlannedAction& a) {
    return std::isnan(a.time) ? std::string("a state-triggered step")
                              : fmt::format("day {:g}", a.time);
  };
  for (const PlannedAction& a : actions) {
    const auto s = a.settings;
    switch (static_cast<Action>(a.action)) {
      case lymphodeplete:
        if (infused) {
          throw ProtocolError(a.step, fmt::format("lymphodeplete on {} comes after an infusion; "
                                                  "lymphodepletion precedes the first infusion "
                                                  "(it would deplete the CAR-T cells too)",
                                                  day(a)));
        }
        break;
      case infuse:
        infused = true;
        try {
          prescribed_cells(w, s[inf_cells_per_kg], s[inf_cells], s[inf_weight_band]);
        } catch (const ModelError& e) {
          throw ProtocolError(a.step, fmt::format("{} (on {})", e.what(), day(a)));
        }
        fractions += s[inf_fraction];
        if (fractions > 1.0 + 1e-9) {
          throw ProtocolError(a.step, fmt::format("infuse on {}: the fractions of the "
                                                  "prescription given so far add up to {:g} > 1; "
                                                  "a fractionated dose splits one prescription "
                                                  "(e.g. 0.1, 0.3, 0.6)",
                                                  day(a), fractions));
        }
        break;
      case tocilizumab: {
        const double mg = tocilizumab_mg_per_kg(w, s[toci_mg_per_kg]) * w;
        if (mg > toci_max_mg * (1.0 + 1e-12)) {
          throw ProtocolError(a.step, fmt::format("tocilizumab on {}: {:g} mg/kg x {:g} kg = "
                                                  "{:g} mg exceeds the label maximum of {:g} mg "
                                                  "per dose",
                                                  day(a), mg / w, w, mg, toci_max_mg));
        }
        break;
      }
      case num_actions:
        break;
    }
  }
}

}  // namespace cartsim::models
