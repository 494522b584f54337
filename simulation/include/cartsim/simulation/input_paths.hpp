#pragma once
// Addressing a scenario's inputs by path, for sweeps and populations:
//   parameters.NAME                  a model parameter (not an internal one)
//   initial_state.NAME               a state's initial value
//   protocol[i].at                   the time (days) of timed step i (one time only)
//   protocol[i].dose.amount          dose amount; likewise dilute.factor, set.value
//   protocol[i].ACTION.SETTING       a setting of a model action, e.g. protocol[1].transduce.moi
// A vein-to-vein chain puts the half in front (manufacturing.PATH, patient.PATH) and adds its
// product rules: product.dose.cells_per_kg or product.dose.cells (the form the scenario's dose
// has), product.cap_cells, product.recovery.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cartsim/simulation/runner.hpp"
#include "cartsim/simulation/scenario.hpp"

namespace cartsim {

/// Every path this scenario's inputs can be addressed by (for messages).
std::vector<std::string> input_paths(const Scenario& scenario);
/// The assignment target of `path` (value unset), or std::nullopt.
std::optional<Assignment> resolve_input_path(const Scenario& scenario, std::string_view path);
/// Why `path` is not an input when the reason is not a typo (a chain's dose value in another dose
/// form, an infusion setting the chain writes); empty otherwise. For messages.
std::string input_path_note(const Scenario& scenario, std::string_view path);
/// The value the plan holds at a target before any sample changes it.
double base_value(const RunPlan& plan, const Assignment& target);

}  // namespace cartsim
