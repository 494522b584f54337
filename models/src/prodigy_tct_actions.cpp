// prodigy_tct: what each protocol action does to the chamber, and the whole-protocol checks that
// reject an impossible run before it starts (ProtocolError -> ConfigError at the step, exit 2).
//
// Every action keeps the bookkeeping states exact: cells it loads go to cells_added, cells it takes
// out to cells_removed; glucose it brings in goes to glucose_added_mmol, glucose it takes out to
// glucose_removed_mmol. The mass balances in docs/models/prodigy_tct.md then hold at every time.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "cartsim/core/errors.hpp"
#include "cartsim/models/prodigy_tct.hpp"
#include "prodigy_tct_settings.hpp"

namespace cartsim::models {
namespace {
using namespace prodigy_detail;
using M = ProdigyTct;

/// Multiply every cell state (T-cell blocks including their phenotype tallies, other, dead) by
/// `factor` in [0, 1]; the cells taken out are counted as removed.
void keep_cells(std::span<double> y, double factor) {
  y[M::cells_removed] += (1.0 - factor) * M::all_cells(y);
  for (std::size_t i = 0; i < M::other_cells; ++i) {
    y[i] *= factor;
  }
  y[M::other_cells] *= factor;
  y[M::dead_cells] *= factor;
}

/// Multiply every dissolved amount (vector, TransAct, cytokines, glucose, lactate) by `factor`.
void keep_medium(std::span<double> y, double factor) {
  y[M::glucose_removed_mmol] += (1.0 - factor) * y[M::glucose_mmol];
  for (std::size_t i : {M::vector_iu, M::reagent_ul, M::il2_iu, M::il7_ng, M::il15_ng,
                        M::glucose_mmol, M::lactate_mmol}) {
    y[i] *= factor;
  }
}

/// Add fresh medium: `medium` holds volume_ml, glucose_mm, il2_iu, il7_ng, il15_ng.
void add_medium(std::span<double> y, std::span<const double> medium, double volume) {
  const double glucose = medium[medium_glucose_mm] * volume / 1000.0;  // mM * mL -> mmol
  y[M::volume_ml] += volume;
  y[M::glucose_mmol] += glucose;
  y[M::glucose_added_mmol] += glucose;
  y[M::il2_iu] += medium[medium_il2_iu];
  y[M::il7_ng] += medium[medium_il7_ng];
  y[M::il15_ng] += medium[medium_il15_ng];
}

double viable(std::span<const double> y) {
  return M::total_t_cells(y) + y[M::other_cells];
}

void apply_seed(std::span<const double> s, EventContext& ctx) {
  auto& y = ctx.y;
  const double live = s[seed_cells] * s[seed_viability];
  const double t_cells = live * s[seed_t_cell_fraction];
  y[M::cd4_block + M::resting] += t_cells * s[seed_cd4_fraction];
  y[M::cd8_block + M::resting] += t_cells * (1.0 - s[seed_cd4_fraction]);
  y[M::other_cells] += live - t_cells;
  y[M::dead_cells] += s[seed_cells] - live;
  y[M::cells_added] += s[seed_cells];
  add_medium(y, s.subspan(seed_volume_ml, medium_settings), s[seed_volume_ml]);
  ctx.p[M::culture_start_cells] = viable(y);
  ctx.p[M::seed_naive_fraction] = s[seed_naive_scm];
  ctx.p[M::seed_cm_fraction] = s[seed_cm];
  ctx.p[M::seed_em_fraction] = s[seed_em];
  ctx.p[M::seed_effector_fraction] =
      std::max(0.0, 1.0 - s[seed_naive_scm] - s[seed_cm] - s[seed_em]);
}

void apply_select(std::span<const double> s, EventContext& ctx) {
  auto& y = ctx.y;
  const double before = M::all_cells(y);
  for (std::size_t i = 0; i < M::other_cells; ++i) {
    y[i] *= s[select_recovery];
  }
  // Purity: the kept non-T cells make up (1 - purity) of the product, or fewer if there are fewer.
  const double t_kept = M::total_t_cells(y);
  y[M::other_cells] =
      std::min(y[M::other_cells], t_kept * (1.0 - s[select_purity]) / s[select_purity]);
  y[M::dead_cells] = 0.0;  // assumed: dead cells do not bind the beads and are washed through
  y[M::cells_removed] += before - M::all_cells(y);
  ctx.p[M::culture_start_cells] = viable(y);
}

void apply_medium_exchange(std::span<const double> s, EventContext& ctx) {
  auto& y = ctx.y;
  const double retained = y[M::volume_ml] * (1.0 - s[exchange_removed]);
  const double target = s[exchange_medium + medium_volume_ml];
  if (target < retained * (1.0 - 1e-12)) {
    throw ModelError(fmt::format(
        "medium_exchange on day {:g}: the new volume {:g} mL is below the {:g} mL kept in the "
        "chamber",
        ctx.t, target, retained));
  }
  keep_cells(y, 1.0 - s[exchange_cell_loss]);
  keep_medium(y, 1.0 - s[exchange_removed]);
  y[M::volume_ml] = retained;
  add_medium(y, s.subspan(exchange_medium, medium_settings), std::max(0.0, target - retained));
}

void apply_sample(std::span<const double> s, EventContext& ctx) {
  auto& y = ctx.y;
  const double volume = y[M::volume_ml];
  if (!(s[sample_volume_ml] < volume)) {
    throw ModelError(
        fmt::format("sample on day {:g}: {:g} mL is not less than the {:g} mL in "
                    "the chamber",
                    ctx.t, s[sample_volume_ml], volume));
  }
  const double keep = 1.0 - s[sample_volume_ml] / volume;  // well mixed: a proportional share
  keep_cells(y, keep);
  keep_medium(y, keep);
  y[M::volume_ml] = volume - s[sample_volume_ml];
}
}  // namespace

void ProdigyTct::apply_action(std::size_t action, std::span<const double> s,
                              EventContext& ctx) const {
  auto& y = ctx.y;
  switch (static_cast<Action>(action)) {
    case seed:
      apply_seed(s, ctx);
      return;
    case select:
      apply_select(s, ctx);
      return;
    case activate:
      y[reagent_ul] += s[activate_ul_per_ml] * y[volume_ml];
      ctx.p[reagent_decay_per_d] = 1.0 / s[activate_duration_d];
      return;
    case transduce:
      y[vector_iu] += s[transduce_moi] * viable(y);
      ctx.p[vector_decay_per_d] = std::numbers::ln2 * 24.0 / s[transduce_half_life_h];
      return;
    case wash:
      keep_cells(y, 1.0 - s[wash_cell_loss]);
      keep_medium(y, 0.0);  // the centrifugal wash replaces the whole supernatant
      y[volume_ml] = 0.0;
      add_medium(y, s.subspan(wash_medium, medium_settings), s[wash_medium + medium_volume_ml]);
      return;
    case medium_exchange:
      apply_medium_exchange(s, ctx);
      return;
    case feed:
      if (y[volume_ml] + s[feed_medium + medium_volume_ml] >
          ctx.p[chamber_capacity_ml] * (1.0 + 1e-12)) {
        throw ModelError(fmt::format(
            "feed on day {:g} would bring the chamber to {:g} mL, past "
            "its capacity of {:g} mL",
            ctx.t, y[volume_ml] + s[feed_medium + medium_volume_ml], ctx.p[chamber_capacity_ml]));
      }
      add_medium(y, s.subspan(feed_medium, medium_settings), s[feed_medium + medium_volume_ml]);
      return;
    case sample:
      apply_sample(s, ctx);
      return;
    case harvest:
      keep_cells(y, 1.0 - s[harvest_cell_loss]);
      ctx.stop = true;
      return;
    case num_actions:
      break;
  }
  throw ModelError(fmt::format("prodigy_tct has no action {}", action));
}

void ProdigyTct::check_protocol(double, std::span<const double> p,
                                std::span<const PlannedAction> actions) const {
  const auto& names = info().actions;
  const double capacity = p[chamber_capacity_ml];
  bool seeded = false;
  bool harvested = false;
  double volume = 0.0;  // mL; only actions change it, so it is known exactly in advance
  auto day = [](const PlannedAction& a) {
    return std::isnan(a.time) ? std::string("a state-triggered step")
                              : fmt::format("day {:g}", a.time);
  };
  auto check_capacity = [&](const PlannedAction& a, const char* what) {
    if (volume > capacity * (1.0 + 1e-12)) {
      throw ProtocolError(a.step, fmt::format("{} on {} brings the chamber to {:g} mL, past its "
                                              "capacity of {:g} mL (parameter "
                                              "chamber_capacity_ml)",
                                              what, day(a), volume, capacity));
    }
  };
  for (const PlannedAction& a : actions) {
    const std::string& name = names[a.action].name;
    const auto s = a.settings;
    if (harvested) {
      // The harvest ends the run, so later steps never run, as events after the end time never
      // fire. Allowed so that a sweep can move the harvest day earlier than the last feed of a
      // protocol written up to the latest harvest day.
      break;
    }
    if (a.action == seed) {
      if (seeded) {
        throw ProtocolError(a.step, fmt::format("a second 'seed' on {}; the chamber is seeded "
                                                "once per run",
                                                day(a)));
      }
      seeded = true;
      const double phenotype_sum = s[seed_naive_scm] + s[seed_cm] + s[seed_em];
      if (phenotype_sum > 1.0 + 1e-12) {
        throw ProtocolError(a.step, fmt::format("seed: naive_scm_fraction + cm_fraction + "
                                                "em_fraction = {:g} exceeds 1 (the effector "
                                                "fraction is the rest)",
                                                phenotype_sum));
      }
      volume = s[seed_volume_ml];
      check_capacity(a, "seed");
      continue;
    }
    if (!seeded) {
      if (a.action == harvest) {
        throw ProtocolError(a.step, fmt::format("a harvest on {} before the chamber is seeded; "
                                                "the protocol needs a 'seed' step first",
                                                day(a)));
      }
      throw ProtocolError(a.step, fmt::format("'{}' on {} comes before the chamber is seeded; "
                                              "the first prodigy_tct step must be 'seed'",
                                              name, day(a)));
    }
    switch (static_cast<Action>(a.action)) {
      case wash:
        volume = s[wash_medium + medium_volume_ml];
        check_capacity(a, "wash");
        break;
      case medium_exchange: {
        const double retained = volume * (1.0 - s[exchange_removed]);
        const double target = s[exchange_medium + medium_volume_ml];
        if (target < retained * (1.0 - 1e-12)) {
          throw ProtocolError(a.step,
                              fmt::format("medium_exchange on {}: the new volume {:g} mL "
                                          "is below the {:g} mL kept in the chamber "
                                          "({:g} mL with {:g} removed)",
                                          day(a), target, retained, volume, s[exchange_removed]));
        }
        volume = target;
        check_capacity(a, "medium_exchange");
        break;
      }
      case feed:
        volume += s[feed_medium + medium_volume_ml];
        check_capacity(a, "feed");
        break;
      case sample:
        if (!(s[sample_volume_ml] < volume)) {
          throw ProtocolError(a.step, fmt::format("sample on {} takes {:g} mL but the chamber "
                                                  "holds {:g} mL",
                                                  day(a), s[sample_volume_ml], volume));
        }
        volume -= s[sample_volume_ml];
        break;
      case harvest:
        harvested = true;
        break;
      default:
        break;
    }
  }
}

}  // namespace cartsim::models
