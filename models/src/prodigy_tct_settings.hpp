#pragma once
// prodigy_tct: the order of each action's settings (ActionInfo::settings), shared by the model
// description (prodigy_tct_info.cpp) and the actions (prodigy_tct_actions.cpp). Private to
// models/src.
#include <cstddef>

namespace cartsim::models::prodigy_detail {

inline constexpr std::size_t seed_cells = 0;
inline constexpr std::size_t seed_t_cell_fraction = 1;
inline constexpr std::size_t seed_cd4_fraction = 2;
inline constexpr std::size_t seed_viability = 3;
inline constexpr std::size_t seed_naive_scm = 4;
inline constexpr std::size_t seed_cm = 5;
inline constexpr std::size_t seed_em = 6;
inline constexpr std::size_t seed_volume_ml = 7;
inline constexpr std::size_t seed_glucose_mm = 8;
inline constexpr std::size_t seed_il2_iu = 9;
inline constexpr std::size_t seed_il7_ng = 10;
inline constexpr std::size_t seed_il15_ng = 11;
inline constexpr std::size_t select_recovery = 0;
inline constexpr std::size_t select_purity = 1;
inline constexpr std::size_t activate_ul_per_ml = 0;
inline constexpr std::size_t activate_duration_d = 1;
inline constexpr std::size_t transduce_moi = 0;
inline constexpr std::size_t transduce_half_life_h = 1;
/// wash: cell_loss, then the new medium (volume_ml, glucose_mm, il2_iu, il7_ng, il15_ng).
inline constexpr std::size_t wash_cell_loss = 0;
inline constexpr std::size_t wash_medium = 1;
/// medium_exchange: removed_fraction, cell_loss, then the new medium as for wash.
inline constexpr std::size_t exchange_removed = 0;
inline constexpr std::size_t exchange_cell_loss = 1;
inline constexpr std::size_t exchange_medium = 2;
/// feed: the added medium (volume_ml, glucose_mm, il2_iu, il7_ng, il15_ng).
inline constexpr std::size_t feed_medium = 0;
/// Offsets inside a block of medium settings.
inline constexpr std::size_t medium_volume_ml = 0;
inline constexpr std::size_t medium_glucose_mm = 1;
inline constexpr std::size_t medium_il2_iu = 2;
inline constexpr std::size_t medium_il7_ng = 3;
inline constexpr std::size_t medium_il15_ng = 4;
inline constexpr std::size_t medium_settings = 5;
inline constexpr std::size_t sample_volume_ml = 0;
inline constexpr std::size_t harvest_cell_loss = 0;

}  // namespace cartsim::models::prodigy_detail
