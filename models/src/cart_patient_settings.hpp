#pragma once
// cart_patient: the order of each action's settings (ActionInfo::settings), shared by the model
// description (cart_patient_info.cpp) and the actions (cart_patient_actions.cpp). Private to
// models/src.
#include <cstddef>

namespace cartsim::models::cart_patient_detail {

/// lymphodeplete: fractions of each population removed by the course.
inline constexpr std::size_t ld_lymphocytes = 0;
inline constexpr std::size_t ld_b_cells = 1;
inline constexpr std::size_t ld_leukaemia = 2;
/// infuse: the prescription, this step's share of it, and the product.
inline constexpr std::size_t inf_cells_per_kg = 0;
inline constexpr std::size_t inf_cells = 1;
inline constexpr std::size_t inf_fraction = 2;
inline constexpr std::size_t inf_memory_fraction = 3;
inline constexpr std::size_t inf_vcn = 4;
inline constexpr std::size_t inf_weight_band = 5;
/// tocilizumab
inline constexpr std::size_t toci_mg_per_kg = 0;

}  // namespace cartsim::models::cart_patient_detail
